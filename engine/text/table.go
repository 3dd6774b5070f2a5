package text

import (
	"bytes"
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// rows yields the rows of a table (through thead/tbody/tfoot), not those of nested tables.
func (c *conv) rows(t *html.Node) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) { c.eachRow(t, yield) }
}

func (c *conv) eachRow(n *html.Node, yield func(*html.Node) bool) bool {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode || c.hidden(ch) {
			continue
		}
		switch ch.DataAtom {
		case atom.Thead, atom.Tbody, atom.Tfoot:
			if !c.eachRow(ch, yield) {
				return false
			}
		case atom.Tr:
			if !yield(ch) {
				return false
			}
		}
	}
	return true
}

// cells yields the visible cells of a row.
func (c *conv) cells(tr *html.Node) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) {
		for d := tr.FirstChild; d != nil; d = d.NextSibling {
			if d.Type == html.ElementNode && (d.DataAtom == atom.Td || d.DataAtom == atom.Th) && !c.hidden(d) {
				if !yield(d) {
					return
				}
			}
		}
	}
}

// Limits of the data table layout: a wider table is flattened like a layout table.
const (
	maxTableCols = 32 // columns of a row, its colspans counted
	maxColspan   = 20
	maxRowspan   = 100
	colGap       = 2 // spaces between columns
)

// isDataTable tells tables of data (kept aligned) from layout tables (flattened), as a
// reader would: role=presentation, block content in a cell (paragraphs, headings, lists,
// nested tables) or rows wider than maxTableCols make a layout table; else header cells
// or several rows of several cells make a data table. Images are content like text (their
// alt text): product thumbnails in an order table do not make it a layout table.
func (c *conv) isDataTable(t *html.Node) bool {
	if role, _ := attr(t, "role"); role == "presentation" || role == "none" {
		return false
	}
	hasTH, multi := false, 0
	for tr := range c.rows(t) {
		n, width := 0, 0
		for cell := range c.cells(tr) {
			n++
			width += spanOf(cell, "colspan", maxColspan)
			if cell.DataAtom == atom.Th {
				hasTH = true
			}
			if hasBlock(cell) {
				return false
			}
		}
		if width > maxTableCols {
			return false
		}
		if n >= 2 {
			multi++
		}
	}
	return hasTH || multi >= 2
}

func hasBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Table, atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Blockquote, atom.Pre:
			return true
		}
		if hasBlock(c) {
			return true
		}
	}
	return false
}

// spanOf is a cell's colspan or rowspan: 1 when absent or invalid, at most limit (0, for
// a rowspan "to the end of the section", is limit).
func spanOf(cell *html.Node, key string, limit int) int {
	v, ok := attr(cell, key)
	if !ok {
		return 1
	}
	n, digits := atoi(v)
	switch {
	case !digits:
		return 1
	case n == 0 && key == "rowspan":
		return limit
	case n == 0:
		return 1
	}
	return min(n, limit)
}

// tableCell is a cell of a data table: its text, and where it is in the grid.
type tableCell struct {
	text       string // its lines, whitespace collapsed, joined by '\n'; upper case for a th
	label      string // the text as written, for a header row's cells (stacked form)
	col, span  int    // first column and columns covered
	th         bool
	align      byte // 'r' (right), 'c' (center) or 0 (left)
	minW, maxW int  // the longest word and the longest line, in runes
}

// cellAlign is how a cell aligns its text: its align attribute, or text-align in its style.
func cellAlign(cell *html.Node) byte {
	v, ok := attr(cell, "align")
	if st, has := attr(cell, "style"); has && strings.Contains(st, "text-align") {
		v, ok = styleValue(st, "text-align"), true
	}
	if !ok {
		return 0
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "right", "end":
		return 'r'
	case "center":
		return 'c'
	}
	return 0
}

type tableRow struct {
	cells  []tableCell
	header bool // in thead, or the first row with only header cells
}

// dataTable writes the table with its columns aligned, wrapping the cells' text at word
// boundaries so that it fits the width; a table that cannot fit is written stacked, one
// "Header: value" line per cell. A visible caption comes first.
func (c *conv) dataTable(t *html.Node) {
	for ch := t.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && ch.DataAtom == atom.Caption && !c.hidden(ch) {
			if s := c.labelOf(ch); s != "" {
				c.inline(s)
				c.flush()
				c.breakLines(1)
			}
		}
	}
	grid, ncols, runeBytes := c.tableGrid(t)
	ncols = dropEmptyColumns(grid, ncols)
	if ncols == 0 {
		return
	}
	avail := max(c.opt.Width-runeLen(c.prefix), 20)
	if len(c.prefix)+runeBytes*avail > MaxLineBytes {
		c.stackedTable(grid, ncols)
		return
	}
	minW, maxW := columnWidths(grid, ncols, true)
	width := fitColumns(minW, maxW, avail)
	if width != nil && !freeCellsFit(grid, width, avail) {
		minW, maxW = columnWidths(grid, ncols, false)
		width = fitColumns(minW, maxW, avail)
	}
	if width == nil {
		c.stackedTable(grid, ncols)
		return
	}
	c.alignedTable(grid, width, avail)
}

// offsets returns where each column starts, in runes, and where the last one ends plus
// the gap.
func offsets(width []int) []int {
	offset := make([]int, len(width)+1)
	for k, w := range width {
		offset[k+1] = offset[k] + w + colGap
	}
	return offset
}

// freeCellsFit reports whether the longest word of every cell that spans to the last
// column fits in the room from its first column to avail.
func freeCellsFit(grid []tableRow, width []int, avail int) bool {
	offset := offsets(width)
	for _, r := range grid {
		for _, tc := range r.cells {
			if tc.span > 1 && tc.col+tc.span == len(width) && offset[tc.col]+tc.minW > avail {
				return false
			}
		}
	}
	return true
}

// tableGrid converts the cells of t and places them in columns, colspans and rowspans
// counted. runeBytes is the longest UTF-8 encoding of a rune in the cells.
func (c *conv) tableGrid(t *html.Node) (grid []tableRow, ncols, runeBytes int) {
	sub := convPool.Get().(*conv) // converts each cell
	defer func() {
		sub.parts, sub.refs, sub.refIndex = nil, nil, nil
		convPool.Put(sub)
	}()
	var covered []int // per column: rows still covered by a rowspan from above
	var nodes []*html.Node
	runeBytes = 1
	first := true
	for tr := range c.rows(t) {
		var row tableRow
		nodes = nodes[:0]
		col := 0
		allTH := true
		for cell := range c.cells(tr) {
			for col < len(covered) && covered[col] > 0 {
				col++
			}
			span := spanOf(cell, "colspan", maxColspan)
			tc := tableCell{col: col, span: span, th: cell.DataAtom == atom.Th, align: cellAlign(cell)}
			tc.text = c.cellText(sub, cell)
			if tc.text != "" && !tc.th {
				allTH = false
			}
			row.cells = append(row.cells, tc)
			nodes = append(nodes, cell)
			if rs := spanOf(cell, "rowspan", maxRowspan); rs > 1 {
				for len(covered) < col+span {
					covered = append(covered, 0)
				}
				for k := col; k < col+span; k++ {
					covered[k] = max(covered[k], rs)
				}
			}
			col += span
		}
		for k := range covered {
			if covered[k] > 0 {
				covered[k]--
			}
		}
		dedupeImages(c, row.cells, nodes)
		row.header = tr.Parent != nil && tr.Parent.DataAtom == atom.Thead || first && allTH && len(row.cells) > 0
		for i := range row.cells {
			tc := &row.cells[i]
			if tc.text == "" {
				continue
			}
			first = false
			if row.header {
				tc.label = strings.ReplaceAll(tc.text, "\n", " ")
			}
			if tc.th {
				tc.text = strings.ToUpper(tc.text)
			}
			tc.minW, tc.maxW, runeBytes = measure(tc.text, runeBytes)
			ncols = max(ncols, tc.col+tc.span)
		}
		grid = append(grid, row)
	}
	return grid, ncols, runeBytes
}

// cellText converts the content of a cell with sub: its lines, whitespace collapsed, blank
// ones dropped, joined by '\n'.
func (c *conv) cellText(sub *conv, cell *html.Node) string {
	sub.reset(c.opt)
	sub.cell = true
	sub.parts, sub.nrules, sub.full = c.parts[:len(c.parts):len(c.parts)], c.nrules, c.full
	sub.refs, sub.refIndex = c.refs, c.refIndex
	sub.children(cell)
	sub.flush()
	c.refs, c.refIndex = sub.refs, sub.refIndex
	c.restart = c.restart || sub.restart
	b := sub.line[:0]
	for line := range bytes.SplitSeq(sub.out, []byte{'\n'}) {
		start := len(b)
		if start > 0 {
			b = append(b, '\n')
		}
		mark := len(b)
		if b = appendFields(b, line); len(b) == mark {
			b = b[:start] // a blank line
		}
	}
	sub.line = b
	return string(b)
}

// dedupeImages empties cells whose only content is images whose alt text another cell of
// the row already gives (a product thumbnail next to the product's name).
func dedupeImages(c *conv, row []tableCell, nodes []*html.Node) {
	for i := range row {
		if row[i].text == "" || !c.onlyImages(nodes[i]) {
			continue
		}
		for j := range row {
			if j != i && strings.EqualFold(row[j].text, row[i].text) {
				row[i].text = ""
				break
			}
		}
	}
}

// onlyImages reports whether n shows images and no text of its own.
func (c *conv) onlyImages(n *html.Node) bool {
	img := false
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch.Type == html.TextNode:
			if strings.TrimFunc(ch.Data, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' }) != "" {
				return false
			}
		case ch.Type != html.ElementNode || c.hidden(ch):
		case ch.DataAtom == atom.Img:
			img = true
		case ch.DataAtom == atom.A:
			return false // the link's URL is text
		default:
			if !c.onlyImages(ch) {
				return false
			}
			img = true
		}
	}
	return img
}

// measure returns the longest word and the longest line of s in runes, and the longest
// UTF-8 encoding of a rune in s if over runeBytes.
func measure(s string, runeBytes int) (minW, maxW, rb int) {
	word, line := 0, 0
	for _, r := range s {
		switch r {
		case '\n':
			word, line = 0, 0
			continue
		case ' ':
			word = 0
		default:
			word++
			rb = max(rb, utf8.RuneLen(r))
		}
		line++
		minW, maxW = max(minW, word), max(maxW, line)
	}
	return minW, maxW, max(rb, runeBytes)
}

// appendFields appends the words of s, as strings.Fields splits them, to b, one space
// apart, and one space after what b holds unless it ends a line.
func appendFields(b, s []byte) []byte {
	space := len(b) > 0 && b[len(b)-1] != '\n'
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if unicode.IsSpace(r) {
			space = len(b) > 0
		} else {
			if space {
				b = append(b, ' ')
				space = false
			}
			b = append(b, s[:size]...)
		}
		s = s[size:]
	}
	return b
}

// atoi reads the leading digits of s (after spaces), as HTML reads a span; digits reports
// whether there was one.
func atoi(s string) (n int, digits bool) {
	for _, r := range strings.TrimSpace(s) {
		if r < '0' || r > '9' {
			break
		}
		digits = true
		if n < 1<<20 {
			n = n*10 + int(r-'0')
		}
	}
	return n, digits
}
