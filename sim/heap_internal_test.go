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

// TestEventHeapModes moves the length of a queue across the sizes at
// which it turns from a sorted array into a heap and back, with pushes
// early and late, pops and cancellations, and checks at every step that
// the keys are sorted or a heap as the queue says, and that pops come in
// (At, Seq) order.
func TestEventHeapModes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lengths []int // the lengths the queue goes to, one after the other
		cancel  int   // cancel every cancel-th event, 0 none
	}{
		{"sorted only", []int{sortedMax, 0, sortedMax / 2, 3, sortedMax}, 0},
		{"into a heap and back", []int{sortedMax + 1, sortedMin, sortedMax + 5, 1, 3 * sortedMax, 0}, 0},
		{"wavering at the edges", []int{sortedMax, sortedMax + 1, sortedMin, sortedMin + 1, sortedMax + 1, sortedMin - 1}, 0},
		{"cancelled, shed in both forms", []int{sortedMax - 4, 2, 4 * sortedMax, sortedMin + 2, 5, 0}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) { checkHeapModes(t, tc.lengths, tc.cancel) })
	}
}

func checkHeapModes(t *testing.T, lengths []int, cancel int) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(len(lengths)), uint64(cancel)))
	h := newHeap()
	var pending []heapKey // the live events pushed and not popped, in order
	var seq uint64
	now := time.Duration(0)
	for _, want := range lengths {
		for h.len() != want {
			if h.len() < want {
				seq++
				at := now + time.Duration(r.IntN(50)) // from now to later, often the same
				if r.IntN(4) == 0 {
					at = now + time.Duration(1000+r.IntN(10)) // after most
				}
				slot, ev := h.push(at, seq)
				ev.At, ev.Seq = at, seq
				k := heapKey{at: at, seq: seq}
				if cancel > 0 && seq%uint64(cancel) == 0 {
					if !h.remove(slot) { // as World.Cancel does
						ev.dead = true
					}
				} else {
					j, _ := slices.BinarySearchFunc(pending, k, func(a, b heapKey) int { return int(b.less(&a)) - int(a.less(&b)) })
					pending = slices.Insert(pending, j, k)
				}
			} else {
				slot := h.pop()
				ev := &h.slab[slot]
				got, dead := heapKey{at: ev.At, seq: ev.Seq}, ev.dead
				h.release(slot)
				now = got.at
				if !dead {
					if len(pending) == 0 || got != pending[0] {
						t.Fatalf("popped (%v, %d), want the earliest pending of %v", got.at, got.seq, head(pending))
					}
					pending = pending[1:]
				}
			}
			checkHeapShape(t, &h)
		}
		if cancel > 0 && want > 0 {
			h.removeDead()
			checkHeapShape(t, &h)
		}
	}
}

// checkHeapShape checks that the keys lie in buf at off, and are sorted
// or a heap as h says, the heap being longer than sortedMin.
func checkHeapShape(t *testing.T, h *eventHeap) {
	t.Helper()
	n := len(h.keys)
	if n > 0 && &h.keys[0] != &h.buf[h.off] {
		t.Fatalf("keys are not at buf[%d]", h.off)
	}
	if h.heap && n <= sortedMin || !h.heap && n > sortedMax {
		t.Fatalf("%d keys, heap %v", n, h.heap)
	}
	for i := 1; i < n; i++ {
		parent := i - 1
		if h.heap {
			parent = (i - 1) / arity
		}
		if h.keys[i].before(&h.keys[parent]) {
			t.Fatalf("heap %v: key %d (%v) before key %d (%v)", h.heap, i, h.keys[i], parent, h.keys[parent])
		}
	}
}

type countHandler struct{ n *int }

func (h countHandler) HandleEvent(*Event)                    { *h.n++ }
func (h countHandler) DescribeEvent(*Event) (string, string) { return "", "" }

// TestCancelShedsShortQueue: a cancelled event leaves a short queue at
// once, and a long one when the queue sheds its cancelled events in bulk;
// either way only the others are processed.
func TestCancelShedsShortQueue(t *testing.T) {
	tests := []struct {
		name        string
		events      int
		cancel      []int // indexes of the events cancelled
		wantPending int   // after the cancellations
	}{
		{"short, the first", 3, []int{0}, 2},
		{"short, the middle and last", 5, []int{2, 4}, 3},
		{"short, all", 2, []int{1, 0}, 0},
		{"long, one", sortedMax + 8, []int{3}, sortedMax + 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(Config{Seed: 1})
			var handled int
			refs := make([]EventRef, tt.events)
			for i := range refs {
				refs[i] = w.ScheduleAt(time.Duration(i%3)*time.Second, OpDataDelivery, uint64(i), 0, countHandler{&handled})
			}
			for _, i := range tt.cancel {
				w.Cancel(refs[i])
				w.Cancel(refs[i]) // a second time does nothing
			}
			if got := w.Pending(); got != tt.wantPending {
				t.Errorf("pending after cancelling: %d, want %d", got, tt.wantPending)
			}
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if want := tt.events - len(tt.cancel); handled != want {
				t.Errorf("%d events handled, want %d", handled, want)
			}
		})
	}
}

// TestSortedAgainIsCentered checks that a heap sorted again on shrinking
// lies in the middle of its buffer, so that a key that goes first takes
// the room before the others instead of moving them all.
func TestSortedAgainIsCentered(t *testing.T) {
	h := newHeap()
	for i := range sortedMax + 5 {
		_, ev := h.push(time.Duration(100+i), uint64(i+1))
		ev.At, ev.Seq = time.Duration(100+i), uint64(i+1)
	}
	for h.heap {
		h.release(h.pop())
	}
	if h.off == 0 {
		t.Fatalf("sorted again at the start of its buffer (off 0, %d keys)", len(h.keys))
	}
	off := h.off
	h.push(1, 1000) // earlier than all
	if h.off != off-1 || h.keys[0].seq != 1000 {
		t.Fatalf("an earliest key: off %d -> %d, first seq %d; want off %d and seq 1000", off, h.off, h.keys[0].seq, off-1)
	}
}
