package vet

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

const (
	outsideScheduler = "outside the simulation's scheduler"
	useChan          = "use env.NewChan and its Send, Recv and Close"
)

// checkConcurrency reports go statements, Go channel operations and select
// statements.
func (c *checker) checkConcurrency(root inspector.Cursor) {
	types := []ast.Node{(*ast.GoStmt)(nil), (*ast.SendStmt)(nil), (*ast.UnaryExpr)(nil),
		(*ast.SelectStmt)(nil), (*ast.RangeStmt)(nil), (*ast.CallExpr)(nil)}
	for cur := range root.Preorder(types...) {
		switch n := cur.Node().(type) {
		case *ast.GoStmt:
			c.report(n, "go statement starts a goroutine the simulation does not schedule: use e.Go(name, fn)")
		case *ast.SelectStmt:
			c.report(n, "select waits on Go channels "+outsideScheduler+": use env.Select(ctx, cases...) on env.NewChan channels")
		case *ast.SendStmt:
			if !inSelectCase(cur) {
				c.report(n, "send on a Go channel blocks "+outsideScheduler+": "+useChan)
			}
		case *ast.UnaryExpr:
			c.checkRecv(cur, n)
		case *ast.RangeStmt:
			if isChan(c.pass.TypesInfo.TypeOf(n.X)) {
				c.report(n, "range over a Go channel receives "+outsideScheduler+": "+useChan)
			}
		case *ast.CallExpr:
			c.checkChanBuiltin(n)
		}
	}
}

// checkRecv reports a receive from a Go channel, unless it is the
// communication of a select case (the select is reported).
func (c *checker) checkRecv(cur inspector.Cursor, n *ast.UnaryExpr) {
	if n.Op != token.ARROW || inSelectCase(cur) {
		return
	}
	if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && isCtxDone(c.pass.TypesInfo, call) {
		c.report(n, "receive from ctx.Done() blocks "+outsideScheduler+": use env.WaitDone")
		return
	}
	c.report(n, "receive from a Go channel blocks "+outsideScheduler+": "+useChan)
}

func (c *checker) checkChanBuiltin(call *ast.CallExpr) {
	info := c.pass.TypesInfo
	switch {
	case isBuiltin(info, call, "close") && len(call.Args) == 1 && isChan(info.TypeOf(call.Args[0])):
		c.report(call, "close of a Go channel wakes receivers "+outsideScheduler+": "+useChan)
	case isBuiltin(info, call, "make") && len(call.Args) > 0 && isChan(info.TypeOf(call.Args[0])):
		c.report(call, "make(chan) makes a Go channel, which blocks "+outsideScheduler+": use env.NewChan[T](e, capacity)")
	}
}

func isChan(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Chan)
	return ok
}

// isCtxDone reports whether call is ctx.Done() on a context.Context.
func isCtxDone(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Done" {
		return false
	}
	return isNamed(info.TypeOf(sel.X), "context", "Context")
}

// inSelectCase reports whether the statement or expression at cur is the
// communication of a select case.
func inSelectCase(cur inspector.Cursor) bool {
	for p := cur.Parent(); p.Valid(); p = p.Parent() {
		switch n := p.Node().(type) {
		case *ast.CommClause:
			return n.Comm != nil && n.Comm.Pos() <= cur.Node().Pos() && cur.Node().End() <= n.Comm.End()
		case *ast.ExprStmt, *ast.AssignStmt, *ast.ParenExpr:
			continue
		}
		return false
	}
	return false
}
