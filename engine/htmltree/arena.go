package htmltree

import "golang.org/x/net/html"

// Blocks stay under the runtime's large-object size (32 KB): large objects come straight
// from the page heap, which returns them to the system between parses at a high cost.
// The first block is sized from the document, the others are small.
const (
	maxNodeBlock = 315 // nodes (32 KB)
	maxAttrBlock = 640 // attributes (30 KB)
	nodeBlock    = 64
	attrBlock    = 128
)

// nodeArena hands out nodes from a few blocks instead of one allocation each.
type nodeArena struct {
	block []html.Node
	next  int // the size of the next block
}

func (a *nodeArena) alloc() *html.Node {
	if len(a.block) == 0 {
		a.block = make([]html.Node, a.next)
		a.next = nodeBlock
	}
	n := &a.block[0]
	a.block = a.block[1:]
	return n
}

// attrArena hands out attribute slices from a few blocks. Each slice's capacity is its
// length, so appending to a node's attributes never reaches into its neighbour's.
type attrArena struct {
	block []html.Attribute
	used  int // block[:used] is handed out or being filled
	mark  int // where the current tag's attributes start
	next  int // the size of the next block
}

// begin starts the attributes of a tag; push adds one; end returns them.
func (a *attrArena) begin() { a.mark = a.used }

func (a *attrArena) push(x html.Attribute) {
	if a.used == len(a.block) {
		// move the tag's attributes so far to a new block
		n := a.used - a.mark
		b := make([]html.Attribute, max(a.next, 2*n+1))
		copy(b, a.block[a.mark:a.used])
		a.block, a.mark, a.used = b, 0, n
		a.next = attrBlock
	}
	a.block[a.used] = x
	a.used++
}

// has reports whether the current tag has an attribute named key.
func (a *attrArena) has(key string) bool {
	for _, x := range a.block[a.mark:a.used] {
		if x.Key == key {
			return true
		}
	}
	return false
}

func (a *attrArena) end() []html.Attribute {
	if a.used == a.mark {
		return nil
	}
	return a.block[a.mark:a.used:a.used]
}

// clone returns a copy of attrs from the arena.
func (a *attrArena) clone(attrs []html.Attribute) []html.Attribute {
	a.begin()
	for _, x := range attrs {
		a.push(x)
	}
	if s := a.end(); s != nil {
		return s
	}
	return []html.Attribute{} // as x/net's clone: empty, not nil
}
