package assert_test

import (
	"slices"
	"testing"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/assert/catalog"
)

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
	sites, err := catalog.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	// Keep the sites of the draws workload.
	draws := []string{"draw in range", "drew zero", "drew more than ten", "drew", "drew three",
		"large draws are handled", "huge draws are checked"}
	sites = slices.DeleteFunc(sites, func(s catalog.Site) bool { return !slices.Contains(draws, s.Message) })
	if len(sites) != 7 {
		t.Fatalf("%d sites in draws, want 7: %v", len(sites), sites)
	}
	without := messages(assert.Missing(assert.Merge(runs...)))
	with := messages(assert.Missing(assert.Merge(append(runs, catalog.Results(sites))...)))
	if !slices.Equal(without, []string{"drew more than ten"}) {
		t.Errorf("Missing without the catalog = %v", without)
	}
	if !slices.Equal(with, []string{"drew more than ten", "huge draws are checked"}) {
		t.Errorf("Missing with the catalog = %v", with)
	}
}
