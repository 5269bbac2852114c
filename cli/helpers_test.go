package cli_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/internal/testsims"
)

// The simulations of the command line's tests, shared with the root
// package's.
var (
	counter  = testsims.Counter
	failing  = testsims.Failing
	mapOrder = testsims.MapOrder
	stuck    = testsims.Stuck
)

// readReport decodes a JSON report file, complete or not.
func readReport(t *testing.T, path string) *orrery.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep orrery.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}
