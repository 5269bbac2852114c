package orrery_test

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
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
// and the kind of the record.
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
