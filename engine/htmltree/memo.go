package htmltree

import (
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/net/html"
	a "golang.org/x/net/html/atom"
)

// Layouts parses documents that differ only in their holes (the places data was written
// into, escaped) by parsing each layout once.
//
// A layout is a document's bytes outside its holes. Every recipient of a template whose
// conditions took the same branches renders the same layout, and the HTML parser's
// decisions (which tokens there are, which elements open and close, where text goes)
// come from the layout alone when each hole holds plain text: no '<', no quote, no
// character reference running past its end, no white space at its ends, not empty. So the
// first document of a layout is parsed a second time with a placeholder in each hole;
// where every placeholder comes out whole in one text node or one attribute value, the tree
// is kept, and the next document of the layout gets a copy of it with its hole values
// written where the placeholders were, without being parsed. Anything else (a hole in a
// tag or attribute name, a comment, a raw-text element or a type attribute; a hole value
// that is not plain; a placeholder the parser compared with another value; a layout
// outside TryParse's subset) is parsed as Parse parses it, so Parse(doc) is always what
// Layouts.Parse returns; the tests and FuzzLayouts check that.
type Layouts struct {
	seed maphash.Seed
	max  int

	mu sync.RWMutex
	m  map[uint64][]*Layout
	n  int

	reused, parsed atomic.Int64
}

// Stats returns how many documents got a copy of their layout's tree and how many were
// parsed.
func (ls *Layouts) Stats() (reused, parsed int64) {
	return ls.reused.Load(), ls.parsed.Load()
}

// NewLayouts returns a Layouts that keeps at most max layouts; the documents of any
// others are parsed every time.
func NewLayouts(max int) *Layouts {
	return &Layouts{seed: maphash.MakeSeed(), max: max, m: map[uint64][]*Layout{}}
}

// Layout is one layout of a Layouts: its static pieces and, when it can be reused (tree !=
// nil), its tree in a form that copies fast, and where the hole values go. A Layout lives
// as long as its Layouts; callers may use its address as a key for what they derive from
// its documents (see Tree.Layout).
type Layout struct {
	static []string // doc outside the holes: len(holes)+1 pieces
	tree   *flatTree
	holes  []holeInfo
	sites  []site
	spare  sync.Pool // *treeCopy given back by Tree.Release
}

// holeInfo is what a hole's value must not be, given the bytes around it.
type holeInfo struct {
	attr    bool // the hole is in attribute values (else in text)
	ampTail bool // the text before it ends in '&' and letters, digits or '#'
	ltTail  bool // the text before it ends in '<'
}

// site is a text node's data or an attribute's value that holds holes: pieces[0], the
// value of holes[0], pieces[1], ... pieces[len(holes)].
type site struct {
	node   int     // the node's index
	attr   attrPos // attr.block < 0: the node's Data
	pieces []string
	holes  []int
}

// attrPos is an attribute's place in flatTree.attrs.
type attrPos struct{ block, index int32 }

// flatTree is a parsed tree with its links as indexes, so that a copy is a few allocations
// and one pass. Node i is nodes[i/maxNodeBlock][i%maxNodeBlock]; the blocks stay under the
// runtime's large-object size, as the parser's do (see arena.go).
type flatTree struct {
	nodes [][]html.Node // links not set
	links []links
	attrs [][]html.Attribute // blocks; a node's attributes are all in one
	spans []attrSpan         // each node's attributes
}

// attrSpan is where a node's attributes are: attrs[block][start:end].
type attrSpan struct{ block, start, end int32 }

type links struct{ parent, first, last, prev, next int32 } // -1: none

// Parse returns the tree Parse(doc) returns. holes are the byte ranges of doc written
// from data, in order and not overlapping; any holes give the right tree, and the better
// they mark the data, the more documents share a layout.
func (ls *Layouts) Parse(doc string, holes [][2]int) (*html.Node, error) {
	t, err := ls.ParseTree(doc, holes)
	if err != nil {
		return nil, err
	}
	return t.Root(), nil
}

// Tree is a document's tree from ParseTree. The copy of a layout's tree is made when Root
// or Site asks for it: a caller that needs only the values of the sites (SiteValue) never
// pays for it.
type Tree struct {
	root  *html.Node
	l     *Layout   // nil: root was parsed
	vals  []string  // the hole values (a layout's tree)
	sites []string  // the site values made so far (SiteValue)
	c     *treeCopy // the copy, once made
}

// treeCopy is the memory of a copy of a layout's tree.
type treeCopy struct {
	nodes [][]html.Node
	attrs [][]html.Attribute
}

// Root returns the document node.
func (t *Tree) Root() *html.Node {
	if t.root == nil && t.l != nil {
		t.l.build(t)
	}
	return t.root
}

// Layout returns the layout whose tree the tree is a copy of, or nil when it was parsed.
func (t *Tree) Layout() *Layout { return t.l }

// Sites returns how many sites the tree has: the text nodes and attribute values that hold
// hole values, the same for every tree of its Layout (none for a parsed tree).
func (t *Tree) Sites() int {
	if t.l == nil {
		return 0
	}
	return len(t.l.sites)
}

// SiteValue returns the value of site i (0 <= i < Sites()): a text node's Data or an
// attribute's value, holes filled in.
func (t *Tree) SiteValue(i int) string {
	if t.sites == nil {
		t.sites = make([]string, len(t.l.sites))
	}
	if t.sites[i] == "" {
		t.sites[i] = t.l.sites[i].fill(t.vals)
	}
	return t.sites[i]
}

// Site returns site i (0 <= i < Sites()) in the tree (made now if need be): its node, the
// attribute's key ("" for a text node's Data) and its value as the tree was built.
func (t *Tree) Site(i int) (n *html.Node, key, val string) {
	t.Root()
	s := t.l.sites[i]
	n = &t.c.nodes[s.node/maxNodeBlock][s.node%maxNodeBlock]
	if s.attr.block < 0 {
		return n, "", n.Data
	}
	a := t.c.attrs[s.attr.block][s.attr.index]
	return n, a.Key, a.Val
}

// SiteRef names a site of a document: a text node (Key "") or an attribute of an element
// whose value holds hole values.
type SiteRef struct {
	Node *html.Node
	Key  string
}

// SiteRefs returns the tree's sites in order (see Site).
func (t *Tree) SiteRefs() []SiteRef {
	refs := make([]SiteRef, t.Sites())
	for i := range refs {
		n, key, _ := t.Site(i)
		refs[i] = SiteRef{n, key}
	}
	return refs
}

// Sites indexes the sites of a document: node, then attribute key ("" for a text node),
// then the site's number.
type Sites map[*html.Node]map[string]int

// SiteIndex indexes sites.
func SiteIndex(sites []SiteRef) Sites {
	m := Sites{}
	for i, s := range sites {
		k := m[s.Node]
		if k == nil {
			k = map[string]int{}
			m[s.Node] = k
		}
		k[s.Key] = i
	}
	return m
}

// Of returns the number of the site at n's attribute key ("" for n's text) and whether
// there is one.
func (s Sites) Of(n *html.Node, key string) (int, bool) {
	i, ok := s[n][key]
	return i, ok
}

// In reports whether n or anything under it has a site.
func (s Sites) In(n *html.Node) bool {
	if len(s[n]) > 0 {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if s.In(c) {
			return true
		}
	}
	return false
}

// Release gives the tree's memory to the next document of its layout. Nothing may use the
// tree, or anything taken from it but strings, afterwards.
func (t *Tree) Release() {
	if t.c != nil {
		t.l.spare.Put(t.c)
	}
	t.c, t.root, t.l, t.vals, t.sites = nil, nil, nil, nil, nil
}

// ParseTree is Parse, returning a Tree whose memory Release can give back.
func (ls *Layouts) ParseTree(doc string, holes [][2]int) (*Tree, error) {
	if ls != nil {
		if t := ls.reuse(doc, holes); t != nil {
			ls.reused.Add(1)
			return t, nil
		}
		ls.parsed.Add(1)
	}
	root, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	return &Tree{root: root}, nil
}

// reuse returns the tree of doc made from its layout's, or nil when doc must be parsed.
func (ls *Layouts) reuse(doc string, holes [][2]int) *Tree {
	if len(holes) == 0 || !validHoles(doc, holes) {
		return nil
	}
	h := ls.hash(doc, holes)
	ls.mu.RLock()
	var l *Layout
	for _, c := range ls.m[h] {
		if c.same(doc, holes) {
			l = c
			break
		}
	}
	full := ls.n >= ls.max
	ls.mu.RUnlock()
	if l == nil {
		if full {
			return nil
		}
		l = newLayout(doc, holes)
		ls.mu.Lock()
		// another goroutine may have made the same layout meanwhile: one Layout per layout,
		// so that what callers keep per Layout is kept once
		if i := slices.IndexFunc(ls.m[h], func(c *Layout) bool { return c.same(doc, holes) }); i >= 0 {
			l = ls.m[h][i]
		} else if ls.n < ls.max {
			ls.m[h] = append(ls.m[h], l)
			ls.n++
		}
		ls.mu.Unlock()
	}
	if l.tree == nil {
		return nil
	}
	vals, ok := l.values(doc, holes)
	if !ok {
		return nil
	}
	return &Tree{l: l, vals: vals}
}

// validHoles reports whether holes are in order, within doc and not overlapping.
func validHoles(doc string, holes [][2]int) bool {
	at := 0
	for _, h := range holes {
		if h[0] < at || h[1] < h[0] || h[1] > len(doc) {
			return false
		}
		at = h[1]
	}
	return true
}

func (ls *Layouts) hash(doc string, holes [][2]int) uint64 {
	var mh maphash.Hash
	mh.SetSeed(ls.seed)
	at := 0
	for _, h := range holes {
		mh.WriteString(doc[at:h[0]])
		mh.WriteByte(0) // same checks the pieces themselves; this only spreads the hashes
		at = h[1]
	}
	mh.WriteString(doc[at:])
	return mh.Sum64()
}

// same reports whether doc with holes has l's layout.
func (l *Layout) same(doc string, holes [][2]int) bool {
	if len(holes)+1 != len(l.static) {
		return false
	}
	at := 0
	for i, h := range holes {
		if doc[at:h[0]] != l.static[i] {
			return false
		}
		at = h[1]
	}
	return doc[at:] == l.static[len(holes)]
}

// Placeholders are U+E000, the hole's number, a space (which proves the hole is not in an
// unquoted attribute value: it would end the value there) and U+E001. Private-use
// characters mean nothing to the parser.
const (
	phStart = "\uE000"
	phEnd   = " \uE001"
)

func hasPlaceholder(attrs []html.Attribute) bool {
	for _, x := range attrs {
		if strings.Contains(x.Val, phStart) {
			return true
		}
	}
	return false
}

// newLayout makes the layout of doc; its tree is nil when the layout's documents must be
// parsed each time.
func newLayout(doc string, holes [][2]int) *Layout {
	l := &Layout{static: make([]string, 0, len(holes)+1), holes: make([]holeInfo, len(holes))}
	var b strings.Builder
	at := 0
	for i, h := range holes {
		piece := doc[at:h[0]]
		l.static = append(l.static, piece)
		b.WriteString(piece)
		b.WriteString(phStart)
		b.WriteString(strconv.Itoa(i))
		b.WriteString(phEnd)
		// what a hole follows: its piece, or (an empty piece) the value before it, which
		// never ends in '<' or an unfinished reference (see plain)
		l.holes[i].ampTail = refTail(piece)
		l.holes[i].ltTail = strings.HasSuffix(piece, "<")
		at = h[1]
	}
	l.static = append(l.static, doc[at:])
	b.WriteString(doc[at:])
	for _, s := range l.static {
		if strings.Contains(s, phStart) || strings.Contains(s, "\uE001") {
			return l // the layout's own text holds a placeholder character
		}
	}
	root, compared, err := tryParse(b.String(), true)
	if err != nil || compared {
		return l
	}
	t, sites, ok := flatten(root, l.holes)
	if !ok {
		return l
	}
	l.tree, l.sites = t, sites
	return l
}

// refTail reports whether s ends in what a character reference could go on from: '&'
// followed by letters, digits or '#'.
func refTail(s string) bool {
	i := len(s)
	for i > 0 && (isAlnum(s[i-1]) || s[i-1] == '#') {
		i--
	}
	return i > 0 && s[i-1] == '&'
}

// flatten copies the tree rooted at root into a flatTree and finds where each hole's
// placeholder went. It reports false when a placeholder is anywhere but whole in text
// outside raw-text elements or in an attribute value other than type, or a hole is in
// text in one place and an attribute in another.
func flatten(root *html.Node, holes []holeInfo) (*flatTree, []site, bool) {
	t := &flatTree{}
	var sites []site
	seen := make([]int8, len(holes)) // 0 nowhere yet, 1 text, 2 attribute
	index := map[*html.Node]int32{}
	var nodes []*html.Node
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		i := int32(len(nodes))
		index[n] = i
		nodes = append(nodes, n)
		if i%maxNodeBlock == 0 {
			t.nodes = append(t.nodes, make([]html.Node, 0, maxNodeBlock))
		}
		c := html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace}
		t.nodes[len(t.nodes)-1] = append(t.nodes[len(t.nodes)-1], c)
		t.links = append(t.links, links{-1, -1, -1, -1, -1})
		if strings.Contains(n.Data, phStart) || strings.Contains(n.Namespace, phStart) {
			if n.Type != html.TextNode || n.Parent == nil || rawText(n.Parent) {
				return false
			}
			s, ok := siteOf(int(i), attrPos{-1, -1}, n.Data, holes, seen, 1)
			if !ok {
				return false
			}
			sites = append(sites, s)
		}
		if len(t.attrs) == 0 || len(t.attrs[len(t.attrs)-1])+len(n.Attr) > maxAttrBlock {
			t.attrs = append(t.attrs, make([]html.Attribute, 0, max(maxAttrBlock, len(n.Attr))))
		}
		blk := int32(len(t.attrs) - 1)
		start := int32(len(t.attrs[blk]))
		for _, x := range n.Attr {
			if strings.Contains(x.Key, phStart) || strings.Contains(x.Namespace, phStart) {
				return false
			}
			if strings.Contains(x.Val, phStart) {
				if x.Key == "type" || x.Key == "encoding" || n.Namespace != "" {
					return false
				}
				s, ok := siteOf(int(i), attrPos{blk, int32(len(t.attrs[blk]))}, x.Val, holes, seen, 2)
				if !ok {
					return false
				}
				sites = append(sites, s)
			}
			t.attrs[blk] = append(t.attrs[blk], x)
		}
		t.spans = append(t.spans, attrSpan{blk, start, int32(len(t.attrs[blk]))})
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if !walk(ch) {
				return false
			}
		}
		return true
	}
	if !walk(root) {
		return nil, nil, false
	}
	for i, n := range nodes {
		lk := &t.links[i]
		for _, p := range []struct {
			to  *html.Node
			dst *int32
		}{{n.Parent, &lk.parent}, {n.FirstChild, &lk.first}, {n.LastChild, &lk.last}, {n.PrevSibling, &lk.prev}, {n.NextSibling, &lk.next}} {
			if p.to != nil {
				j, ok := index[p.to]
				if !ok {
					return nil, nil, false
				}
				*p.dst = j
			}
		}
	}
	for i, s := range seen {
		if s == 0 {
			return nil, nil, false // a hole the parser dropped: it may have looked at it
		}
		holes[i].attr = s == 2
	}
	return t, sites, true
}

// rawText reports whether n's text is taken as written, character references and all.
func rawText(n *html.Node) bool {
	switch n.DataAtom {
	case a.Style, a.Script, a.Xmp, a.Iframe, a.Noembed, a.Noframes, a.Noscript, a.Plaintext:
		return true
	}
	return false
}

// siteOf cuts s at its placeholders into a site; kind is 1 for text, 2 for an attribute.
func siteOf(node int, attr attrPos, s string, holes []holeInfo, seen []int8, kind int8) (site, bool) {
	st := site{node: node, attr: attr}
	for {
		i := strings.Index(s, phStart)
		if i < 0 {
			if strings.Contains(s, "\uE001") {
				return st, false
			}
			st.pieces = append(st.pieces, s)
			return st, true
		}
		st.pieces = append(st.pieces, s[:i])
		rest := s[i+len(phStart):]
		j := strings.Index(rest, phEnd)
		if j <= 0 {
			return st, false
		}
		h, err := strconv.Atoi(rest[:j])
		if err != nil || h < 0 || h >= len(holes) || strconv.Itoa(h) != rest[:j] || seen[h] != 0 && seen[h] != kind {
			return st, false
		}
		seen[h] = kind
		st.holes = append(st.holes, h)
		s = rest[j+len(phEnd):]
		if strings.Contains(st.pieces[len(st.pieces)-1], "\uE001") {
			return st, false
		}
	}
}

// values returns the hole values of doc as the parser would decode them, and false when
// one is not plain enough to stand where its placeholder stood.
func (l *Layout) values(doc string, holes [][2]int) ([]string, bool) {
	vals := make([]string, len(holes))
	for i, h := range holes {
		e := doc[h[0]:h[1]]
		info := l.holes[i]
		if !plain(e, info) {
			return nil, false
		}
		v := unescapeText(e)
		if info.attr {
			v = unescapeAttr(e)
		}
		if v == "" || isSpace(v[0]) || isSpace(v[len(v)-1]) || strings.IndexByte(v, 0) >= 0 {
			return nil, false
		}
		vals[i] = v
	}
	return vals, true
}

// plain reports whether the escaped hole value e tokenizes as its placeholder does, given
// what comes before it.
func plain(e string, info holeInfo) bool {
	if e == "" {
		return false
	}
	if info.ampTail && (isAlnum(e[0]) || e[0] == '#' || e[0] == ';' || e[0] == '=') {
		return false // it would go on with a character reference begun before it
	}
	if info.ltTail && (isLetter(e[0]) || e[0] == '!' || e[0] == '/' || e[0] == '?') {
		return false // it would make a tag of the '<' before it
	}
	for i := 0; i < len(e); i++ {
		switch e[i] {
		case '<', '"', '\'', 0, '\r':
			return false
		case '&':
			j := i + 1
			for j < len(e) && (isAlnum(e[j]) || e[j] == '#') {
				j++
			}
			if j == len(e) {
				return false // a reference that could go on after the hole
			}
		}
	}
	return true
}

// build makes t's copy of l's tree, its values written into its sites, in memory a released
// copy left when there is one.
func (l *Layout) build(t *Tree) {
	ft := l.tree
	c, _ := l.spare.Get().(*treeCopy)
	if c == nil {
		c = &treeCopy{nodes: make([][]html.Node, len(ft.nodes)), attrs: make([][]html.Attribute, len(ft.attrs))}
		for i, b := range ft.nodes {
			c.nodes[i] = make([]html.Node, len(b))
		}
		for i, b := range ft.attrs {
			c.attrs[i] = make([]html.Attribute, len(b))
		}
	}
	// A released copy is mostly as the layout's tree has it still: only what differs is
	// written, since each pointer written while the collector runs costs a write barrier.
	for i, b := range ft.attrs {
		dst := c.attrs[i]
		for j := range b {
			if dst[j] != b[j] {
				dst[j] = b[j]
			}
		}
	}
	ptr := func(i int32) *html.Node {
		if i < 0 {
			return nil
		}
		return &c.nodes[i/maxNodeBlock][i%maxNodeBlock]
	}
	for i, lk := range ft.links {
		src, n := &ft.nodes[i/maxNodeBlock][i%maxNodeBlock], ptr(int32(i))
		var attr []html.Attribute
		if sp := ft.spans[i]; sp.end > sp.start {
			attr = c.attrs[sp.block][sp.start:sp.end:sp.end]
		}
		n.Type, n.DataAtom = src.Type, src.DataAtom
		setString(&n.Data, src.Data)
		setString(&n.Namespace, src.Namespace)
		if len(n.Attr) != len(attr) || cap(n.Attr) != cap(attr) || len(attr) > 0 && &n.Attr[0] != &attr[0] {
			n.Attr = attr
		}
		setNode(&n.Parent, ptr(lk.parent))
		setNode(&n.FirstChild, ptr(lk.first))
		setNode(&n.LastChild, ptr(lk.last))
		setNode(&n.PrevSibling, ptr(lk.prev))
		setNode(&n.NextSibling, ptr(lk.next))
	}
	for i, s := range l.sites {
		if v := t.SiteValue(i); s.attr.block < 0 {
			ptr(int32(s.node)).Data = v
		} else {
			c.attrs[s.attr.block][s.attr.index].Val = v
		}
	}
	t.root, t.c = ptr(0), c
}

// fill is the site's value with vals in its holes.
func (s *site) fill(vals []string) string {
	if len(s.holes) == 1 && s.pieces[0] == "" && s.pieces[1] == "" {
		return vals[s.holes[0]] // the value alone: no copy
	}
	n := len(s.pieces[len(s.holes)])
	for k, h := range s.holes {
		n += len(s.pieces[k]) + len(vals[h])
	}
	var b strings.Builder
	b.Grow(n)
	for k, h := range s.holes {
		b.WriteString(s.pieces[k])
		b.WriteString(vals[h])
	}
	b.WriteString(s.pieces[len(s.holes)])
	return b.String()
}

func setString(dst *string, s string) {
	if *dst != s {
		*dst = s
	}
}

func setNode(dst **html.Node, n *html.Node) {
	if *dst != n {
		*dst = n
	}
}
