package bank_test

import (
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
)

func TestBankConservesMoney(t *testing.T) {
	rep, err := orrery.Run(bank.Simulation(bank.Options{}), orrery.Options{Seeds: 50})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var b strings.Builder
		rep.WriteTable(&b)
		t.Fatalf("the correct bank failed:\n%s", b.String())
	}
}

func TestLostUpdateIsFound(t *testing.T) {
	rep, err := orrery.Run(bank.Simulation(bank.Options{}), orrery.Options{Seeds: 100, Bugs: []string{bank.BugLostUpdate}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed == 0 {
		t.Fatal("100 seeds did not find the planted lost update")
	}
	var b strings.Builder
	rep.WriteTable(&b)
	t.Logf("%s", b.String())
}
