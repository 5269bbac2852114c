package catalog_test

import (
	"fmt"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/assert/catalog"
)

// Find finds the assertions in the source, reached or not, and Results
// turns them into rows that assert.Missing can judge.
func ExampleFind() {
	sites, err := catalog.Find("testdata/catalog")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sites {
		if s.Dynamic {
			s.Message = "(computed: " + s.Message + ")"
		}
		fmt.Printf("%-20s %-28s %s\n", s.Func, s.Message, s.Location)
	}
	// No seed ran: every assertion that must fire is missing.
	fmt.Println(len(assert.Missing(assert.Merge(catalog.Results(sites)))), "missing")
	// Output:
	// SometimesEach        account audited              catalog/renamed.go:11
	// SometimesAll         all accounts touched         catalog/dot_test.go:12
	// Always               balance never negative       catalog/bank.go:14
	// Sometimes            empty transfer               catalog/bank.go:16
	// Unreachable          (computed: lost)             catalog/bank.go:17
	// SometimesGreaterThan positive count               sub/inner.go:6
	// AlwaysOrUnreachable  recovered ledger balances    catalog/dot_test.go:13
	// Reachable            self transfer                catalog/bank.go:19
	// AlwaysSome           some account nonzero         catalog/renamed.go:13
	// AlwaysLessThan       transfer latency bounded     catalog/bank.go:15
	// Always               twice                        catalog/early.go:5
	// Always               twice                        catalog/early.go:11
	// 9 missing
}
