package sim_test

import (
	"context"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/cputime"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkScale runs n tasks that each sleep a random duration again and
// again, on the engine and on a bare loop of the same shape (n iter.Pull
// coroutines woken in time order from a binary heap, with the same
// random draws), side by side at each n. One op is one wake-up; the
// engine's share of the bare loop's rate is its efficiency at that n. On a
// shared machine, take it from cpu-ns/wake, the CPU time of the process
// per wake-up, which other work moves less than the wall clock.
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("engine/tasks=%d", n), func(b *testing.B) {
			w := sim.New(sim.Config{Seed: 1, MaxTime: math.MaxInt64})
			left := b.N
			for i := range n {
				w.Spawn(fmt.Sprintf("sleeper-%d", i), func(ctx context.Context) {
					r := w.Rand()
					for left > 0 {
						left--
						sim.Sleep(ctx, r.Duration(time.Microsecond, time.Millisecond))
					}
				})
			}
			b.ResetTimer()
			cpu0 := cputime.Process()
			if err := w.Run(); err != nil {
				b.Fatal(err)
			}
			reportCPU(b, cputime.Process()-cpu0, "cpu-ns/wake")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "wakes/s")
		})
		b.Run(fmt.Sprintf("bare/tasks=%d", n), func(b *testing.B) {
			bareLoop(b, n)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "wakes/s")
		})
	}
}

// wake is a bare loop's pending wake-up.
type wake struct {
	at   time.Duration
	seq  uint64
	task int
}

// wakeHeap is a binary min-heap of wake-ups by (at, seq), without the
// boxing of container/heap.
type wakeHeap []wake

func (w wake) before(o wake) bool { return w.at < o.at || (w.at == o.at && w.seq < o.seq) }

func (h *wakeHeap) push(x wake) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].before(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *wakeHeap) pop() wake {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1].before(s[c]) {
			c++
		}
		if !s[c].before(s[i]) {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}

// bareLoop is the least a scheduler of n sleeping coroutines does.
func bareLoop(b *testing.B, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	var now time.Duration
	var seq uint64
	left := b.N
	nexts := make([]func() (time.Duration, bool), n)
	stops := make([]func(), n)
	for i := range n {
		nexts[i], stops[i] = iter.Pull(func(yield func(time.Duration) bool) {
			for left > 0 {
				left--
				d := time.Microsecond + time.Duration(r.Int64N(int64(time.Millisecond-time.Microsecond)))
				if !yield(d) {
					return
				}
			}
		})
	}
	h := &wakeHeap{}
	for i := range n {
		seq++
		h.push(wake{0, seq, i})
	}
	b.ResetTimer()
	cpu0 := cputime.Process()
	for len(*h) > 0 {
		x := h.pop()
		now = x.at
		if d, ok := nexts[x.task](); ok {
			seq++
			h.push(wake{now + d, seq, x.task})
		}
	}
	b.StopTimer()
	reportCPU(b, cputime.Process()-cpu0, "cpu-ns/wake")
	for _, stop := range stops {
		stop()
	}
}
