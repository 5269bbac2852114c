package orrerytest

import (
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/wal"
	"github.com/orrerysim/orrery/internal/testsims"
)

// recorder is a testing.TB that keeps what a test logs and its errors
// instead of failing.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	logs   strings.Builder
	failed bool
}

func (r *recorder) Helper() {}
func (r *recorder) Logf(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.logs, format+"\n", a...)
}
func (r *recorder) Errorf(format string, a ...any) {
	r.Logf(format, a...)
	r.failed = true
}
func (r *recorder) Fatalf(format string, a ...any) {
	r.Errorf(format, a...)
	runtime.Goexit()
}

// runRecorded runs s as Test does with the settings env gives, and returns
// what it logged.
func runRecorded(t *testing.T, s orrery.Simulation, env map[string]string) string {
	t.Helper()
	return recorded(t, env, func(tb testing.TB, set settings) { run(tb, s, set) })
}

// recorded calls fn with a recorder and the settings env gives, and
// returns what it logged; fn must fail.
func recorded(t *testing.T, env map[string]string, fn func(testing.TB, settings)) string {
	t.Helper()
	set, err := register(flag.NewFlagSet("test", flag.ContinueOnError)).resolve(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec, set)
	}()
	<-done
	if !rec.failed {
		t.Fatalf("the run did not fail:\n%s", rec.logs.String())
	}
	return rec.logs.String()
}

// TestShrinksTheFirstFailure: Test shrinks its first failing seed's faults
// (ORRERY_SHRINK, 10s by default) and logs those it needs with the go test
// command that replays them; it does not for ORRERY_SHRINK=0, a replay, a
// nondeterministic seed or one blocked outside the simulation.
func TestShrinksTheFirstFailure(t *testing.T) {
	walEnv := func(kv ...string) map[string]string {
		env := map[string]string{"ORRERY_BUG": wal.BugAckBeforeSync, "ORRERY_SEEDS": "20"}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tc := range []struct {
		name string
		s    orrery.Simulation
		env  map[string]string
		want []string // in the log; nil: no shrinking
	}{
		{"by default", wal.Simulation(), walEnv(), []string{"the faults seed 0x88712be8a582fca needs (shrunk; ORRERY_SHRINK=0 skips this):",
			"  Reboot:db#1  Reboot of db at t=0.426765s: kind=crash\n",
			"replay: ORRERY_SEED=0x88712be8a582fca ORRERY_BUG=ack-before-sync ORRERY_FAULTS=Reboot:db#1",
			" go test -run '^TestShrinksTheFirstFailure$/^by_default$' ./orrerytest\n"}},
		{"within ORRERY_SHRINK", wal.Simulation(), walEnv("ORRERY_SHRINK", "1ns"), []string{"(its time ran out: some of these may not be needed)"}},
		{"no fault needed", bank.Simulation(bank.Options{}), map[string]string{"ORRERY_BUG": bank.BugLostUpdate, "ORRERY_SWARM": "1", "ORRERY_SEEDS": "3"},
			[]string{" faults (shrunk; ORRERY_SHRINK=0 skips this): the code alone is at fault"}},
		{"ORRERY_SHRINK=0", wal.Simulation(), walEnv("ORRERY_SHRINK", "0"), nil},
		{"replay", wal.Simulation(), walEnv("ORRERY_SEED", "0x88712be8a582fca"), nil},
		{"nondeterministic", testsims.MapOrder(), map[string]string{"ORRERY_CHECK_DETERMINISM": "1", "ORRERY_SEEDS": "5"}, nil},
		{"blocked", testsims.Stuck(), map[string]string{"ORRERY_WATCHDOG": "300ms", "ORRERY_SEEDS": "1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			log := runRecorded(t, tc.s, tc.env)
			shrunk := strings.Contains(log, "shrunk")
			if tc.want == nil && shrunk {
				t.Errorf("shrunk, want not:\n%s", log)
			}
			for _, w := range tc.want {
				if !strings.Contains(log, w) {
					t.Errorf("the log lacks %q:\n%s", w, log)
				}
			}
			if tc.name == "blocked" && time.Since(start) > 2*time.Second {
				t.Errorf("took %v: the blocked seed was run again", time.Since(start))
			}
		})
	}
}

// TestShrinksAFailingFuzzInput: a failing input of Fuzz, run as a test,
// has its faults shrunk with its entropy, and the log gives the command
// that replays the input with only those; one replayed with ORRERY_FAULTS
// is not shrunk again.
func TestShrinksAFailingFuzzInput(t *testing.T) {
	input := []byte("\xa0`\x03 \xc8") // wal's seed alone passes
	every := "1"                      // every fault, by number
	for n := 2; n <= 100; n++ {
		every += fmt.Sprintf(",%d", n)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string // nil: no shrinking
	}{
		{"shrunk", map[string]string{"ORRERY_BUG": wal.BugAckBeforeSync}, []string{
			"the faults seed 0xb08cefa7d3575dc2 needs (shrunk; ORRERY_SHRINK=0 skips this):",
			"seed 0xb08cefa7d3575dc2 from a fuzz input of 5 bytes: ",
			"replay: ORRERY_BUG=ack-before-sync ORRERY_FAULTS=Reboot:db#",
			" go test -run 'TestShrinksAFailingFuzzInput/shrunk' ./orrerytest\n"}},
		{"faults named", map[string]string{"ORRERY_BUG": wal.BugAckBeforeSync, "ORRERY_FAULTS": every}, nil},
		{"ORRERY_SHRINK=0", map[string]string{"ORRERY_BUG": wal.BugAckBeforeSync, "ORRERY_SHRINK": "0"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := recorded(t, tc.env, func(tb testing.TB, set settings) { fuzzOne(tb, wal.Simulation(), set, input) })
			if tc.want == nil && strings.Contains(log, "shrunk") {
				t.Errorf("shrunk, want not:\n%s", log)
			}
			for _, w := range tc.want {
				if !strings.Contains(log, w) {
					t.Errorf("the log lacks %q:\n%s", w, log)
				}
			}
		})
	}
}
