package tree

// Expr is an expression inside an output or a tag.
type Expr interface {
	Position() Pos
	expr()
}

// Literal is a constant: nil, bool, int, float64, string, or value.Empty / value.Blank.
type Literal struct {
	Pos
	Value any
}

// Var looks up a variable: Root (a name, or RootExpr for `[expr]` forms) then each step.
// Depth > 0 is Handlebars' ../ (resolve in the Depth-th enclosing context).
type Var struct {
	Pos
	Root     string
	RootExpr Expr
	Steps    []Step
	// Depth is the number of Handlebars `../` levels; RootDepth is Handlebars `@root`: the
	// profile data (and engine globals), past every binding and context.
	Depth int
	// Implicit is Mustache's `.` and Handlebars' `this`: the top of the context stack.
	Implicit bool
}

// RootDepth is the Depth of a Handlebars `@root` path.
const RootDepth = -1

// Step is one `.name` or `[expr]` access.
type Step struct {
	Name  string
	Index Expr
}

// Range is `(From..To)`.
type Range struct {
	Pos
	From, To Expr
}

// Binary is a comparison (== != <> < > <= >= contains) or a logical operator (and, or).
type Binary struct {
	Pos
	Op   string
	L, R Expr
}

// Not negates X (unless, inverted sections, Handlebars not).
type Not struct {
	Pos
	X Expr
}

// Filtered pipes X through Filters in order.
type Filtered struct {
	Pos
	X       Expr
	Filters []*Filter
}

// Filter is one `| name: args` call.
type Filter struct {
	Pos
	Name   string
	Args   []Expr
	KwArgs []KeyValue
}

func (*Literal) expr()  {}
func (*Var) expr()      {}
func (*Range) expr()    {}
func (*Binary) expr()   {}
func (*Not) expr()      {}
func (*Filtered) expr() {}

// String renders a Var path as the user would write it (a.b[0].c), for messages.
func (v *Var) String() string {
	s := v.Root
	if v.Implicit {
		s = "this"
	}
	for i := 0; i < v.Depth; i++ {
		s = "../" + s
	}
	if v.Depth == RootDepth {
		s = "@root." + s
		if v.Implicit {
			s = "@root"
		}
	}
	for _, st := range v.Steps {
		if st.Index != nil {
			if l, ok := st.Index.(*Literal); ok {
				switch x := l.Value.(type) {
				case string:
					s += "[\"" + x + "\"]"
					continue
				case int:
					s += "[" + itoa(x) + "]"
					continue
				}
			}
			s += "[…]"
			continue
		}
		s += "." + st.Name
	}
	return s
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	p := len(b)
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		p--
		b[p] = '-'
	}
	return string(b[p:])
}

// Walk calls fn for every node in body, depth first, in source order. fn returning false skips
// the node's children.
func Walk(body []Node, fn func(Node) bool) {
	for _, n := range body {
		if !fn(n) {
			continue
		}
		for _, c := range Children(n) {
			Walk(c, fn)
		}
	}
}

// Children returns the bodies nested in n, in source order.
func Children(n Node) [][]Node {
	switch x := n.(type) {
	case *If:
		out := make([][]Node, len(x.Branches))
		for i, b := range x.Branches {
			out[i] = b.Body
		}
		return out
	case *Case:
		out := make([][]Node, len(x.Whens))
		for i, w := range x.Whens {
			out[i] = w.Body
		}
		return out
	case *For:
		if x.Else != nil {
			return [][]Node{x.Body, x.Else.Body}
		}
		return [][]Node{x.Body}
	case *Capture:
		return [][]Node{x.Body}
	case *Block:
		return [][]Node{x.Body}
	case *Include:
		if x.Body != nil {
			return [][]Node{x.Body}
		}
	case *IfChanged:
		return [][]Node{x.Body}
	case *Markdown:
		return [][]Node{x.Body}
	case *Segment:
		out := make([][]Node, 0, len(x.Branches)+1)
		for _, b := range x.Branches {
			out = append(out, b.Body)
		}
		if x.Else != nil {
			out = append(out, x.Else.Body)
		}
		return out
	case *VariantOnly:
		return [][]Node{x.Body}
	case *Live:
		return [][]Node{x.Fallback}
	case *Section:
		return [][]Node{x.Body}
	case *With:
		if x.Else != nil {
			return [][]Node{x.Body, x.Else.Body}
		}
		return [][]Node{x.Body}
	}
	return nil
}
