package text

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// rows returns the rows of a table (through thead/tbody/tfoot), not of nested tables.
func rows(t *html.Node) [][]*html.Node {
	var out [][]*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || hidden(c) {
				continue
			}
			switch c.DataAtom {
			case atom.Thead, atom.Tbody, atom.Tfoot:
				walk(c)
			case atom.Tr:
				var cells []*html.Node
				for d := c.FirstChild; d != nil; d = d.NextSibling {
					if d.Type == html.ElementNode && (d.DataAtom == atom.Td || d.DataAtom == atom.Th) && !hidden(d) {
						cells = append(cells, d)
					}
				}
				out = append(out, cells)
			}
		}
	}
	walk(t)
	return out
}

// isDataTable tells tables of data (kept aligned) from layout tables (flattened): header
// cells make a data table; role=presentation and block content make a layout table; else
// several rows of several short cells are data.
func isDataTable(t *html.Node) bool {
	if role, _ := attr(t, "role"); role == "presentation" {
		return false
	}
	rs := rows(t)
	hasTH, multi := false, 0
	for _, r := range rs {
		if len(r) >= 2 {
			multi++
		}
		for _, cell := range r {
			if cell.DataAtom == atom.Th {
				hasTH = true
			}
			if hasBlock(cell) {
				return false
			}
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
	for _, r := range rows(t) {
		var line []string
		for _, cell := range r {
			sub := &conv{opt: c.opt, refIndex: c.refIndex, refs: c.refs}
			sub.children(cell)
			text := strings.Join(strings.Fields(sub.para.String()+" "+sub.out.String()), " ")
			c.refs = sub.refs
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
		var b strings.Builder
		for i, s := range r {
			b.WriteString(s)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-runeLen(s)+2))
			}
		}
		line := strings.TrimRight(b.String(), " ")
		if strings.TrimSpace(line) == "" {
			continue
		}
		for _, part := range hardSplit(c.prefix + line) {
			c.writeLine(part)
			c.pendingNL = 1
		}
	}
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
