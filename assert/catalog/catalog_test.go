package catalog_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/assert/catalog"
)

func TestFind(t *testing.T) {
	got, err := catalog.Find(filepath.Join("testdata", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	site := func(msg, fn string, kind assert.Kind, loc string) catalog.Site {
		return catalog.Site{Message: msg, Func: fn, Kind: kind, Location: loc}
	}
	want := []catalog.Site{
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
		t.Errorf("Find:\n got %v\nwant %v", got, want)
	}
}

func TestFindErrors(t *testing.T) {
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
			sites, err := catalog.Find(tc.dir)
			if err == nil || !strings.HasPrefix(err.Error(), "catalog ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Find(%s) = %v, %v; want an error containing %q", tc.dir, sites, err, tc.want)
			}
		})
	}
}
