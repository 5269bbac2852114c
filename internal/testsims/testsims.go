// Package testsims holds the small simulations that the tests of the
// runner and of the command line both run: a counter, and variants of it
// that are nondeterministic, slow in real time or blocked outside the
// simulation. They escape the simulation on purpose; nothing ships them.
package testsims

import (
	"errors"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// Counter is a tiny system under test: a process that counts the
// increments workloads send it through a published channel.
func Counter() orrery.Simulation {
	return orrery.Simulation{
		Name: "counter",
		Processes: []orrery.Process{{Name: "counter", Tags: []string{"server"}, Main: func(e env.Env) error {
			n := new(int)
			in := env.NewChan[int](e, 0)
			orrery.Publish(e.Context(), "inbox", in)
			orrery.Publish(e.Context(), "count", n)
			for {
				v, _, err := in.Recv(e.Context())
				if err != nil {
					return err
				}
				*n += v
			}
		}}},
		Workloads: []orrery.Workload{{Name: "adder", Count: 3, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				v, _ := orrery.Published(e.Context(), "inbox")
				for range 5 {
					if err := e.Clock().Sleep(e.Context(), time.Duration(e.Rand().IntN(1000))*time.Microsecond); err != nil {
						return err
					}
					if err := v.(*env.Chan[int]).Send(e.Context(), 1); err != nil {
						return err
					}
				}
				assert.Sometimes(e.Context(), true, "an adder finished")
				return nil
			}}
		}}},
		Invariants: []orrery.Invariant{{Name: "at most 15", Check: func(s *orrery.State) error {
			if v, ok := s.Get("count"); ok && *v.(*int) > 15 {
				return errors.New("counted more than was sent")
			}
			return nil
		}}},
	}
}

// MapOrder is Counter with a workload that logs the iteration order of a
// Go map, ten times: two runs of a seed all but never log the same.
func MapOrder() orrery.Simulation {
	s := Counter()
	s.Name = "map-order"
	s.Workloads = append(s.Workloads, orrery.Workload{Name: "leak", New: func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			m := make(map[int]bool)
			for i := range 64 {
				m[i] = true
			}
			for range 10 {
				for k := range m {
					e.Log().Info("visiting", "key", k)
					break
				}
			}
			return nil
		}}
	}})
	return s
}

// Stuck is Counter whose workload blocks for good on a Go channel, outside
// the simulation: the watchdog fails its seeds. (Its goroutine never
// resumes, so the abandoned task never runs again.)
func Stuck() orrery.Simulation {
	s := Slow(0)
	s.Name = "stuck"
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(env.Env) error {
			var never chan struct{}
			<-never
			return nil
		}}
	}
	return s
}

// Slow is Counter whose seeds take d of real time.
func Slow(d time.Duration) orrery.Simulation {
	s := Counter()
	s.Name = "slow"
	s.Workloads[0].Count = 1
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			time.Sleep(d)
			return nil
		}}
	}
	s.Invariants = nil
	return s
}

// Failing is Counter with a planted bug, "boom", that makes its workload
// fail in every seed.
func Failing() orrery.Simulation {
	s := Counter()
	s.Name = "failing"
	s.Bugs = []string{"boom"}
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			if orrery.Planted(e.Context(), "boom") {
				return errors.New("boom")
			}
			return nil
		}}
	}
	s.Invariants = nil
	return s
}
