package maze

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// BugVault is the planted bug: the vault behind the four locks fails the
// seed when it opens.
const BugVault = "vault"

// P is the probability that a draw opens a gate.
const P = 0.05

// Steps is how many attempts a run makes, one every millisecond of
// simulated time, each at the first lock still closed.
const Steps = 1000

// Simulation returns the maze: a walker making Steps attempts at the
// locks, in order. It injects no fault: the maze is all decisions.
func Simulation() orrery.Simulation {
	return orrery.Simulation{
		Name:      "maze",
		Processes: []orrery.Process{{Name: "idle", Main: idle}},
		Workloads: []orrery.Workload{{Name: "walker", New: func() orrery.Driver { return orrery.Funcs{RunFunc: walk} }}},
		Bugs:      []string{BugVault},
	}
}

// idle is the process the simulation needs: it waits to be shut down.
func idle(e env.Env) error {
	_ = e.Clock().Sleep(e.Context(), 24*time.Hour) // until shut down
	return nil
}

// walker is one run's walk through the maze.
type walker struct {
	ctx  context.Context
	rand env.Rand
	open [4]bool
}

// errVault is the planted bug's failure.
var errVault = errors.New("maze: the vault behind the four locks opened")

// walk makes the attempts, one a millisecond, each at the first lock
// still closed: the locks open in order, A to D. With the bug planted,
// opening the four fails the seed.
func walk(e env.Env) error {
	m := &walker{ctx: e.Context(), rand: e.Rand()}
	locks := [4]func() bool{m.lockA, m.lockB, m.lockC, m.lockD}
	for range Steps {
		i := m.opened()
		if locks[i]() {
			m.open[i] = true
			assert.Reachable(m.ctx, fmt.Sprintf("lock %c opens", 'A'+i))
		}
		if m.opened() == len(locks) {
			assert.Reachable(m.ctx, "the four locks open")
			if orrery.Planted(m.ctx, BugVault) {
				return errVault
			}
			return nil
		}
		if err := e.Clock().Sleep(m.ctx, time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// opened is how many locks are open.
func (m *walker) opened() int {
	n := 0
	for n < len(m.open) && m.open[n] {
		n++
	}
	return n
}

// gate draws whether the next gate opens.
func (m *walker) gate() bool { return m.rand.Float64() < P }

// The four locks are written out, gate by gate, so that each gate is a
// line of its own for a coverage-guided fuzzer; each gate reached is a
// bucket of its lock's SometimesEach for the explorer.

func (m *walker) lockA() bool {
	const msg = "lock A gate reached"
	if m.gate() {
		assert.SometimesEach(m.ctx, msg, 1)
		if m.gate() {
			assert.SometimesEach(m.ctx, msg, 2)
			if m.gate() {
				assert.SometimesEach(m.ctx, msg, 3)
				if m.gate() {
					assert.SometimesEach(m.ctx, msg, 4)
					if m.gate() {
						assert.SometimesEach(m.ctx, msg, 5)
						return true
					}
				}
			}
		}
	}
	return false
}

func (m *walker) lockB() bool {
	const msg = "lock B gate reached"
	if m.gate() {
		assert.SometimesEach(m.ctx, msg, 1)
		if m.gate() {
			assert.SometimesEach(m.ctx, msg, 2)
			if m.gate() {
				assert.SometimesEach(m.ctx, msg, 3)
				if m.gate() {
					assert.SometimesEach(m.ctx, msg, 4)
					if m.gate() {
						assert.SometimesEach(m.ctx, msg, 5)
						return true
					}
				}
			}
		}
	}
	return false
}

func (m *walker) lockC() bool {
	const msg = "lock C gate reached"
	if m.gate() {
		assert.SometimesEach(m.ctx, msg, 1)
		if m.gate() {
			assert.SometimesEach(m.ctx, msg, 2)
			if m.gate() {
				assert.SometimesEach(m.ctx, msg, 3)
				if m.gate() {
					assert.SometimesEach(m.ctx, msg, 4)
					if m.gate() {
						assert.SometimesEach(m.ctx, msg, 5)
						return true
					}
				}
			}
		}
	}
	return false
}

func (m *walker) lockD() bool {
	const msg = "lock D gate reached"
	if m.gate() {
		assert.SometimesEach(m.ctx, msg, 1)
		if m.gate() {
			assert.SometimesEach(m.ctx, msg, 2)
			if m.gate() {
				assert.SometimesEach(m.ctx, msg, 3)
				if m.gate() {
					assert.SometimesEach(m.ctx, msg, 4)
					if m.gate() {
						assert.SometimesEach(m.ctx, msg, 5)
						return true
					}
				}
			}
		}
	}
	return false
}
