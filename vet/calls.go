package vet

import (
	"go/ast"
	"go/types"
	"maps"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// checkIdents reports every use of a function, method or variable that
// rules lists, whether called or taken as a value.
func (c *checker) checkIdents(root inspector.Cursor) {
	for cur := range root.Preorder((*ast.Ident)(nil)) {
		id := cur.Node().(*ast.Ident)
		obj := c.pass.TypesInfo.Uses[id]
		if obj == nil || obj.Pkg() == nil {
			continue
		}
		name, r, ok := c.ruleFor(obj, id)
		if !ok {
			continue
		}
		node, call := useSite(cur)
		msg := name + " " + r.why + ": use " + r.use
		c.report(node, msg, c.fixes(r.fix, call)...)
	}
}

// ruleFor returns the qualified name of obj and the rule that reports it.
func (c *checker) ruleFor(obj types.Object, id *ast.Ident) (string, rule, bool) {
	path := obj.Pkg().Path()
	pkgRules, ok := rules[path]
	if !ok {
		return "", rule{}, false
	}
	key, ok := ruleKey(obj)
	if !ok {
		return "", rule{}, false
	}
	name := path + "." + key
	switch path {
	case "crypto/rand":
		if !cryptoUncaptured[key] || c.isTestFile(id) {
			return "", rule{}, false
		}
		return name, cryptoRule, true
	case "math/rand", "math/rand/v2":
		if _, isFunc := obj.(*types.Func); !isFunc || randSafe[key] || strings.Contains(key, ".") {
			return "", rule{}, false
		}
		return name, randRule(key), true
	}
	r, ok := pkgRules[key]
	return name, r, ok
}

// ruleKey names obj as rules does: Name for a package-level object,
// Type.Method for a method of a named type, Type.Field for a field of one.
func ruleKey(obj types.Object) (string, bool) {
	if v, ok := obj.(*types.Var); ok && v.IsField() {
		return fieldKey(v)
	}
	fn, ok := obj.(*types.Func)
	if !ok {
		return obj.Name(), obj.Parent() == obj.Pkg().Scope()
	}
	recv := fn.Signature().Recv()
	if recv == nil {
		return fn.Name(), true
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return "", false
	}
	return named.Obj().Name() + "." + fn.Name(), true
}

// useSite returns the expression naming the object at cur (the selector
// pkg.Name or x.Method, or the identifier itself) and the call it is the
// function of, if any.
func useSite(cur inspector.Cursor) (ast.Node, *ast.CallExpr) {
	var node ast.Expr = cur.Node().(*ast.Ident)
	parent := cur.Parent()
	if sel, ok := parent.Node().(*ast.SelectorExpr); ok && sel.Sel == node {
		node = sel
		parent = parent.Parent()
	}
	if call, ok := parent.Node().(*ast.CallExpr); ok && call.Fun == node {
		return node, call
	}
	return node, nil
}

// callee returns the function or method a call invokes (an interface
// method included), or nil.
func callee(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn
}

// isBuiltin reports whether call calls the builtin name.
func isBuiltin(info *types.Info, call *ast.CallExpr, name string) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}

// funcIn reports whether fn is a package-level function of pkg named one
// of names.
func funcIn(fn *types.Func, pkg string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkg || fn.Signature().Recv() != nil {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// fieldKey names a struct field Type.Field, when a rule of its package
// names a field so called; the search of the package's types is skipped
// for every other field.
func fieldKey(v *types.Var) (string, bool) {
	suffix := "." + v.Name()
	if !slices.ContainsFunc(slices.Collect(maps.Keys(rules[v.Pkg().Path()])), func(k string) bool { return strings.HasSuffix(k, suffix) }) {
		return "", false
	}
	scope := v.Pkg().Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		if st, ok := tn.Type().Underlying().(*types.Struct); ok {
			for f := range st.Fields() {
				if f == v {
					return name + suffix, true
				}
			}
		}
	}
	return "", false
}
