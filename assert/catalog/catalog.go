// Package catalog finds the assertion call sites of Go source, reached or
// not, by parsing it: a run's results only name the assertions it
// evaluated, and the catalog adds those it never reached, as results never
// evaluated that assert.Missing can judge. It is a tool of the harness
// (orrerytest, cli), kept out of package assert so that code calling
// assert.Always does not link the Go parser.
package catalog

import (
	"bytes"
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/internal/callsite"
)

// importPath is package assert's import path, which Find looks for.
const importPath = "github.com/orrerysim/orrery/assert"

// Site is one assertion call in the source, as Find finds it.
type Site struct {
	// Message is the message literal, or the source of the expression when
	// it is not a string literal (then Dynamic is set).
	Message  string
	Func     string // the function called: "AlwaysLessThan"
	Kind     assert.Kind
	Location string // "dir/file.go:line", as Result.Location gives it
	Dynamic  bool   // the message is computed: the site cannot be matched to results
}

// Find lists every assertion call site in the Go files under dir, by
// parsing them: a run's results only name the assertions it evaluated, and
// the catalog adds those it never reached (see Results and assert.Missing).
// Like the go command, it skips directories named testdata or vendor and
// those whose name starts with "." or "_", below dir. Calls are recognized
// through the file's import of package assert, renamed or dot-imported too.
// Sites are sorted by message, then by file and line.
func Find(dir string) ([]Site, error) {
	root, err := filepath.Abs(dir) // locations keep a directory, as at run time
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", dir, err)
	}
	var sites []Site
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		found, err := catalogFile(fset, path, nil)
		sites = append(sites, found...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", dir, err)
	}
	sortSites(sites)
	return sites, nil
}

func skipDir(name string) bool {
	return name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// catalogFile lists the assertion calls of one file; src, if not nil, is
// its content.
func catalogFile(fset *token.FileSet, path string, src any) ([]Site, error) {
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	name, ok := localName(f)
	if !ok {
		return nil, nil
	}
	var sites []Site
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if o := calledOp(call.Fun, name); o != nil {
				sites = append(sites, newSite(fset, call, o))
			}
		}
		return true
	})
	return sites, nil
}

// localName returns the name under which f imports package assert: "." for
// a dot import; ok is false when f does not import it.
func localName(f *ast.File) (name string, ok bool) {
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path != importPath {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name, imp.Name.Name != "_"
		}
		return "assert", true
	}
	return "", false
}

// calledOp returns the assertion that fun names, or nil: pkg.Func,
// pkg.Func[T], or Func under a dot import.
func calledOp(fun ast.Expr, pkg string) *assert.Func {
	switch x := fun.(type) {
	case *ast.IndexExpr:
		return calledOp(x.X, pkg)
	case *ast.IndexListExpr:
		return calledOp(x.X, pkg)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == pkg {
			return lookup(x.Sel.Name)
		}
	case *ast.Ident:
		if pkg == "." {
			return lookup(x.Name)
		}
	}
	return nil
}

// lookup returns the assertion function called name, or nil.
func lookup(name string) *assert.Func {
	if f, ok := assert.LookupFunc(name); ok {
		return &f
	}
	return nil
}

func newSite(fset *token.FileSet, call *ast.CallExpr, o *assert.Func) Site {
	pos := fset.Position(call.Lparen) // where the compiler puts a call, for runtime.Caller
	s := Site{Func: o.Name, Kind: o.Kind,
		Location: callsite.ShortPath(filepath.ToSlash(pos.Filename)) + ":" + strconv.Itoa(pos.Line)}
	if o.MsgArg >= len(call.Args) {
		s.Message, s.Dynamic = "", true // a call that does not compile
		return s
	}
	arg := call.Args[o.MsgArg]
	if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		if msg, err := strconv.Unquote(lit.Value); err == nil {
			s.Message = msg
			return s
		}
	}
	s.Message, s.Dynamic = exprString(fset, arg), true
	return s
}

// exprString is the source of x, in one line: go/printer, not go/types,
// which a simulation binary with a catalog flag would link for this alone.
func exprString(fset *token.FileSet, x ast.Expr) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, x); err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func sortSites(sites []Site) {
	slices.SortFunc(sites, func(a, b Site) int {
		af, al := splitLocation(a.Location)
		bf, bl := splitLocation(b.Location)
		return cmp.Or(strings.Compare(a.Message, b.Message), strings.Compare(af, bf), cmp.Compare(al, bl))
	})
}

func splitLocation(loc string) (file string, line int) {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc, 0
	}
	line, _ = strconv.Atoi(loc[i+1:])
	return loc[:i], line
}

// Results turns the call sites that Find found into results that were
// never evaluated, to merge with the results of a run (assert.Merge): then
// assert.Missing also lists the assertions that no seed reached. Sites
// whose message is not a literal are left out.
func Results(sites []Site) []assert.Result {
	var out []assert.Result
	for _, s := range sites {
		if !s.Dynamic {
			out = append(out, assert.Result{Message: s.Message, Kind: s.Kind, Location: s.Location})
		}
	}
	return out
}
