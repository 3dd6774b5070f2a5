package text

import (
	"bytes"
	"slices"
	"strings"
)

// dropEmptyColumns removes the empty cells and the columns without text of their own
// (a spanning cell keeps its first column when it covers no other): a thumbnail column
// whose images the row's text repeats goes. It returns the number of columns left.
func dropEmptyColumns(grid []tableRow, ncols int) int {
	keep := make([]int, ncols) // 1 when column k stays
	for _, r := range grid {
		for _, tc := range r.cells {
			if tc.text != "" && tc.span == 1 {
				keep[tc.col] = 1
			}
		}
	}
	for _, r := range grid {
		for _, tc := range r.cells {
			if tc.text != "" && tc.span > 1 && !slices.Contains(keep[tc.col:min(tc.col+tc.span, ncols)], 1) {
				keep[tc.col] = 1
			}
		}
	}
	// index[k] is the new index of column k: the number of kept columns before it
	index := make([]int, ncols+1)
	for k := 0; k < ncols; k++ {
		index[k+1] = index[k] + keep[k]
	}
	for i := range grid {
		cells := grid[i].cells[:0]
		for _, tc := range grid[i].cells {
			if tc.text == "" {
				continue
			}
			end := min(tc.col+tc.span, ncols)
			tc.col, tc.span = index[tc.col], index[end]-index[tc.col]
			cells = append(cells, tc)
		}
		grid[i].cells = cells
	}
	return index[ncols]
}

// columnWidths returns each column's narrowest width (its longest word) and natural
// width (its longest line). A spanning cell shares what it needs beyond the columns it
// covers among them, in proportion to their widths (evenly when they have none), except,
// when free, a cell that spans to the last column: nothing is to its right, so it runs on
// to the width of the text instead (see alignedTable).
func columnWidths(grid []tableRow, ncols int, free bool) (minW, maxW []int) {
	minW, maxW = make([]int, ncols), make([]int, ncols)
	var spans []tableCell
	for _, r := range grid {
		for _, tc := range r.cells {
			switch {
			case tc.span == 1:
				minW[tc.col] = max(minW[tc.col], tc.minW)
				maxW[tc.col] = max(maxW[tc.col], tc.maxW)
			case !free || tc.col+tc.span < ncols:
				spans = append(spans, tc)
			}
		}
	}
	slices.SortStableFunc(spans, func(a, b tableCell) int { return a.span - b.span })
	for _, tc := range spans {
		share(minW[tc.col:tc.col+tc.span], tc.minW)
		share(maxW[tc.col:tc.col+tc.span], tc.maxW)
	}
	for k := range maxW {
		maxW[k] = max(maxW[k], minW[k])
	}
	return minW, maxW
}

// share widens the columns w (with their gaps) to hold need runes, in proportion to
// their widths, or evenly when they have none.
func share(w []int, need int) {
	have := sum(w)
	missing := need - have - colGap*(len(w)-1)
	if missing <= 0 {
		return
	}
	if have == 0 {
		for k := range w {
			add := missing / (len(w) - k)
			w[k] += add
			missing -= add
		}
		return
	}
	added := 0
	for k := range w {
		add := missing * w[k] / have
		w[k] += add
		added += add
	}
	for k := len(w) - 1; added < missing; k-- { // what rounding left, to the last columns
		if k < 0 {
			k = len(w) - 1
		}
		if w[k] > 0 {
			w[k]++
			added++
		}
	}
}

// fitColumns chooses column widths within avail runes: the natural widths when they fit;
// else each column gets its narrowest width and the room left is shared like water, so
// that columns needing little get all of it and the rest share what remains; nil when
// even the narrowest widths do not fit.
func fitColumns(minW, maxW []int, avail int) []int {
	if len(minW) == 0 {
		return minW
	}
	gaps := colGap * (len(minW) - 1)
	if sum(maxW)+gaps <= avail {
		return maxW
	}
	extra := avail - gaps - sum(minW)
	if extra < 0 {
		return nil
	}
	w := slices.Clone(minW)
	order := make([]int, len(w))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return (maxW[a] - minW[a]) - (maxW[b] - minW[b]) })
	for i, k := range order {
		give := min(maxW[k]-minW[k], extra/(len(order)-i))
		w[k] += give
		extra -= give
	}
	return w
}

func sum(w []int) int {
	n := 0
	for _, x := range w {
		n += x
	}
	return n
}

// alignedTable writes the rows with the cells' lines wrapped to their columns' widths,
// and aligned in them as the cells ask (align, text-align); a cell that ends at the last
// column runs on to avail.
func (c *conv) alignedTable(grid []tableRow, width []int, avail int) {
	offset := offsets(width)
	var lines [][]string // per cell of a row, its wrapped lines
	for _, r := range grid {
		lines = lines[:0]
		height := 0
		for _, tc := range r.cells {
			cw := offset[tc.col+tc.span] - offset[tc.col] - colGap
			if tc.col+tc.span == len(width) {
				cw = max(cw, avail-offset[tc.col])
			}
			ls := wrapText(tc.text, cw)
			lines = append(lines, ls)
			height = max(height, len(ls))
		}
		for i := range height {
			first := c.prefix
			if c.marker != "" {
				first, c.marker = c.marker, ""
			}
			l := append(c.line[:0], first...)
			pos := 0 // runes written after the indentation
			for j, tc := range r.cells {
				if i >= len(lines[j]) {
					continue
				}
				s := lines[j][i]
				start := offset[tc.col]
				if cw, n := offset[tc.col+tc.span]-start-colGap, runeLen(s); n < cw {
					switch tc.align {
					case 'r':
						start += cw - n
					case 'c':
						start += (cw - n) / 2
					}
				}
				if pos > 0 && pos >= start {
					start = pos + 1 // a cell that ran over (it cannot): still a space apart
				}
				for ; pos < start; pos++ {
					l = append(l, ' ')
				}
				l = append(l, s...)
				pos += runeLen(s)
			}
			c.line = l
			c.emit(bytes.TrimRight(l, " "), len(first))
		}
	}
}

// wrapText wraps each line of s at spaces into lines of at most width runes; a longer
// word stays whole on its own line.
func wrapText(s string, width int) []string {
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		start, n, lastEnd := 0, 0, 0 // the line being filled: s[start:lastEnd], n runes
		for i := 0; i <= len(para); {
			j := strings.IndexByte(para[i:], ' ')
			if j < 0 {
				j = len(para)
			} else {
				j += i
			}
			wl := runeLen(para[i:j])
			if n > 0 && n+1+wl > width {
				out = append(out, para[start:lastEnd])
				start, n = i, 0
			}
			if n > 0 {
				n++
			}
			n += wl
			lastEnd = j
			i = j + 1
		}
		if n > 0 {
			out = append(out, para[start:lastEnd])
		}
	}
	return out
}

// stackedTable writes a table too wide to align: each row as a block of lines, each cell
// on its own line after the header of its column ("Price: $499"); rows apart by a blank
// line. The header row gives the labels and is not written itself.
func (c *conv) stackedTable(grid []tableRow, ncols int) {
	labels := make([]string, ncols)
	hasHeader := false
	for _, r := range grid {
		if r.header {
			for _, tc := range r.cells {
				if tc.span == 1 && labels[tc.col] == "" {
					labels[tc.col] = tc.label
					hasHeader = true
				}
			}
		}
	}
	for _, r := range grid {
		if (r.header && hasHeader) || len(r.cells) == 0 {
			continue
		}
		c.breakLines(2)
		for _, tc := range r.cells {
			label := ""
			if tc.span == 1 && !tc.th {
				label = labels[tc.col]
			}
			for i, para := range strings.Split(tc.text, "\n") {
				c.breakLines(1)
				if i == 0 && label != "" {
					c.inline(label)
					c.inline(": ")
				}
				c.inline(para)
				c.flush()
			}
		}
	}
}
