package assert_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAvoidsNondeterminism keeps the package free of what would make a
// seed unrepeatable: assertions run inside the simulation, so they must
// not read the wall clock, draw from an unseeded source or start
// goroutines.
func TestAvoidsNondeterminism(t *testing.T) {
	banned := map[string]bool{"time.Now": true, "time.Since": true, "time.Sleep": true, "time.After": true,
		"time.NewTimer": true, "time.AfterFunc": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(path, "math/rand") || path == "crypto/rand" {
				t.Errorf("%s: imports %s", fset.Position(imp.Pos()), path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: starts a goroutine", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && banned[id.Name+"."+n.Sel.Name] {
					t.Errorf("%s: calls %s.%s", fset.Position(n.Pos()), id.Name, n.Sel.Name)
				}
			}
			return true
		})
	}
}
