package vet_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/orrerysim/orrery/vet"
)

// TestAnalyzer checks the analyzer's reports against the // want comments
// of the testdata packages: each case it reports, and the code it must
// leave alone (sorted map keys, seeded sources, crypto/rand but Prime, crypto/rand in tests,
// allowed lines, packages that are not simulated, Orrery's own Env on the
// operating system).
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), vet.Analyzer,
		"clock", "conc", "rnd", "escape", "maporder", "allow", "marked", "plain", "envstruct", "harness",
		"github.com/orrerysim/orrery/env/realenv")
}

// TestSuggestedFixes applies the mechanical rewrites (time.Now, Since,
// Until, Sleep and global rand draws into the env in scope) and compares
// the result with fixes.go.golden; where no single env (or, for Sleep, no
// context) is in scope, no fix is offered.
func TestSuggestedFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), vet.Analyzer, "fixes")
}
