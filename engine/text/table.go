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
func rows(t *html.Node) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) { eachRow(t, yield) }
}

func eachRow(n *html.Node, yield func(*html.Node) bool) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || hidden(c) {
			continue
		}
		switch c.DataAtom {
		case atom.Thead, atom.Tbody, atom.Tfoot:
			if !eachRow(c, yield) {
				return false
			}
		case atom.Tr:
			if !yield(c) {
				return false
			}
		}
	}
	return true
}

// cells yields the visible cells of a row.
func cells(tr *html.Node) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) {
		for d := tr.FirstChild; d != nil; d = d.NextSibling {
			if d.Type == html.ElementNode && (d.DataAtom == atom.Td || d.DataAtom == atom.Th) && !hidden(d) {
				if !yield(d) {
					return
				}
			}
		}
	}
}

// isDataTable tells tables of data (kept aligned) from layout tables (flattened): header
// cells make a data table; role=presentation and block content make a layout table; else
// several rows of several short cells are data.
func isDataTable(t *html.Node) bool {
	if role, _ := attr(t, "role"); role == "presentation" {
		return false
	}
	hasTH, multi := false, 0
	for tr := range rows(t) {
		n := 0
		for cell := range cells(tr) {
			n++
			if cell.DataAtom == atom.Th {
				hasTH = true
			}
			if hasBlock(cell) {
				return false
			}
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
		case atom.Table, atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Img, atom.Blockquote, atom.Pre:
			return true
		}
		if hasBlock(c) {
			return true
		}
	}
	return false
}

// dataTable writes the table with its columns aligned; colspans fill their columns.
func (c *conv) dataTable(t *html.Node) {
	var grid [][]string
	cols := 0
	sub := convPool.Get().(*conv) // converts each cell
	defer convPool.Put(sub)
	for tr := range rows(t) {
		var line []string
		for cell := range cells(tr) {
			sub.reset(c.opt)
			sub.refs, sub.refIndex = c.refs, c.refIndex
			sub.children(cell)
			c.refs, c.refIndex = sub.refs, sub.refIndex
			// the cell on one line: its pending inline text, then the lines it wrote
			b := appendFields(sub.line[:0], sub.para)
			b = appendFields(b, sub.out)
			sub.line = b
			text := string(b)
			if cell.DataAtom == atom.Th {
				text = strings.ToUpper(text)
			}
			line = append(line, text)
			if span, ok := attr(cell, "colspan"); ok {
				for i := 1; i < atoi(span) && i < 20; i++ {
					line = append(line, "")
				}
			}
		}
		cols = max(cols, len(line))
		grid = append(grid, line)
	}
	width := make([]int, cols)
	for _, r := range grid {
		for i, s := range r {
			width[i] = max(width[i], runeLen(s))
		}
	}
	for _, r := range grid {
		l := append(c.line[:0], c.prefix...)
		for i, s := range r {
			l = append(l, s...)
			if i < len(r)-1 {
				for range width[i] - runeLen(s) + 2 {
					l = append(l, ' ')
				}
			}
		}
		c.line = l
		if len(bytes.TrimSpace(l[len(c.prefix):])) == 0 {
			continue
		}
		c.emit(bytes.TrimRight(l, " "))
	}
}

// appendFields appends the words of s, as strings.Fields splits them, to b, one space
// apart and one space after what b holds.
func appendFields(b, s []byte) []byte {
	space := len(b) > 0
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

func atoi(s string) int {
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}
