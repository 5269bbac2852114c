package assert_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/assert"
)

func TestCatalog(t *testing.T) {
	got, err := assert.Catalog(filepath.Join("testdata", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	site := func(msg, fn string, kind assert.Kind, loc string) assert.Site {
		return assert.Site{Message: msg, Func: fn, Kind: kind, Location: loc}
	}
	want := []assert.Site{
		site("account audited", "SometimesEach", assert.KindSometimesEach, "catalog/renamed.go:11"),
		site("all accounts touched", "SometimesAll", assert.KindSometimes, "catalog/dot_test.go:12"),
		site("balance never negative", "Always", assert.KindAlways, "catalog/bank.go:14"),
		site("empty transfer", "Sometimes", assert.KindSometimes, "catalog/bank.go:16"),
		{Message: "lost", Func: "Unreachable", Kind: assert.KindUnreachable, Location: "catalog/bank.go:17", Dynamic: true},
		site("positive count", "SometimesGreaterThan", assert.KindSometimes, "sub/inner.go:6"),
		site("recovered ledger balances", "AlwaysOrUnreachable", assert.KindAlwaysOrUnreachable, "catalog/dot_test.go:13"),
		site("self transfer", "Reachable", assert.KindReachable, "catalog/bank.go:19"),
		site("some account nonzero", "AlwaysSome", assert.KindAlways, "catalog/renamed.go:13"),
		site("transfer latency bounded", "AlwaysLessThan", assert.KindAlways, "catalog/bank.go:15"),
		site("twice", "Always", assert.KindAlways, "catalog/early.go:5"),
		site("twice", "Always", assert.KindAlways, "catalog/early.go:11"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("Catalog:\n got %v\nwant %v", got, want)
	}
}

func TestCatalogErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.go"), []byte("package broken\nfunc {"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dir, want string }{
		{"parse error", dir, "broken.go:2:"},
		{"no such directory", filepath.Join(dir, "missing"), "no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sites, err := assert.Catalog(tc.dir)
			if err == nil || !strings.HasPrefix(err.Error(), "assert: catalog ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Catalog(%s) = %v, %v; want an error containing %q", tc.dir, sites, err, tc.want)
			}
		})
	}
}

// TestCatalogShowsUnreachedAssertions runs the draws workload over many
// seeds: without the catalog, Missing cannot see the Always that no seed
// evaluated; with it, it can.
func TestCatalogShowsUnreachedAssertions(t *testing.T) {
	var runs [][]assert.Result
	for seed := range uint64(20) {
		w, err := runTask(seed, draws)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, assert.Results(w))
	}
	sites, err := assert.Catalog(".")
	if err != nil {
		t.Fatal(err)
	}
	// Keep the sites of the draws workload.
	draws := []string{"draw in range", "drew zero", "drew more than ten", "drew", "drew three",
		"large draws are handled", "huge draws are checked"}
	sites = slices.DeleteFunc(sites, func(s assert.Site) bool { return !slices.Contains(draws, s.Message) })
	if len(sites) != 7 {
		t.Fatalf("%d sites in draws, want 7: %v", len(sites), sites)
	}
	without := messages(assert.Missing(assert.Merge(runs...)))
	with := messages(assert.Missing(assert.Merge(append(runs, assert.FromCatalog(sites))...)))
	if !slices.Equal(without, []string{"drew more than ten"}) {
		t.Errorf("Missing without the catalog = %v", without)
	}
	if !slices.Equal(with, []string{"drew more than ten", "huge draws are checked"}) {
		t.Errorf("Missing with the catalog = %v", with)
	}
}
