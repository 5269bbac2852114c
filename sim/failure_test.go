package sim_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

func TestFailureReport(t *testing.T) {
	tests := []struct {
		name string
		f    sim.Failure
		want string
	}{
		{"panic", sim.Failure{Kind: sim.FailPanic, Seed: 3, At: time.Second, Seq: 4, RNGCalls: 5,
			Task: 2, TaskName: "bank-1/main", Message: "panic: kaboom", Where: "bank/server.go:42",
			Stack: "bank.(*Server).apply\n\tbank/server.go:42\nbank.(*Server).Run\n\tbank/server.go:17\n"},
			`panic at t=1.000000s seq=4 rng=5 in task 2 "bank-1/main": panic: kaboom (seed 0x3)
at bank/server.go:42
stack:
bank.(*Server).apply
	bank/server.go:42
bank.(*Server).Run
	bank/server.go:17
replay: sim.New(sim.Config{Seed: 0x3}) and run the same simulation
`},
		{"deadlock", sim.Failure{Kind: sim.FailDeadlock, Seed: 3, At: time.Second, Seq: 4, RNGCalls: 5,
			Message: "lock cycle: a holds m1 waits m2; b holds m2 waits m1",
			Parked: []sim.ParkedTask{
				{ID: 1, Name: "h/a", Waiting: `mutex held by task 2 "h/b"`, Holder: 2, HolderName: "h/b", Where: "x/a.go:10"},
				{ID: 2, Name: "h/b", Daemon: true, Waiting: "timer until t=1.500000s"},
			}},
			`deadlock at t=1.000000s seq=4 rng=5: lock cycle: a holds m1 waits m2; b holds m2 waits m1 (seed 0x3)
  task 1 "h/a" waiting on mutex held by task 2 "h/b" at x/a.go:10
  daemon 2 "h/b" waiting on timer until t=1.500000s
replay: sim.New(sim.Config{Seed: 0x3}) and run the same simulation
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Report(); got != tt.want {
				t.Errorf("Report() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
