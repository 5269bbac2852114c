package sim_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Calls that read the wall clock or an unseeded random source. The engine
// must never make them: they would make a seed's run unrepeatable.
var bannedCalls = map[string]map[string]bool{
	"time": {"Now": true, "Sleep": true, "Since": true, "Until": true, "After": true,
		"Tick": true, "NewTimer": true, "NewTicker": true, "AfterFunc": true},
	"math/rand/v2": {"Int": true, "IntN": true, "Int32": true, "Int32N": true, "Int64": true,
		"Int64N": true, "Uint32": true, "Uint32N": true, "Uint64": true, "Uint64N": true, "UintN": true,
		"Uint": true, "Float32": true, "Float64": true, "ExpFloat64": true, "NormFloat64": true,
		"Perm": true, "Shuffle": true, "N": true},
}

var bannedImports = map[string]bool{"math/rand": true, "crypto/rand": true}

// goAllowed lists the files whose go statements are part of the design: the
// watched loop runs on a goroutine of its own.
var goAllowed = map[string]bool{"watch.go": true}

func TestEngineAvoidsNondeterminism(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range lintFile(fset, f, goAllowed[name]) {
			t.Error(problem)
		}
	}
}

func lintFile(fset *token.FileSet, f *ast.File, goOK bool) []string {
	var problems []string
	local := map[string]string{} // import name -> path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if bannedImports[path] {
			problems = append(problems, fset.Position(imp.Pos()).String()+": imports "+path)
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if path == "math/rand/v2" {
			name = "rand"
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = path
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

func TestLintFindsBannedCalls(t *testing.T) {
	src := `package p
import (
	"time"
	mr "math/rand/v2"
	"crypto/rand"
)
func f() {
	_ = time.Now()
	_ = mr.IntN(3)
	_ = mr.New(mr.NewPCG(1, 2))
	go f()
	var b [1]byte
	rand.Read(b[:])
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := lintFile(fset, f, false)
	want := []string{"imports crypto/rand", "uses time.Now", "uses math/rand/v2.IntN", "starts a goroutine"}
	if len(got) != len(want) {
		t.Fatalf("lint found %q, want %d problems", got, len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %d = %q, want it to mention %q", i, got[i], w)
		}
	}
}
