// Command orrery-vet reports code that escapes the simulation (see package
// vet for what it reports and how to silence a line). Run it through go vet:
//
//	go install github.com/orrerysim/orrery/cmd/orrery-vet
//	go vet -vettool=$(which orrery-vet) ./...
//
// or on its own, `orrery-vet ./...`, which also takes -fix to apply the
// suggested fixes and -json for machine-readable output.
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/orrerysim/orrery/vet"
)

func main() { singlechecker.Main(vet.Analyzer) }
