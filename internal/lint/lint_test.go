package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// simulated lists the directories, relative to the module's root, of the
// packages whose code runs inside a simulation.
var simulated = []string{"sim", "simenv", "netsim", "disksim", "chaos", "assert", "env", "trace"}

// goAllowed lists the files whose go statements are part of the design: the
// watched loop runs on a goroutine of its own.
var goAllowed = map[string]bool{"sim/watch.go": true}

// importAllowed lists the files that import a banned package by design:
// sim/cryptorand.go replaces crypto/rand.Reader with the seeded reader.
var importAllowed = map[string]string{"sim/cryptorand.go": "crypto/rand"}

// Calls that read the wall clock or an unseeded random source.
var bannedCalls = map[string]map[string]bool{
	"time": {"Now": true, "Sleep": true, "Since": true, "Until": true, "After": true,
		"Tick": true, "NewTimer": true, "NewTicker": true, "AfterFunc": true},
	"math/rand/v2": {"Int": true, "IntN": true, "Int32": true, "Int32N": true, "Int64": true,
		"Int64N": true, "Uint32": true, "Uint32N": true, "Uint64": true, "Uint64N": true, "UintN": true,
		"Uint": true, "Float32": true, "Float64": true, "ExpFloat64": true, "NormFloat64": true,
		"Perm": true, "Shuffle": true, "N": true},
}

// bannedImports are packages whose every use is unseeded (math/rand's
// global source, crypto/rand).
var bannedImports = map[string]bool{"math/rand": true, "crypto/rand": true}

func TestSimulatedPackagesAvoidNondeterminism(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	for _, dir := range simulated {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			name := dir + "/" + filepath.Base(path)
			for _, problem := range lintFile(fset, f, goAllowed[name]) {
				if imp := importAllowed[name]; imp == "" || !strings.HasSuffix(problem, ": imports "+imp) {
					t.Error(problem)
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: no Go files to check (moved? update the list)", dir)
		}
	}
}

// lintFile returns the file's uses of banned imports and calls, and its go
// statements unless goOK.
func lintFile(fset *token.FileSet, f *ast.File, goOK bool) []string {
	var problems []string
	local := map[string]string{} // import name -> path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if bannedImports[path] {
			problems = append(problems, fset.Position(imp.Pos()).String()+": imports "+path)
		}
		local[importName(imp, path)] = path
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && bannedCalls[local[id.Name]][n.Sel.Name] {
				problems = append(problems, fset.Position(n.Pos()).String()+": uses "+local[id.Name]+"."+n.Sel.Name)
			}
		case *ast.GoStmt:
			if !goOK {
				problems = append(problems, fset.Position(n.Pos()).String()+": starts a goroutine outside the scheduler")
			}
		}
		return true
	})
	return problems
}

// importName is the name a file refers to an import by.
func importName(imp *ast.ImportSpec, path string) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	if path == "math/rand/v2" {
		return "rand"
	}
	return path[strings.LastIndex(path, "/")+1:]
}

func TestLintFindsBannedCalls(t *testing.T) {
	tests := []struct {
		name string
		body string
		goOK bool
		want []string // substrings of the problems, in order
	}{
		{"clock", `import "time"
func f() { _ = time.Now(); time.Sleep(1); _ = time.Duration(1) }`, false,
			[]string{"uses time.Now", "uses time.Sleep"}},
		{"renamed clock", `import t "time"
func f() { <-t.After(1) }`, false, []string{"uses time.After"}},
		{"global rand v2", `import mr "math/rand/v2"
func f() { _ = mr.IntN(3); _ = mr.New(mr.NewPCG(1, 2)) }`, false, []string{"uses math/rand/v2.IntN"}},
		{"rand imports", `import ("math/rand"; "crypto/rand")
func f() { _ = rand.Reader }`, false, []string{"imports math/rand", "imports crypto/rand"}},
		{"goroutine", `func f() { go f() }`, false, []string{"starts a goroutine"}},
		{"allowed goroutine", `func f() { go f() }`, true, nil},
		{"local names", `type clock struct{}
func (clock) Now() int { return 0 }
func f() { var time clock; _ = time.Now() }`, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "p.go", "package p\n"+tt.body, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := lintFile(fset, f, tt.goOK)
			if len(got) != len(tt.want) {
				t.Fatalf("lint found %q, want %d problems", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to mention %q", i, got[i], w)
				}
			}
		})
	}
}
