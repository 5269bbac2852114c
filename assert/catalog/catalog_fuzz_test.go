package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go/token"

	"github.com/orrerysim/orrery/assert"
)

// FuzzCatalogFile feeds arbitrary source to the catalog's parser: it must
// not panic, and every site it reports must name a known function.
func FuzzCatalogFile(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "catalog", "*.go"))
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("package p\nimport \"github.com/orrerysim/orrery/assert\"\nfunc f() { assert.Always() }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sites, err := catalogFile(token.NewFileSet(), "dir/f.go", src)
		if err != nil && sites != nil {
			t.Fatalf("sites %v with error %v", sites, err)
		}
		for _, s := range sites {
			o, ok := assert.LookupFunc(s.Func)
			if !ok || o.Kind != s.Kind || !strings.HasPrefix(s.Location, "dir/f.go:") {
				t.Errorf("bad site %+v", s)
			}
		}
	})
}
