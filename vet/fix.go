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
// variable (and, for Sleep, one context.Context) is in scope.
func (c *checker) fixes(k fixKind, call *ast.CallExpr) []analysis.SuggestedFix {
	if k == fixNone || call == nil {
		return nil
	}
	e := c.varInScope(call.Pos(), func(t types.Type) bool { return isNamed(t, EnvPath, "Env") })
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
		ctx := c.varInScope(call.Pos(), func(t types.Type) bool { return isNamed(t, "context", "Context") })
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

// varInScope returns the name of the one variable of the innermost scope
// at pos that has a variable whose type satisfies want, or "" if there is
// none or more than one.
func (c *checker) varInScope(pos token.Pos, want func(types.Type) bool) string {
	inner := c.pass.Pkg.Scope().Innermost(pos)
	for s := inner; s != nil && s != c.pass.Pkg.Scope(); s = s.Parent() {
		var found []string
		for _, name := range s.Names() {
			v, ok := s.Lookup(name).(*types.Var)
			if !ok || v.Pos() >= pos || !want(v.Type()) {
				continue
			}
			if _, obj := inner.LookupParent(name, pos); obj == v {
				found = append(found, name)
			}
		}
		if len(found) == 1 {
			return found[0]
		}
		if len(found) > 1 {
			return ""
		}
	}
	return ""
}
