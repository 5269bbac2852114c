package orrery_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// A deadlock's report lists a server that waits for its shutdown in
// env.WaitDone as waiting on its context, at the line of its Main that
// calls WaitDone, and names no far-off event of that wait.
func TestReportSaysWaitDoneWaitsOnItsContext(t *testing.T) {
	s := orrery.Simulation{
		Name: "waitdone",
		Processes: []orrery.Process{{Name: "srv", Main: func(e env.Env) error {
			return env.WaitDone(e.Context(), e)
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				_, _, err := env.NewChan[int](e, 0).Recv(e.Context()) // nobody sends
				return err
			}}
		}}},
	}
	got := table(t, runOK(t, s, orrery.Options{Seeds: 1}))
	for _, want := range []string{`"srv/main" waiting on its context \(env\.WaitDone\) at \S*waitdone_test\.go:\d+\n`, `"client/run" waiting on chan recv`} {
		if !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("the report does not say %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "next event") || strings.Contains(got, "century") {
		t.Errorf("the report names the wait's event:\n%s", got)
	}
}
