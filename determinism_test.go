package orrery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// leakRuns counts the runs of leakSim in the process: something no seed
// decides, and which two runs of a seed never share.
var leakRuns atomic.Int64

// leakSim is a simulation whose process "srv" does what act says with the
// number of its run in the process: two runs of a seed part at the first
// record that act makes differ.
func leakSim(act func(e env.Env, n int) error) orrery.Simulation {
	return orrery.Simulation{
		Name: "leak",
		Processes: []orrery.Process{{Name: "srv", Main: func(e env.Env) error {
			if err := e.Clock().Sleep(e.Context(), time.Millisecond); err != nil {
				return err
			}
			return act(e, int(leakRuns.Add(1)))
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { // keeps the run going
				return e.Clock().Sleep(e.Context(), 10*time.Second)
			}}
		}}},
	}
}

// TestCulpritNamesTheTask: for every kind of record that can be the first
// to differ, the determinism check names the task that made it, its host
// and the kind of the record. A debug record that differs leaves the
// trace hashes equal: the finding says so, and gives the verbose hashes.
func TestCulpritNamesTheTask(t *testing.T) {
	tests := []struct {
		kind string
		act  func(e env.Env, n int) error
		want string
	}{
		{"Timer", func(e env.Env, n int) error {
			return e.Clock().Sleep(e.Context(), time.Duration(n)*time.Millisecond)
		}, `likely culprit: task "srv/main" on host srv: its Timer event differs`},
		{"Storage", func(e env.Env, n int) error {
			f, err := e.Disk().Create(e.Context(), "data")
			if err != nil {
				return err
			}
			_, err = f.Write(make([]byte, n<<16))
			return err
		}, `likely culprit: task "srv/main" on host srv: its Storage event WriteComplete differs`},
		{"Network", func(e env.Env, n int) error {
			conns, err := leakConns(e, "srv:7000", "srv:7000")
			if err != nil {
				return err
			}
			_, err = conns[n%2].Write([]byte("hello"))
			return err
		}, `likely culprit: task "srv/main" on host srv: its Network event ProcessSendBuffer differs`},
		{"Connection", func(e env.Env, n int) error {
			if n%2 == 1 { // a listener more, before the dial
				if _, err := e.Net().Listen(e.Context(), ":7001"); err != nil {
					return err
				}
			}
			_, err := leakConns(e, "srv:7000")
			return err
		}, `likely culprit: task "srv/main" on host srv: its Connection event`},
		{"log", func(e env.Env, n int) error {
			e.Log().Info("drew", "n", n)
			return nil
		}, `likely culprit: the application log of task "srv/main" on host srv differs`},
		{"debug log", func(e env.Env, n int) error { // built only in the check's runs
			e.Log().Debug("drew", "n", n)
			return nil
		}, `likely culprit: the application log of task "srv/main" on host srv differs`},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			rep, err := orrery.Run(leakSim(tt.act), orrery.Options{Seeds: 1, CheckDeterminism: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) != 1 || rep.Failures[0].Kind != "nondeterminism" {
				t.Fatalf("want one nondeterminism finding, got %+v", rep.Failures)
			}
			if msg := rep.Failures[0].Message; !strings.Contains(msg, tt.want) ||
				(tt.kind == "debug log") != strings.Contains(msg, "logged different records below Info") {
				t.Errorf("the finding does not say %q:\n%s", tt.want, msg)
			}
			if a, b, ok := twoHashes(rep.Failures[0].Message); ok && a == b {
				t.Errorf("the finding gives trace hashes %s and %s as if they differed:\n%s", a, b, rep.Failures[0].Message)
			}
		})
	}
}

// leakConns listens on port 7000 and dials each address, without waiting
// for any dial to be accepted.
func leakConns(e env.Env, addrs ...string) ([]net.Conn, error) {
	ln, err := e.Net().Listen(e.Context(), ":7000")
	if err != nil {
		return nil, err
	}
	var conns []net.Conn
	for _, a := range addrs {
		c, err := e.Net().Dial(e.Context(), a)
		if err != nil {
			ln.Close()
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// processLock is a lock of the process, as a library holds one around its
// own global state (etcd raft around its source of election timeouts).
var processLock sync.Mutex

// TestDeterminismCheckWithAProcessLock: the two traced runs of a seed
// run at once, each writing its trace into the comparison. A task that
// writes its trace while holding a lock of the process must not wait for
// the comparison to read it: the other run would wait for the lock, the
// comparison for the other run, and the seed would stall until the
// watchdog gave up on it.
func TestDeterminismCheckWithAProcessLock(t *testing.T) {
	pad := strings.Repeat("x", 16<<10)
	s := leakSim(func(e env.Env, n int) error {
		for i := range 40 {
			run := 0
			if i >= 30 {
				run = n // the runs part at the 30th record
			}
			processLock.Lock()
			e.Log().Info("chunk", "i", i, "run", run, "pad", pad)
			processLock.Unlock()
			if err := e.Clock().Sleep(e.Context(), time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	})
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1, CheckDeterminism: true, Watchdog: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 1 {
		t.Fatalf("want one finding, got %+v", rep.Failures)
	}
	msg := rep.Failures[0].Message
	if !strings.Contains(msg, `likely culprit: the application log of task "srv/main"`) || strings.Contains(msg, "blocked") {
		t.Errorf("the finding does not name the log that differs:\n%s", msg)
	}
}

// badKeys is an invariant as a user wrote one: it ranges over a map of
// keys, more than one of them bad, and reports the first bad key it meets,
// which map order decides anew on every run.
func badKeys(st *orrery.State) error {
	m := map[string]bool{"a": true, "b": true, "c": true, "d": true, "e": true, "f": true, "g": true, "h": true, "ok": false}
	for k, bad := range m {
		if bad {
			return fmt.Errorf("key %s is bad", k)
		}
	}
	return nil
}

// TestCheckDeterminismFailureMessageFromMapOrder: two runs of a seed that
// make the same trace and fail with different messages (the first bad key
// of a map) are a finding that says the runs ended differently, shows both
// messages, and names the invariant, not "the engine's setup"; it never
// gives one trace hash twice as if the two differed.
func TestCheckDeterminismFailureMessageFromMapOrder(t *testing.T) {
	s := counter()
	s.Invariants = []orrery.Invariant{{Name: "no bad key", Check: badKeys}}
	// The two runs of a seed meet the same bad key first about one time in
	// eight: with ten seeds, those of every seed agree about one time in
	// 10^9 (see TestCheckDeterminismNamesTheCulprit).
	rep, err := orrery.Run(s, orrery.Options{Seeds: 10, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range rep.Failures {
		if f.Kind != "nondeterminism" {
			continue
		}
		found++
		msg := f.Message
		want := regexp.MustCompile(`^two runs of the seed ended differently: ` +
			`run 1 failed with: invariant "no bad key": key (\w) is bad; run 2 failed with: invariant "no bad key": key (\w) is bad ` +
			`\(same trace hash 0x[0-9a-f]+: the difference is in the failure itself\)\n` +
			`likely culprit: the invariant "no bad key" failed with a different message in each run: a message built from map iteration order`)
		m := want.FindStringSubmatch(msg)
		if m == nil || m[1] == m[2] || strings.Contains(msg, "engine's setup") {
			t.Errorf("finding of seed %#x:\n%s\nwant it to match %s", f.Seed, msg, want)
		}
	}
	if found == 0 {
		t.Fatalf("no seed's runs differed: %+v", rep.Failures)
	}
}

// failRuns counts the runs of the simulations of
// TestEndedDifferentlyNamesWhatFailed: something no seed decides.
var failRuns atomic.Int64

// runLetter is a letter that changes from one call to the next, in a
// failure's message: a number would not do, the shrinker ignores them.
func runLetter() string { return string(rune('a' + failRuns.Add(1)%26)) }

// endedHead starts a finding of runs whose traces are the same.
const endedHead = "two runs of the seed ended differently: "

// TestEndedDifferentlyNamesWhatFailed: for every source of a failure, two
// runs of a seed that make the same trace and end differently are a
// finding that shows how each ended and names the source: the invariant,
// the assertion, the workload, the task that panicked, the seed check.
// A failed assertion writes its details into the trace: its runs differ
// there, and the finding names it from its trace records.
// The seed checks are compared when the first failing seed runs again to
// write its trace (the determinism check runs them once).
func TestEndedDifferentlyNamesWhatFailed(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *orrery.Simulation)
		traced bool // compared when run again for the trace
		want   []string
	}{
		{"invariant", func(s *orrery.Simulation) {
			s.Invariants = []orrery.Invariant{{Name: "lettered", Check: func(*orrery.State) error {
				return errors.New("letter " + runLetter())
			}}}
		}, false, []string{endedHead, `run 1 failed with: invariant "lettered": letter `, `; run 2 failed with: invariant "lettered": letter `,
			`likely culprit: the invariant "lettered" failed with a different message in each run`}},
		{"assertion", func(s *orrery.Simulation) {
			s.Workloads[0].New = func() orrery.Driver {
				return orrery.Funcs{RunFunc: func(e env.Env) error {
					assert.Always(e.Context(), false, "the letter holds", "letter", runLetter())
					return nil
				}}
			}
		}, false, []string{`two runs of the seed gave trace hashes`, // its details are in the trace
			`likely culprit: the assertion Always "the letter holds" of task "adder/run" on host adder recorded different details in each run`}},
		{"panic", func(s *orrery.Simulation) {
			s.Workloads[0].New = func() orrery.Driver {
				return orrery.Funcs{RunFunc: func(e env.Env) error { panic("letter " + runLetter()) }}
			}
		}, false, []string{endedHead, `run 1 failed with: panic: letter `,
			`likely culprit: the panic of task "adder/run" failed with a different message in each run`}},
		{"seed check", func(s *orrery.Simulation) {
			s.SeedChecks = []orrery.SeedCheck{{Name: "lettered", Check: func(context.Context) error {
				return errors.New("letter " + runLetter())
			}}}
		}, true, []string{endedHead, `the first run failed with: check lettered: letter `, `; the run again to trace it failed with: check lettered: letter `,
			`likely culprit: the seed check "lettered" failed with a different message in each run`}},
		{"seed check once", func(s *orrery.Simulation) {
			s.SeedChecks = []orrery.SeedCheck{{Name: "once", Check: func(context.Context) error {
				if failRuns.Add(1)%2 == 1 {
					return errors.New("odd run")
				}
				return nil
			}}}
		}, true, []string{endedHead, `the first run failed after the run with: check once: odd run; the run again to trace it passed (same trace hash 0x`,
			`likely culprit: the seed check "once" failed in one run only`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failRuns.Store(0)
			s := counter()
			s.Workloads[0].Count = 1
			tt.change(&s)
			opts := orrery.Options{Seeds: 1, CheckDeterminism: !tt.traced}
			if tt.traced {
				opts.Trace = io.Discard
			}
			rep, err := orrery.Run(s, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) != 1 || rep.Failures[0].Kind != "nondeterminism" {
				t.Fatalf("want one nondeterminism finding, got %+v", rep.Failures)
			}
			msg := rep.Failures[0].Message
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the finding does not say %q:\n%s", w, msg)
				}
			}
		})
	}
}
