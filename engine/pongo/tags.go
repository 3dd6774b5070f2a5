package pongo

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/flosch/pongo2/v6"
	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/tree"
)

// The generated pongo2 source uses three tags, registered once in init (pongo2's registries
// are global and unlocked):
//
//	{% mm U N %}                                    leaf node N of compile unit U
//	{% mm_block U N %}body{% mm_br %}body{% mm_end %} block node N with its bodies
//
// U identifies the compile in progress (units are registered only while pongo2 parses the
// generated source), N indexes the unit's node table. The tag parsers bind each pongo2 node
// to its executor once, so rendering never looks anything up by number.
func init() {
	must(pongo2.RegisterTag("mm", parseLeaf))
	must(pongo2.RegisterTag("mm_block", parseBlock))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

var (
	unitSeq atomic.Int64
	units   sync.Map // int64 → *unit
)

// stateKey is the pongo2 context key holding the per-render *eval.State.
const stateKey = "mm"

// executor runs one tree node. bodies are the node's pongo2 bodies in source order.
type executor interface {
	exec(r run, bodies []*pongo2.NodeWrapper) error
}

// run is what one executor call needs: the state, the pongo2 context and the writer.
type run struct {
	s   *eval.State
	ctx *pongo2.ExecutionContext
	w   pongo2.TemplateWriter
	n   *pnode // the node running: its program and its file
	// inline is the body of a partial expanded in place, run instead of the partial program
	inline *pongo2.NodeWrapper
}

// body executes a pongo2 body into w.
func (r *run) body(b *pongo2.NodeWrapper, w pongo2.TemplateWriter) error {
	if err := b.Execute(r.ctx, w); err != nil {
		return unwrapPongo(err)
	}
	return nil
}

// branch executes a conditional branch or loop body; under a trace its output is also
// reported with the branch's position.
func (r *run) branch(b *pongo2.NodeWrapper, pos tree.Pos, tag string) error {
	if r.s.Trace == nil {
		return r.body(b, r.w)
	}
	out, err := r.capture(b)
	r.s.Trace(eval.BranchHit{File: r.n.at.name, Pos: pos, Tag: tag, Output: out})
	if _, werr := r.w.WriteString(out); err == nil {
		err = werr
	}
	return err
}

// pnode is the pongo2 node for one of our tree nodes.
type pnode struct {
	ex     executor
	p      *Program
	pos    tree.Pos
	at     *srcFile
	bodies []*pongo2.NodeWrapper
}

func (n *pnode) Execute(ctx *pongo2.ExecutionContext, w pongo2.TemplateWriter) (perr *pongo2.Error) {
	s, _ := ctx.Public[stateKey].(*eval.State)
	if s == nil {
		return &pongo2.Error{Sender: "mailmold", OrigError: errors.New("render state missing")}
	}
	defer func() {
		// a panic in a filter, a value or pongo2 stops this render with this node's position
		if r := recover(); r != nil {
			perr = &pongo2.Error{Sender: "mailmold", OrigError: &diag.Error{File: n.at.name, Line: n.pos.Line, Col: n.pos.Col,
				Source: n.at.src, Rule: "render", Msg: fmt.Sprintf("internal error: %v", r),
				Hint: "this is a bug in mailmold or a filter: please report it with the template and the profile"}}
		}
	}()
	if err := n.ex.exec(run{s: s, ctx: ctx, w: w, n: n}, n.bodies); err != nil {
		return &pongo2.Error{Sender: "mailmold", OrigError: n.anywhere(n.position(err))}
	}
	return nil
}

// anywhere gives any other error without a position (a failing value or argument) the
// position of the node that returned it, so every render error reads path:line:col.
func (n *pnode) anywhere(err error) error {
	var de *diag.Error
	if err == errBreak || err == errContinue {
		return err
	}
	if errors.As(err, &de) {
		if de.Hint == "" && de.Rule == "render" {
			de.Hint = "the value here comes from the profile: check the data, or guard it with {% if %} or a default"
		}
		return err
	}
	return &diag.Error{File: n.at.name, Line: n.pos.Line, Col: n.pos.Col, Msg: err.Error(), Source: n.at.src, Rule: "render", Err: err,
		Hint: "the value at this tag does not fit what it needs: check the profile data, or give it a default"}
}

// position gives a limit error the position of the node it stopped in (the innermost one:
// an error that already has a position keeps it).
func (n *pnode) position(err error) error {
	var le *eval.LimitError
	var de *diag.Error
	if !errors.As(err, &le) || errors.As(err, &de) {
		return err
	}
	return &diag.Error{File: n.at.name, Line: n.pos.Line, Col: n.pos.Col, Msg: err.Error(), Source: n.at.src, Rule: "limit", Err: err,
		Hint: le.Hint()}
}

func unitNode(args *pongo2.Parser) (*unit, int, *pongo2.Error) {
	ut := args.MatchType(pongo2.TokenNumber)
	nt := args.MatchType(pongo2.TokenNumber)
	if ut == nil || nt == nil {
		return nil, 0, args.Error("mailmold tag needs a unit and a node number", nil)
	}
	uid, _ := strconv.ParseInt(ut.Val, 10, 64)
	nid, _ := strconv.Atoi(nt.Val)
	u, ok := units.Load(uid)
	if !ok || nid < 0 || nid >= len(u.(*unit).nodes) {
		return nil, 0, args.Error("mailmold tag refers to an unknown node", nil)
	}
	return u.(*unit), nid, nil
}

func parseLeaf(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	u, n, err := unitNode(args)
	if err != nil {
		return nil, err
	}
	return &pnode{ex: u.nodes[n], p: u.prog, pos: u.pos[n], at: u.at[n]}, nil
}

func parseBlock(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	u, n, err := unitNode(args)
	if err != nil {
		return nil, err
	}
	node := &pnode{ex: u.nodes[n], p: u.prog, pos: u.pos[n], at: u.at[n]}
	for {
		w, _, err := doc.WrapUntilTag("mm_br", "mm_end")
		if err != nil {
			return nil, err
		}
		node.bodies = append(node.bodies, w)
		if w.Endtag == "mm_end" {
			return node, nil
		}
	}
}

// unwrapPongo returns the error our executor put into a *pongo2.Error, or the pongo2 error.
func unwrapPongo(err error) error {
	var pe *pongo2.Error
	if errors.As(err, &pe) && pe.OrigError != nil && pe.Sender == "mailmold" {
		return pe.OrigError
	}
	return err
}
