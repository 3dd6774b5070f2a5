// Package tree is the one representation every dialect front-end parses into: a small syntax
// tree whose nodes keep their byte offset, line and column in the user's file. The back end
// (engine/pongo) and the checker (engine/check) read only this tree, never a dialect's syntax.
package tree

// Pos is a position in a source file: byte offset, 1-based line and 1-based column (in bytes).
type Pos struct {
	Offset, Line, Col int
}

// Position returns p itself; embedding Pos gives every node a Position method.
func (p Pos) Position() Pos { return p }

// Node is a piece of template output: text, an output expression or a tag.
type Node interface {
	Position() Pos
	node()
}

// Template is a parsed template body.
type Template struct {
	Name   string // file name as the user wrote it, for messages
	Source string // the whole source the positions refer to
	Body   []Node
}

// Text is literal template text, written as it is.
type Text struct {
	Pos
	Text string
}

// Output writes the value of Expr. Raw outputs skip HTML escaping (Mustache triple braces).
type Output struct {
	Pos
	Expr Expr
	Raw  bool
}

// Branch is one arm of a conditional: Cond nil means the else arm. Tag names the opening tag
// as written (if, elsif, else, unless, when, section, inverted…) for messages.
type Branch struct {
	Pos
	Tag  string
	Cond Expr
	Body []Node
}

// If renders the body of the first branch whose condition is truthy.
type If struct {
	Pos
	Tag      string // "if", "unless", "section", "inverted", "each-else"… as written
	Branches []*Branch
}

// Case renders every when-branch whose values include a value equal to Subject, and the else
// branches when none matched (Liquid semantics).
type Case struct {
	Pos
	Subject Expr
	Whens   []*When
}

// When is one arm of a Case; Values nil marks an else arm.
type When struct {
	Pos
	Values []Expr
	Body   []Node
}

// For iterates Iter, binding Var. Limit and Offset may be nil; OffsetContinue is `offset:
// continue`. Else renders when there is nothing to iterate.
type For struct {
	Pos
	Tag            string // "for", "tablerow", "each", "section"
	Var            string
	Iter           Expr
	Limit, Offset  Expr
	Cols           Expr // tablerow only
	OffsetContinue bool
	Reversed       bool
	// IndexVar (Handlebars block params, `as |item i|`) is bound to the index, or the key
	// when iterating an object; Var is bound to the item.
	IndexVar string
	Body     []Node
	Else     *Branch
}

// Assign sets a template variable.
type Assign struct {
	Pos
	Name  string
	Value Expr
}

// Capture renders Body into a variable.
type Capture struct {
	Pos
	Name string
	Body []Node
}

// Counter is increment (Delta 1) or decrement (Delta -1).
type Counter struct {
	Pos
	Name  string
	Delta int
}

// Cycle outputs the next of Values each time it runs, per Group.
type Cycle struct {
	Pos
	Group  Expr // nil: grouped by the values themselves
	Values []Expr
}

// LoopJump is break (Continue false) or continue.
type LoopJump struct {
	Pos
	Continue bool
}

// Include renders a partial. Isolated is Liquid's render (no access to outer variables).
type Include struct {
	Pos
	Isolated bool
	Name     Expr   // usually a string literal
	With     Expr   // `with x` / `for x`
	For      bool   // `for x`: render once per item
	Alias    string // `as name`
	Args     []KeyValue
	// Indent is prepended to every line the partial renders (Mustache standalone partials).
	Indent string
	// Dynamic marks Mustache dynamic names ({{>*name}}): Name is evaluated to the partial name.
	Dynamic bool
	// Body, when set, is the partial's body expanded in place (compile-time CSS inlining);
	// BodyFile and BodySource name the partial's file for positions.
	Body       []Node
	BodyFile   string
	BodySource string
}

// KeyValue is a keyword argument.
type KeyValue struct {
	Key   string
	Value Expr
}

// IfChanged renders Body when its output differs from the last time it ran.
type IfChanged struct {
	Pos
	Body []Node
}

// Markdown renders Body, then converts the result from Markdown to HTML.
type Markdown struct {
	Pos
	Body []Node
}

// Segment renders the first branch whose segment the profile belongs to, else Else.
type Segment struct {
	Pos
	Branches []*SegmentBranch
	Else     *Branch
}

// SegmentBranch lists segment names; NamePos gives each name's position for messages.
type SegmentBranch struct {
	Pos
	Names   []string
	NamePos []Pos
	Body    []Node
}

// VariantOnly renders Body only in one variant ("text" or "html", html covering AMP too).
type VariantOnly struct {
	Pos
	Variant string
	Body    []Node
}

// Live is live AMP content: Template is raw amp-mustache markup fetched from Src at open time;
// Fallback is rendered at send time and is all that HTML and text show.
type Live struct {
	Pos
	Src      Expr
	Template string
	Fallback []Node
}

// Section is a Mustache section: it renders Body once per item of a list, once with the value
// pushed on the context stack for a non-list truthy value, not at all otherwise. Inverted
// sections render Body only when the value is falsy or empty.
type Section struct {
	Pos
	Expr     Expr
	Inverted bool
	Body     []Node
	RawBody  string // the unparsed body text, for lambdas
}

// With pushes Expr on the context stack while rendering Body (Handlebars with); Else renders
// when Expr is falsy.
type With struct {
	Pos
	Expr Expr
	Var  string // Handlebars block param (`as |x|`): a name bound to the value; "" for none
	Body []Node
	Else *Branch
}

// Block is a plain sequence of nodes with no behaviour of its own (the body of a Liquid
// {% liquid %} tag).
type Block struct {
	Pos
	Body []Node
}

func (*Block) node()       {}
func (*Text) node()        {}
func (*Output) node()      {}
func (*If) node()          {}
func (*Case) node()        {}
func (*For) node()         {}
func (*Assign) node()      {}
func (*Capture) node()     {}
func (*Counter) node()     {}
func (*Cycle) node()       {}
func (*LoopJump) node()    {}
func (*Include) node()     {}
func (*IfChanged) node()   {}
func (*Markdown) node()    {}
func (*Segment) node()     {}
func (*VariantOnly) node() {}
func (*Live) node()        {}
func (*Section) node()     {}
func (*With) node()        {}
