package vet

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// fixKind names a mechanical rewrite of a call into its env equivalent.
type fixKind int

const (
	fixNone  fixKind = iota
	fixNow           // time.Now() -> e.Clock().Now()
	fixSince         // time.Since(t) -> e.Clock().Now().Sub(t)
	fixUntil         // time.Until(t) -> t.Sub(e.Clock().Now())
	fixSleep         // time.Sleep(d) -> e.Clock().Sleep(ctx, d)
	fixRand          // rand.IntN(n) -> e.Rand().IntN(n)
)

// fixes returns the suggested fix of kind k for call, if one is mechanical
// here: the call is a call (not a function value) and exactly one env.Env
// (a variable, or else a variable's field) and, for Sleep, one
// context.Context are in scope.
func (c *checker) fixes(k fixKind, call *ast.CallExpr) []analysis.SuggestedFix {
	if k == fixNone || call == nil {
		return nil
	}
	e := c.envInScope(call.Pos())
	if e == "" {
		return nil
	}
	edits := c.fixEdits(k, call, e)
	if edits == nil {
		return nil
	}
	return []analysis.SuggestedFix{{Message: "use " + e + "'s " + fixSubject(k), TextEdits: edits}}
}

func fixSubject(k fixKind) string {
	if k == fixRand {
		return "Rand"
	}
	return "Clock"
}

func (c *checker) fixEdits(k fixKind, call *ast.CallExpr, e string) []analysis.TextEdit {
	fun := call.Fun
	switch k {
	case fixNow:
		return []analysis.TextEdit{replace(call.Pos(), call.End(), e+".Clock().Now()")}
	case fixSince:
		return []analysis.TextEdit{replace(fun.Pos(), fun.End(), e+".Clock().Now().Sub")}
	case fixUntil:
		if len(call.Args) != 1 || !isPrimary(call.Args[0]) {
			return nil
		}
		arg := call.Args[0]
		return []analysis.TextEdit{replace(call.Pos(), arg.Pos(), ""),
			replace(arg.End(), call.End(), ".Sub("+e+".Clock().Now())")}
	case fixSleep:
		ctx, _ := c.varInScope(call.Pos(), func(v *types.Var) string {
			if isNamed(v.Type(), "context", "Context") {
				return v.Name()
			}
			return ""
		})
		if ctx == "" {
			return nil
		}
		return []analysis.TextEdit{replace(fun.Pos(), call.Lparen+1, e+".Clock().Sleep("+ctx+", ")}
	case fixRand:
		sel, ok := fun.(*ast.SelectorExpr)
		if !ok {
			return nil
		}
		method, _, _ := strings.Cut(randUse[sel.Sel.Name], "(")
		return []analysis.TextEdit{replace(fun.Pos(), fun.End(), e+".Rand()."+method)}
	}
	return nil
}

func replace(pos, end token.Pos, text string) analysis.TextEdit {
	return analysis.TextEdit{Pos: pos, End: end, NewText: []byte(text)}
}

// isPrimary reports whether x can take a method call without parentheses.
func isPrimary(x ast.Expr) bool {
	switch x.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr, *ast.ParenExpr:
		return true
	}
	return false
}

// envInScope returns the expression for the one env.Env in scope at pos:
// a variable, or else the one env.Env field of a variable's struct (a
// method's receiver, typically); "" if there is none or more than one.
func (c *checker) envInScope(pos token.Pos) string {
	e, seen := c.varInScope(pos, func(v *types.Var) string {
		if isNamed(v.Type(), EnvPath, "Env") {
			return v.Name()
		}
		return ""
	})
	if seen {
		return e
	}
	e, _ = c.varInScope(pos, func(v *types.Var) string {
		if f := c.envField(v.Type()); f != "" {
			return v.Name() + "." + f
		}
		return ""
	})
	return e
}

// envField returns the name of the one env.Env field of t's struct (or
// *struct) that this package can see, or "".
func (c *checker) envField(t types.Type) string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	name := ""
	for f := range st.Fields() {
		if !isNamed(f.Type(), EnvPath, "Env") || !(f.Exported() || f.Pkg() == c.pass.Pkg) {
			continue
		}
		if name != "" {
			return ""
		}
		name = f.Name()
	}
	return name
}

// varInScope looks for the variables in scope at pos for which expr
// returns an expression, in the innermost scope that has any. It returns
// that expression if there is exactly one ("" if more), and whether there
// was any.
func (c *checker) varInScope(pos token.Pos, expr func(*types.Var) string) (string, bool) {
	inner := c.pass.Pkg.Scope().Innermost(pos)
	for s := inner; s != nil && s != c.pass.Pkg.Scope(); s = s.Parent() {
		var found []string
		for _, name := range s.Names() {
			v, ok := s.Lookup(name).(*types.Var)
			if !ok || v.Pos() >= pos {
				continue
			}
			x := expr(v)
			if _, obj := inner.LookupParent(name, pos); x != "" && obj == v {
				found = append(found, x)
			}
		}
		if len(found) == 1 {
			return found[0], true
		}
		if len(found) > 1 {
			return "", true
		}
	}
	return "", false
}
