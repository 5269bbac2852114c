package vet_test

import (
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestShippingCodeDoesNotLinkVet checks that the packages application code
// imports, and the harness of simulation binaries and go test (cli,
// orrerytest), do not depend on this package or on golang.org/x/tools: the
// analyzer links go/types and go/packages, which have no place in a server
// binary nor in every simulation binary. cmd/orrery may link it.
func TestShippingCodeDoesNotLinkVet(t *testing.T) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps, Dir: ".."}
	roots, err := packages.Load(cfg, ".", "./env/...", "./assert", "./cli", "./orrerytest")
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) == 0 {
		t.Fatal("loaded no packages")
	}
	packages.Visit(roots, func(p *packages.Package) bool {
		if p.PkgPath == "github.com/orrerysim/orrery/vet" || strings.HasPrefix(p.PkgPath, "golang.org/x/tools") {
			t.Errorf("shipping code depends on %s", p.PkgPath)
		}
		return true
	}, nil)
}
