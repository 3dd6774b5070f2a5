package pongo

import (
	"fmt"
	"strings"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/tree"
)

// The escaping plan of a template is found at compile time by following the HTML tokenizer
// through the template text (html/template's approach): every block body is scanned from the
// state the block starts in, the branches of a conditional must end in the same state (else
// the template is refused: what follows could not be escaped for one context), a loop body
// must end where it started, and a partial is scanned where it is included (and compiled once
// per starting state). The plan gives every output its context, and wraps every URL attribute
// value whose scheme depends on data in a guard that checks the whole rendered value.

// ctxKind is the kind of place an output writes into.
type ctxKind uint8

const (
	kText ctxKind = iota // element content, RCDATA (title, textarea), comments
	kAttr                // an ordinary attribute value
	kURL                 // a URL (or srcset) attribute value
	kCSS                 // a style attribute or a <style> element
	kJS                  // an event-handler attribute, srcdoc or a <script> element
	kName                // inside a tag, where an attribute name goes
	kTag                 // in an element name
)

// outCtx is where an output writes, found at compile time.
type outCtx struct {
	kind     ctxKind
	unquoted bool // in an unquoted attribute value
	query    bool // URL: after a static ? or # (query or fragment): escape every reserved character
	srcset   bool
	// check is set on the one output of a URL value made of static text around it when the
	// output takes part in the scheme: the scheme is decided on prefix+output+suffix.
	check *urlCheck
	tag   *tagCheck // kTag; kName: the static start of the name
}

var ctxText = outCtx{kind: kText}

// Tokenizer states.
const (
	sData = iota
	sTagOpen
	sTagName
	sInTag
	sAttrName
	sAfterAttr
	sBeforeValue
	sValue
	sUnquoted
	sComment
	sBogus // <!…> and <?…> up to >
	sRaw   // inside script, style, textarea, title…
)

// Progress of the scheme of a URL value through its static text.
const (
	schNone    = iota // nothing but leading spaces yet
	schStarted        // scheme characters so far
	schSettled        // the static text fixed the scheme (or made the URL relative)
	schOpaque         // an entity or diverging branches: static text can no longer settle it
	schData           // data came before any settling static text
)

// htmlState is the tokenizer state at a point of the template, as far as escaping needs it.
// It is a value: a block's bodies each get a copy.
type htmlState struct {
	st       uint8
	quote    byte
	tag      string // element name while in a tag; the raw-text element while in sRaw
	attr     string // attribute name (so far)
	kind     attrKind
	nameData bool // data is part of the attribute name
	scheme   uint8
	query    bool
	v        *valueRec // the attribute value being scanned
	name     *nameRec  // data in the element name being scanned
}

// nameRec collects the data in one element name, to check the whole name when it ends.
type nameRec struct {
	prefix string
	outs   []tree.Node
	suffix strings.Builder
}

// key identifies a state for compiling a partial once per starting state.
func (s htmlState) key() string {
	if s.st == sData {
		return ""
	}
	return fmt.Sprintf("%d %q %s %s %d %t %d %t", s.st, s.quote, s.tag, s.attr, s.kind, s.nameData, s.scheme, s.query)
}

func (s htmlState) describe() string {
	switch s.st {
	case sData:
		return "element content"
	case sTagOpen, sTagName:
		return "an element name"
	case sInTag, sAttrName, sAfterAttr:
		return fmt.Sprintf("the <%s> tag", s.tag)
	case sBeforeValue, sValue, sUnquoted:
		return fmt.Sprintf("the value of %s= in <%s>", s.attr, s.tag)
	case sComment, sBogus:
		return "a comment"
	case sRaw:
		return fmt.Sprintf("the <%s> element", s.tag)
	}
	return "?"
}

// same reports whether a and b are the same place for what follows them.
func same(a, b htmlState) bool {
	return a.st == b.st && a.quote == b.quote && a.tag == b.tag && a.attr == b.attr && a.kind == b.kind &&
		a.nameData == b.nameData && a.v == b.v && a.name == b.name
}

// sameIgnoringValue is same for states of different scans (a partial's and its includer's).
func sameIgnoringValue(a, b htmlState) bool {
	if (a.v == nil) != (b.v == nil) || (a.name == nil) != (b.name == nil) {
		return false
	}
	a.v, b.v, a.name, b.name = nil, nil, nil, nil
	return same(a, b)
}

// endsWhereStarts reports whether a partial compiled for start that ends in end may be
// included where the includer carries on from start. Besides the same state, a partial
// included in an element name (right after a '<', as in <{{> name}}) may end in element
// content: the includer then takes what follows for part of a tag, whose escaping is at
// least as strict as element content's, until a '>' brings both views together again.
func endsWhereStarts(end, start htmlState) bool {
	return sameIgnoringValue(end, start) || (start.st == sTagOpen || start.st == sTagName) && same(end, htmlState{})
}

// valueRec is one attribute value of the template, for guard planning.
type valueRec struct {
	list     int        // the node list it opened in; -1: opened before this scan began
	openText *tree.Text // where it opened: in openText at openOff, or right before openNode
	openOff  int
	openNode tree.Node
	kind     attrKind
	attr     string
	zone     bool     // data takes part in the scheme
	zonePos  tree.Pos // the first such data
	count    int      // nodes other than text directly in the value
	only     tree.Node
	pre      strings.Builder // static text before the first such node
	post     strings.Builder // static text after the last one
	amp      bool            // an & in that static text
}

// cut is a point in a text node where a guard opens or closes.
type cut struct {
	off  int
	open bool
	g    *urlGuard
}

// urlGuard checks a whole URL attribute value at render time.
type urlGuard struct {
	srcset bool
	attr   string
	pos    tree.Pos
}

// escPlan is how a template's outputs are escaped.
type escPlan struct {
	ctx    map[tree.Node]outCtx // outputs and cycles
	cuts   map[*tree.Text][]cut
	before map[tree.Node]*urlGuard // guards that open right before a node
	incl   map[*tree.Include]htmlState
	// recursive marks includes of a partial inside itself: taken to end where they start,
	// which the partial's compile for that state checks
	recursive map[*tree.Include]bool
	end       htmlState // the state at the end of the template
}

// walker scans a template for its plan.
type walker struct {
	plan     *escPlan
	p        *Program
	tpl      *tree.Template // the file being scanned, for messages
	lists    int
	stack    map[string]bool           // partials being scanned
	partials map[string]*tree.Template // parsed partials, nil when missing
	err      error
}

// planEscapes scans t from start.
func planEscapes(p *Program, start htmlState) (*escPlan, error) {
	w := &walker{p: p, tpl: p.Tree, stack: map[string]bool{p.Tree.Name: true}, partials: map[string]*tree.Template{},
		plan: &escPlan{ctx: map[tree.Node]outCtx{}, cuts: map[*tree.Text][]cut{}, before: map[tree.Node]*urlGuard{}, incl: map[*tree.Include]htmlState{},
			recursive: map[*tree.Include]bool{}}}
	if start.v != nil {
		start.v = &valueRec{list: -1, kind: start.kind, attr: start.attr}
	}
	if start.name != nil || start.st == sTagName {
		// included inside an element name: the includer's data is a piece of it already
		start.name = &nameRec{prefix: start.tag, outs: []tree.Node{nil}}
	}
	end := w.list(p.Tree.Body, start)
	if w.err == nil && end.v != nil && end.v.zone && end.v.list >= 0 {
		w.fail(end.v.zonePos, fmt.Sprintf("the value of %s= that holds this data is not closed", end.v.attr),
			"close the attribute's quote in the same file")
	}
	w.plan.end = end
	return w.plan, w.err
}

func (w *walker) fail(pos tree.Pos, msg, hint string) {
	if w.err == nil {
		w.err = &diag.Error{File: w.tpl.Name, Line: pos.Line, Col: pos.Col, Msg: msg, Hint: hint, Source: w.tpl.Source, Rule: "escape"}
	}
}

// list scans one node list.
func (w *walker) list(nodes []tree.Node, st htmlState) htmlState {
	w.lists++
	id := w.lists
	for _, n := range nodes {
		if w.err != nil {
			return st
		}
		if x, ok := n.(*tree.Text); ok {
			st = w.text(x, id, st)
			continue
		}
		if st.st == sBeforeValue {
			// data starts an unquoted value
			st = w.open(st, id, nil, 0, n)
			st.st = sUnquoted
		}
		if v := st.v; v != nil && v.list == id {
			v.count++
			v.only = n
			v.post.Reset()
		}
		st = w.node(n, st)
	}
	return st
}

// data notes that a node writing data sits at st and returns the state after it.
func (w *walker) data(n tree.Node, st htmlState) htmlState {
	switch st.st {
	case sTagOpen, sTagName:
		if st.name == nil {
			st.name = &nameRec{prefix: st.tag}
		}
		st.name.outs = append(st.name.outs, n)
		st.name.suffix.Reset()
		if st.st == sTagOpen {
			st.st, st.tag = sTagName, ""
		}
	case sInTag, sAfterAttr:
		st.st, st.attr, st.nameData = sAttrName, "", true
	case sAttrName:
		st.nameData = true
	}
	return w.zone(n, st)
}

// zone notes data at st inside a URL value: when the static text has not settled the
// scheme, the value must be checked whole.
func (w *walker) zone(n tree.Node, st htmlState) htmlState {
	if v := st.v; v != nil && (v.kind == aURL || v.kind == aSrcset) {
		if st.scheme != schSettled || v.kind == aSrcset {
			if !v.zone {
				v.zone, v.zonePos = true, n.Position()
			}
			st.scheme = schData
		}
	}
	return st
}

func (w *walker) node(n tree.Node, st htmlState) htmlState {
	switch x := n.(type) {
	case *tree.Output, *tree.Cycle, *tree.Counter:
		w.plan.ctx[n] = ctxOf(st)
		return w.data(n, st)
	case *tree.Include:
		return w.include(x, st)
	case *tree.Capture:
		// the body renders into a variable, written (and escaped) where it is output
		w.list(x.Body, htmlState{})
		return st
	case *tree.Markdown:
		// the body is Markdown text; the HTML goldmark makes of it is well formed
		w.list(x.Body, htmlState{})
		return w.zone(n, st)
	case *tree.Block:
		return w.list(x.Body, st)
	case *tree.For:
		end := w.loop(n, x.Body, st)
		if x.Else != nil {
			end = w.join(n, end, w.list(x.Else.Body, st))
		}
		return end
	case *tree.Section:
		if x.Inverted {
			return w.join(n, st, w.list(x.Body, st))
		}
		return w.loop(n, x.Body, st)
	case *tree.If, *tree.Case, *tree.Segment, *tree.With, *tree.IfChanged, *tree.VariantOnly, *tree.Live:
		bodies := tree.Children(n)
		var end htmlState
		for i, b := range bodies {
			e := w.list(b, st)
			if i == 0 {
				end = e
			} else {
				end = w.join(n, end, e)
			}
		}
		if len(bodies) == 0 || !hasElse(n) {
			end = w.join(n, end, st)
		}
		return end
	}
	return st
}

// hasElse reports whether a conditional always renders one of its bodies.
func hasElse(n tree.Node) bool {
	switch x := n.(type) {
	case *tree.If:
		for _, b := range x.Branches {
			if b.Cond == nil {
				return true
			}
		}
	case *tree.Case:
		for _, wh := range x.Whens {
			if wh.Values == nil {
				return true
			}
		}
	case *tree.Segment:
		return x.Else != nil
	case *tree.With:
		return x.Else != nil
	}
	return false
}

// loop scans a body that may render any number of times.
func (w *walker) loop(n tree.Node, body []tree.Node, st htmlState) htmlState {
	first := w.list(body, st)
	if w.err != nil {
		return st
	}
	if !same(first, st) {
		w.fail(n.Position(), fmt.Sprintf("this loop's body starts in %s but ends in %s, so its next run could not be escaped", st.describe(), first.describe()),
			"close every tag, quote and attribute value the body opens inside the body")
		return st
	}
	j := w.join(n, st, first)
	return w.join(n, st, w.list(body, j))
}

// join merges the states two ways through a block can end in.
func (w *walker) join(n tree.Node, a, b htmlState) htmlState {
	if w.err != nil {
		return a
	}
	if !same(a, b) {
		w.fail(n.Position(), fmt.Sprintf("the ways through this block end in different places: %s and %s, so what follows could not be escaped", a.describe(), b.describe()),
			"close every tag, quote and attribute value a branch opens inside that branch (or open it in every branch)")
		return a
	}
	if a.scheme != b.scheme {
		a.scheme = schOpaque
	}
	a.query = a.query || b.query
	return a
}

// include scans a partial where it is included (a static name), so the includer carries on
// from where the partial really ends; each partial is compiled for the state it is included
// in (see Program.partial). A partial whose name is computed is compiled when it renders and
// must end where it starts. A partial that includes itself is taken to end where it starts.
func (w *walker) include(x *tree.Include, st htmlState) htmlState {
	w.plan.incl[x] = st
	st = w.zone(x, st)
	if x.Body != nil {
		if x.BodyFile != "" {
			outer := w.tpl
			w.tpl = &tree.Template{Name: x.BodyFile, Source: x.BodySource}
			defer func() { w.tpl = outer }()
		}
		if x.For {
			return w.loop(x, x.Body, st)
		}
		return w.list(x.Body, st)
	}
	lit, ok := x.Name.(*tree.Literal)
	if !ok || x.Dynamic || w.p.opt.Partial == nil {
		return st
	}
	name := fmt.Sprint(lit.Value)
	if w.stack[name] || len(w.stack) > 32 {
		w.plan.recursive[x] = true
		return st
	}
	t, ok := w.partials[name]
	if !ok {
		if pt, err := w.p.opt.Partial(name); err == nil {
			t = pt
		}
		w.partials[name] = t
	}
	if t == nil {
		return st // a missing partial is an error of its own, or renders nothing
	}
	w.stack[name] = true
	outer := w.tpl
	w.tpl = t
	var end htmlState
	if x.For {
		end = w.loop(x, t.Body, st)
	} else {
		end = w.list(t.Body, st)
	}
	w.tpl = outer
	delete(w.stack, name)
	return end
}

// ctxOf is the context of an output at st.
func ctxOf(st htmlState) outCtx {
	switch st.st {
	case sValue, sUnquoted, sBeforeValue:
		c := outCtx{kind: kAttr, unquoted: st.st != sValue}
		switch st.kind {
		case aURL:
			c.kind, c.query = kURL, st.query
		case aSrcset:
			c.kind, c.srcset = kURL, true
		case aCSS:
			c.kind = kCSS
		case aJS:
			c.kind = kJS
		}
		return c
	case sAttrName:
		return outCtx{kind: kName, tag: &tagCheck{prefix: st.attr}}
	case sInTag, sAfterAttr:
		return outCtx{kind: kName}
	case sTagOpen, sTagName:
		return outCtx{kind: kTag}
	case sRaw:
		switch st.tag {
		case "style":
			return outCtx{kind: kCSS}
		case "script":
			return outCtx{kind: kJS}
		}
	}
	return ctxText
}
