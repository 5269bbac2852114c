package vet

import (
	"go/ast"
	"go/token"
	"go/types"
)

// orreryPath is the import path of the package whose State (an
// invariant's argument) and Driver (what a workload's New returns) mark the
// functions of a test file that the simulation calls.
const orreryPath = "github.com/orrerysim/orrery"

// testRegions returns the parts of the test files of the pass that are
// simulated code, by file: the bodies of the functions and function
// literals that take or return an env.Env, an *orrery.State or an
// orrery.Driver (processes, workloads, invariants, a workload's New), and
// of the functions of the package those call or refer to, transitively.
// What only the test functions reach (the harness: Test, Benchmark, Fuzz,
// Example and their helpers) is not simulated code.
func (c *checker) testRegions(tests []*ast.File) map[*token.File][]region {
	regions := map[*token.File][]region{}
	add := func(body *ast.BlockStmt) {
		tf := c.pass.Fset.File(body.Pos())
		if !c.whole[tf] {
			regions[tf] = append(regions[tf], region{body.Pos(), body.End()})
		}
	}
	var work []*ast.BlockStmt
	for _, f := range tests {
		for _, body := range simulatedBodies(c.pass.TypesInfo, f) {
			add(body)
			work = append(work, body)
		}
	}
	decls := c.funcDecls()
	seen := map[*ast.BlockStmt]bool{}
	for len(work) > 0 {
		body := work[len(work)-1]
		work = work[:len(work)-1]
		for _, callee := range referredBodies(c.pass.TypesInfo, decls, body) {
			if !seen[callee] && !contains(body, callee) {
				seen[callee] = true
				add(callee)
				work = append(work, callee)
			}
		}
	}
	return regions
}

// funcDecls maps the functions and methods declared in the pass's files to
// their bodies.
func (c *checker) funcDecls() map[*types.Func]*ast.BlockStmt {
	decls := map[*types.Func]*ast.BlockStmt{}
	for _, f := range c.pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := c.pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd.Body
				}
			}
		}
	}
	return decls
}

// referredBodies returns the bodies, among decls, of the functions and
// methods that body calls or refers to.
func referredBodies(info *types.Info, decls map[*types.Func]*ast.BlockStmt, body *ast.BlockStmt) []*ast.BlockStmt {
	var out []*ast.BlockStmt
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if fn, ok := info.Uses[id].(*types.Func); ok && decls[fn.Origin()] != nil {
				out = append(out, decls[fn.Origin()])
			}
		}
		return true
	})
	return out
}

// contains reports whether inner lies within outer (a recursive call, or
// a closure's own function).
func contains(outer, inner *ast.BlockStmt) bool {
	return outer.Pos() <= inner.Pos() && inner.End() <= outer.End()
}

// simulatedBodies returns the bodies of the functions and function
// literals of f whose signature mentions an env.Env, an *orrery.State or
// an orrery.Driver.
func simulatedBodies(info *types.Info, f *ast.File) []*ast.BlockStmt {
	var out []*ast.BlockStmt
	ast.Inspect(f, func(n ast.Node) bool {
		var ft *ast.FuncType
		var body *ast.BlockStmt
		switch n := n.(type) {
		case *ast.FuncDecl:
			ft, body = n.Type, n.Body
		case *ast.FuncLit:
			ft, body = n.Type, n.Body
		default:
			return true
		}
		if body == nil || !funcTypeMentions(info, ft, isSimulationType) {
			return true
		}
		out = append(out, body)
		return false // the body is checked whole
	})
	return out
}

// isSimulationType reports whether n is a type through which the
// simulation calls a function: env.Env, orrery.State or orrery.Driver.
func isSimulationType(n *types.Named) bool {
	return isNamed(n, EnvPath, "Env") || isNamed(n, orreryPath, "State") || isNamed(n, orreryPath, "Driver")
}
