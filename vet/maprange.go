package vet

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
)

// checkMapRanges reports a range over a map (or over maps.Keys, Values or
// All) whose body does something that depends on the order of iteration,
// which Go randomises on every run.
func (c *checker) checkMapRanges(root inspector.Cursor) {
	for cur := range root.Preorder((*ast.RangeStmt)(nil)) {
		rs := cur.Node().(*ast.RangeStmt)
		what, ok := c.mapIteration(rs.X)
		if !ok {
			continue
		}
		l := &mapLoop{c: c, rs: rs, fn: enclosingBody(cur), taint: map[types.Object]bool{}}
		l.taintVar(rs.Key)
		l.taintVar(rs.Value)
		if effect := l.orderedEffect(); effect != "" {
			c.report(rs, "range over "+what+" visits entries in random order, and the loop "+effect+
				": range over the sorted keys (slices.Sorted(maps.Keys(m)))")
		}
	}
}

// mapIteration says what x is if ranging over it follows map order.
func (c *checker) mapIteration(x ast.Expr) (string, bool) {
	info := c.pass.TypesInfo
	if t := info.TypeOf(x); t != nil {
		if _, ok := t.Underlying().(*types.Map); ok {
			return "a map", true
		}
	}
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	if !ok {
		return "", false
	}
	if fn := callee(info, call); funcIn(fn, "maps", "Keys", "Values", "All") {
		return "maps." + fn.Name(), true
	}
	return "", false
}

// enclosingBody returns the body of the function that contains cur.
func enclosingBody(cur inspector.Cursor) *ast.BlockStmt {
	for p := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch fn := p.Node().(type) {
		case *ast.FuncDecl:
			return fn.Body
		case *ast.FuncLit:
			return fn.Body
		}
	}
	return nil
}

// mapLoop is one range over a map being checked. taint holds the variables
// whose value depends on the entry being visited.
type mapLoop struct {
	c     *checker
	rs    *ast.RangeStmt
	fn    *ast.BlockStmt
	taint map[types.Object]bool
}

func (l *mapLoop) taintVar(x ast.Expr) {
	id, ok := x.(*ast.Ident)
	if !ok {
		return
	}
	if obj := l.c.pass.TypesInfo.ObjectOf(id); obj != nil {
		l.taint[obj] = true
	}
}

// orderedEffect describes the first thing the loop body does whose result
// depends on iteration order, or returns "".
func (l *mapLoop) orderedEffect() string {
	var effect, pick string
	exits := false
	ast.Inspect(l.rs.Body, func(n ast.Node) bool {
		if effect != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			effect = l.assignEffect(n)
			if p := l.pickEffect(n); p != "" && pick == "" {
				pick = p
			}
		case *ast.ValueSpec:
			l.taintSpec(n)
		case *ast.SendStmt:
			effect = "sends on a channel"
		case *ast.ReturnStmt:
			exits = true
			if l.mentionsTaint(n) {
				effect = "returns a value that depends on which entry comes first"
			}
		case *ast.BranchStmt:
			exits = exits || n.Tok == token.BREAK
		case *ast.CallExpr:
			effect = l.callEffect(n)
		}
		return true
	})
	if effect == "" && exits && pick != "" {
		effect = pick + " and stops at the first match"
	}
	return effect
}

// assignEffect reports an append (or string concatenation) onto a variable
// declared outside the loop, unless the result is sorted afterwards. It
// also propagates taint to variables defined from tainted values.
func (l *mapLoop) assignEffect(as *ast.AssignStmt) string {
	if as.Tok == token.DEFINE || as.Tok == token.ASSIGN {
		for i, lhs := range as.Lhs {
			if (len(as.Rhs) == len(as.Lhs) && l.mentionsTaint(as.Rhs[i])) || (len(as.Rhs) == 1 && l.mentionsTaint(as.Rhs[0])) {
				if id, ok := lhs.(*ast.Ident); ok && !l.outside(id) {
					l.taintVar(id)
				}
			}
		}
	}
	for i, lhs := range as.Lhs {
		if !l.outside(lhs) || l.keyedByEntry(lhs) {
			continue
		}
		if as.Tok == token.ADD_ASSIGN && isString(l.c.pass.TypesInfo.TypeOf(lhs)) && !l.sortedLater(lhs) {
			return "concatenates onto " + types.ExprString(lhs)
		}
		if len(as.Rhs) != len(as.Lhs) {
			continue
		}
		if call, ok := as.Rhs[i].(*ast.CallExpr); ok && isBuiltin(l.c.pass.TypesInfo, call, "append") && !l.sortedLater(lhs) {
			return "appends to " + types.ExprString(lhs)
		}
	}
	return ""
}

// pickEffect reports an assignment of an entry-dependent value to a
// variable declared outside the loop: order matters if the loop then exits.
func (l *mapLoop) pickEffect(as *ast.AssignStmt) string {
	if as.Tok != token.ASSIGN {
		return ""
	}
	for i, lhs := range as.Lhs {
		if l.outside(lhs) && len(as.Rhs) == len(as.Lhs) && l.mentionsTaint(as.Rhs[i]) {
			return "keeps the entry's value in " + types.ExprString(lhs)
		}
	}
	return ""
}

func (l *mapLoop) taintSpec(vs *ast.ValueSpec) {
	for i, name := range vs.Names {
		if (len(vs.Values) == len(vs.Names) && l.mentionsTaint(vs.Values[i])) || (len(vs.Values) == 1 && l.mentionsTaint(vs.Values[0])) {
			l.taintVar(name)
		}
	}
}

// callEffect reports a call whose effect follows the order of calls: a
// write, a print or log record, a send on an env channel, a task start.
func (l *mapLoop) callEffect(call *ast.CallExpr) string {
	fn := callee(l.c.pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() == "testing" {
		return ""
	}
	name, pkg := fn.Name(), fn.Pkg().Path()
	recv := ""
	if r := fn.Signature().Recv(); r != nil {
		recv = types.TypeString(r.Type(), nil)
	}
	switch {
	case pkg == EnvPath && (name == "Send" || name == "TrySend"):
		return "sends on a channel"
	case pkg == EnvPath && name == "Go":
		return "starts a task"
	case pkg == "log/slog" && isLogLevel(name):
		return "logs (" + name + ")"
	case pkg == "log" && recv == "":
		return "logs (log." + name + ")"
	case hasAnyPrefix(name, "Write", "Print", "Fprint", "Log") && !l.writesLocal(call, fn):
		return "writes (" + name + ")"
	}
	return ""
}

// writesLocal reports whether a write goes to something made inside the
// loop (the method's receiver, or Fprint's writer): a buffer per entry
// does not record the order of entries.
func (l *mapLoop) writesLocal(call *ast.CallExpr, fn *types.Func) bool {
	var dst ast.Expr
	switch {
	case fn.Signature().Recv() != nil:
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			dst = sel.X
		}
	case strings.HasPrefix(fn.Name(), "Fprint") && len(call.Args) > 0:
		dst = call.Args[0]
	}
	return dst != nil && l.inside(dst)
}

func isLogLevel(name string) bool {
	base := strings.TrimSuffix(name, "Context")
	switch base {
	case "Debug", "Info", "Warn", "Error", "Log", "LogAttrs":
		return true
	}
	return false
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// mentionsTaint reports whether n uses a variable that depends on the entry.
func (l *mapLoop) mentionsTaint(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && l.taint[l.c.pass.TypesInfo.Uses[id]] {
			found = true
		}
		return !found
	})
	return found
}

// outside reports whether the variable x stores into (x itself, or the
// root of a field, index or dereference) is declared outside the loop.
func (l *mapLoop) outside(x ast.Expr) bool {
	obj := l.rootVar(x)
	return obj != nil && (obj.Pos() < l.rs.Pos() || obj.Pos() >= l.rs.End())
}

// inside reports whether x is rooted in a variable declared in the loop.
func (l *mapLoop) inside(x ast.Expr) bool {
	obj := l.rootVar(x)
	return obj != nil && l.rs.Pos() <= obj.Pos() && obj.Pos() < l.rs.End()
}

// rootVar returns the variable at the root of x (through fields, indexes,
// dereferences and &), or nil.
func (l *mapLoop) rootVar(x ast.Expr) *types.Var {
	for {
		switch e := x.(type) {
		case *ast.SelectorExpr:
			x = e.X
		case *ast.IndexExpr:
			x = e.X
		case *ast.StarExpr:
			x = e.X
		case *ast.ParenExpr:
			x = e.X
		case *ast.UnaryExpr:
			if e.Op != token.AND {
				return nil
			}
			x = e.X
		case *ast.Ident:
			obj, _ := l.c.pass.TypesInfo.ObjectOf(e).(*types.Var)
			return obj
		default:
			return nil
		}
	}
}

// keyedByEntry reports whether x is m[k] with k the loop's key: each entry
// then appends to its own slice, in an order that does not matter.
func (l *mapLoop) keyedByEntry(x ast.Expr) bool {
	ix, ok := x.(*ast.IndexExpr)
	if !ok {
		return false
	}
	id, ok := ix.Index.(*ast.Ident)
	key, _ := l.rs.Key.(*ast.Ident)
	return ok && key != nil && l.c.pass.TypesInfo.Uses[id] == l.c.pass.TypesInfo.ObjectOf(key)
}

// sortedLater reports whether the function sorts x after the loop, as in
// the idiom "collect the keys, sort them, range over them".
func (l *mapLoop) sortedLater(x ast.Expr) bool {
	if l.fn == nil {
		return false
	}
	want := types.ExprString(x)
	sorted := false
	ast.Inspect(l.fn, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if sorted || !ok || call.Pos() < l.rs.End() || len(call.Args) == 0 || !isSort(callee(l.c.pass.TypesInfo, call)) {
			return !sorted
		}
		ast.Inspect(call.Args[0], func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok && types.ExprString(e) == want {
				sorted = true
			}
			return !sorted
		})
		return !sorted
	})
	return sorted
}

func isSort(fn *types.Func) bool {
	return funcIn(fn, "sort", "Sort", "Stable", "Slice", "SliceStable", "Strings", "Ints", "Float64s") ||
		funcIn(fn, "slices", "Sort", "SortFunc", "SortStableFunc")
}
