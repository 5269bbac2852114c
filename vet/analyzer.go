package vet

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// EnvPath is the import path of the package whose Env marks code as
// simulated.
const EnvPath = "github.com/orrerysim/orrery/env"

const (
	simulatedMarker = "//orrery:simulated"
	allowMarker     = "//orrery:allow"
)

// exempt lists Orrery's own packages that implement Env, on the operating
// system or on the simulator, or run simulations: their job is to make the
// calls the analyzer reports. Their external tests (path_test) are exempt
// too.
var exempt = map[string]bool{
	"github.com/orrerysim/orrery":        true,
	EnvPath:                              true,
	EnvPath + "/realenv":                 true,
	"github.com/orrerysim/orrery/simenv": true,
}

func isExempt(path string) bool {
	return exempt[strings.TrimSuffix(path, "_test")]
}

// Analyzer reports code that escapes the simulation in simulated packages.
var Analyzer = &analysis.Analyzer{
	Name: "orrery",
	Doc: "report code that escapes the simulation\n\n" +
		"In packages that use env.Env (or carry an //orrery:simulated comment), and in " +
		"the functions of test files that the simulation calls (those that take an env.Env " +
		"or an *orrery.State or return an orrery.Driver, and what they call), " +
		"report wall-clock time, go statements, Go channels and select, blocking " +
		"sync locks, global math/rand, crypto/rand.Prime, os file and net calls, and " +
		"map iteration whose order reaches the outside, naming the env " +
		"equivalent. //orrery:allow <reason> on the line or the line above " +
		"silences a report.",
	URL:      "https://pkg.go.dev/github.com/orrerysim/orrery/vet",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
	// The result says whether the package held simulated code, so that
	// orrery vet can tell a clean run from one that checked nothing.
	ResultType: reflect.TypeFor[bool](),
}

// checker holds one pass's state: the lines each file allows, and the
// reports, held back to be made in order of position.
type checker struct {
	pass   *analysis.Pass
	allows map[*token.File]map[int]*allow
	diags  []analysis.Diagnostic
	// whole holds the files checked throughout; in the others, only the
	// regions are (the bodies of a test file's functions that take an
	// env.Env).
	whole   map[*token.File]bool
	regions map[*token.File][]region
}

// region is a span of a file that is checked.
type region struct{ pos, end token.Pos }

// allow is one //orrery:allow comment with a reason, and whether it
// silenced a report.
type allow struct {
	comment *ast.Comment
	used    bool
}

func run(pass *analysis.Pass) (any, error) {
	if isExempt(pass.Pkg.Path()) {
		return false, nil
	}
	c := &checker{pass: pass, allows: map[*token.File]map[int]*allow{}}
	if !c.findChecked() {
		return false, nil
	}
	var allows []*allow
	for _, f := range pass.Files {
		allows = append(allows, c.readAllows(f)...)
	}
	root := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector).Root()
	c.checkIdents(root)
	c.checkConcurrency(root)
	c.checkMapRanges(root)
	for _, a := range allows {
		if !a.used && c.checked(a.comment.Pos()) {
			c.diags = append(c.diags, analysis.Diagnostic{Pos: a.comment.Pos(), End: a.comment.End(),
				Message: "//orrery:allow silences nothing: there is no report on its line or the next"})
		}
	}
	slices.SortStableFunc(c.diags, func(a, b analysis.Diagnostic) int { return cmp.Compare(a.Pos, b.Pos) })
	for _, d := range c.diags {
		pass.Report(d)
	}
	return true, nil
}

// findChecked decides what the pass checks and reports whether that is
// anything. A package is simulated if a file other than a test is marked
// //orrery:simulated or uses env.Env in a function signature or a struct;
// then its files other than tests are checked throughout. A test file is
// checked throughout if it is marked itself, and otherwise only where it
// holds simulated code (see testRegions), not in the harness around it.
func (c *checker) findChecked() bool {
	c.whole = map[*token.File]bool{}
	simulated := false
	for _, f := range c.pass.Files {
		if !c.isTestFile(f) && (hasMarker(f) || usesEnv(c.pass.TypesInfo, f)) {
			simulated = true
		}
	}
	var tests []*ast.File
	for _, f := range c.pass.Files {
		switch {
		case c.isTestFile(f) && !hasMarker(f):
			tests = append(tests, f)
		case simulated || hasMarker(f):
			c.whole[c.pass.Fset.File(f.Pos())] = true
		}
	}
	c.regions = c.testRegions(tests)
	return len(c.whole) > 0 || len(c.regions) > 0
}

// checked reports whether the analyzer checks the code at pos.
func (c *checker) checked(pos token.Pos) bool {
	tf := c.pass.Fset.File(pos)
	if c.whole[tf] {
		return true
	}
	for _, r := range c.regions[tf] {
		if r.pos <= pos && pos < r.end {
			return true
		}
	}
	return false
}

func hasMarker(f *ast.File) bool {
	for _, g := range f.Comments {
		for _, c := range g.List {
			if strings.TrimSpace(c.Text) == simulatedMarker {
				return true
			}
		}
	}
	return false
}

func usesEnv(info *types.Info, f *ast.File) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncType:
			found = funcTypeMentions(info, n, isEnv)
		case *ast.StructType:
			found = fieldsMention(info, n.Fields, isEnv)
		}
		return !found
	})
	return found
}

// funcTypeMentions reports whether the type of a parameter or result of
// ft is one that match accepts (see mentions).
func funcTypeMentions(info *types.Info, ft *ast.FuncType, match func(*types.Named) bool) bool {
	return fieldsMention(info, ft.Params, match) || fieldsMention(info, ft.Results, match)
}

func fieldsMention(info *types.Info, fl *ast.FieldList, match func(*types.Named) bool) bool {
	if fl == nil {
		return false
	}
	for _, field := range fl.List {
		if mentions(info.TypeOf(field.Type), match) {
			return true
		}
	}
	return false
}

// isEnv reports whether n is env.Env.
func isEnv(n *types.Named) bool { return isNamed(n, EnvPath, "Env") }

// mentions reports whether t is a named type that match accepts, or a
// pointer, slice, array or map of one.
func mentions(t types.Type, match func(*types.Named) bool) bool {
	for t != nil {
		switch u := types.Unalias(t).(type) {
		case *types.Named:
			return match(u)
		case *types.Pointer:
			t = u.Elem()
		case *types.Slice:
			t = u.Elem()
		case *types.Array:
			t = u.Elem()
		case *types.Map:
			t = u.Elem()
		default:
			return false
		}
	}
	return false
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	return n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// readAllows records the lines of f that an //orrery:allow comment covers
// (its own and the next) and reports the allows that give no reason.
func (c *checker) readAllows(f *ast.File) []*allow {
	tf := c.pass.Fset.File(f.Pos())
	lines := map[int]*allow{}
	c.allows[tf] = lines
	var all []*allow
	for _, g := range f.Comments {
		for _, cm := range g.List {
			rest, ok := strings.CutPrefix(cm.Text, allowMarker)
			if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
				continue
			}
			if strings.TrimSpace(rest) == "" {
				if !c.checked(cm.Pos()) {
					continue
				}
				c.diags = append(c.diags, analysis.Diagnostic{Pos: cm.Pos(), End: cm.End(),
					Message: "//orrery:allow needs a reason: say why this line may escape the simulation"})
				continue
			}
			a := &allow{comment: cm}
			all = append(all, a)
			line := tf.Line(cm.Pos())
			lines[line] = a
			lines[line+1] = a
		}
	}
	return all
}

// report records msg at node n, to be reported in order of position,
// unless an //orrery:allow covers its line.
func (c *checker) report(n ast.Node, msg string, fixes ...analysis.SuggestedFix) {
	if !c.checked(n.Pos()) {
		return
	}
	tf := c.pass.Fset.File(n.Pos())
	if a := c.allows[tf][tf.Line(n.Pos())]; a != nil {
		a.used = true
		return
	}
	c.diags = append(c.diags, analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Message: msg, SuggestedFixes: fixes})
}

// isTestFile reports whether n is in a _test.go file.
func (c *checker) isTestFile(n ast.Node) bool {
	return strings.HasSuffix(c.pass.Fset.File(n.Pos()).Name(), "_test.go")
}
