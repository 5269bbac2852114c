package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestEventHeapOrder pushes events at random times, some at the same
// time, pops some in between, cancels some (shed in bulk by removeDead),
// and checks that the heap hands them out in (At, Seq) order, whatever
// its shape.
func TestEventHeapOrder(t *testing.T) {
	for _, tc := range []struct {
		name         string
		n, times     int
		popEvery     int // pop one event after every popEvery pushes, 0 never
		cancelEvery  int // cancel every cancelEvery-th event, 0 none
		removeDeadAt int // shed the cancelled events after this many pushes
	}{
		{"one", 1, 1, 0, 0, 0},
		{"two", 2, 10, 0, 0, 0},
		{"five, same time", 5, 1, 0, 0, 0},
		{"hundred", 100, 1000, 0, 0, 0},
		{"ten thousand, interleaved pops", 10_000, 500, 3, 0, 0},
		{"thousand, a third cancelled", 1_000, 50, 0, 3, 600},
		{"all cancelled but one", 17, 5, 0, 1, 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkHeapOrder(t, tc.n, tc.times, tc.popEvery, tc.cancelEvery, tc.removeDeadAt)
		})
	}
}

func checkHeapOrder(t *testing.T, n, times, popEvery, cancelEvery, removeDeadAt int) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(n), uint64(times)))
	h := newHeap()
	var pending []heapKey // the live events pushed and not popped, in order
	pop := func() {
		slot := h.pop()
		ev := &h.slab[slot]
		got := heapKey{at: ev.At, seq: ev.Seq}
		dead := ev.dead
		h.release(slot)
		if dead {
			return
		}
		if len(pending) == 0 || got != pending[0] {
			t.Fatalf("popped (%v, %d), want the earliest pending of %v", got.at, got.seq, head(pending))
		}
		pending = pending[1:]
	}
	for i := range n {
		at := time.Duration(r.IntN(times))
		seq := uint64(i + 1)
		_, ev := h.push(at, seq)
		ev.At, ev.Seq = at, seq
		if cancelEvery > 0 && i%cancelEvery == 0 && i != n-1 {
			ev.dead = true
		} else {
			k := heapKey{at: at, seq: seq}
			j, _ := slices.BinarySearchFunc(pending, k, func(a, b heapKey) int {
				if a.before(&b) {
					return -1
				}
				return 1
			})
			pending = slices.Insert(pending, j, k)
		}
		if i+1 == removeDeadAt {
			h.removeDead()
		}
		if popEvery > 0 && i%popEvery == popEvery-1 {
			pop()
		}
	}
	for h.len() > 0 {
		pop()
	}
	if len(pending) > 0 {
		t.Fatalf("%d events never popped: %v", len(pending), head(pending))
	}
}

func head(keys []heapKey) []heapKey { return keys[:min(len(keys), 5)] }

// TestHeapKeyBefore checks the branch-free comparison of keys against the
// order it stands for, (At, Seq), at the edges of both numbers, and
// least4 against a scan.
func TestHeapKeyBefore(t *testing.T) {
	ats := []time.Duration{math.MinInt64, -1, 0, 1, 1 << 32, math.MaxInt64 - 1, math.MaxInt64}
	seqs := []uint64{0, 1, 1 << 63, math.MaxUint64 - 1, math.MaxUint64}
	var keys []heapKey
	for _, at := range ats {
		for _, seq := range seqs {
			keys = append(keys, heapKey{at: at, seq: seq})
		}
	}
	for _, a := range keys {
		for _, b := range keys {
			want := a.at < b.at || a.at == b.at && a.seq < b.seq
			if got := a.before(&b); got != want {
				t.Errorf("(%d, %d).before(%d, %d) = %v, want %v", a.at, a.seq, b.at, b.seq, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		var cs [arity]heapKey
		for i := range cs {
			cs[i] = keys[r.IntN(len(keys))]
		}
		want := 0
		for i := 1; i < arity; i++ {
			if cs[i].before(&cs[want]) {
				want = i
			}
		}
		if got := least4(&cs); cs[got] != cs[want] {
			t.Fatalf("least4(%v) = %d, want %d", cs, got, want)
		}
	}
}
