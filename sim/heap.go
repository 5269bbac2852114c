package sim

import (
	"math/bits"
	"slices"
	"sync"
	"time"
	"unsafe"
)

// eventHeap is the queue of events ordered by (At, Seq). The queue moves
// small keys; the events themselves stay in a slab of slots reused
// through a free list, so steady-state scheduling allocates nothing and
// reordering copies 24 bytes a key instead of a whole event.
//
// A short queue (sortedMax keys or fewer; a seed of a small cluster has
// ten or so) is a sorted array, earliest first, in the middle of a larger
// one: a pop takes the first key and moves nothing, a push tries the
// first and the last place, else scans for its place from the start, and
// moves the keys on the shorter side of it, often none (most events are
// due soon, or after everything queued). A
// longer queue is a 4-ary min-heap: four children to a node halve the
// levels of a binary heap, and a node's children lie next to each other,
// so that a large queue costs fewer cache misses per pop. A sorted array
// is a heap already; a heap that shrinks to sortedMin keys is sorted
// again.
type eventHeap struct {
	keys []heapKey // buf[off : off+len(keys)]
	buf  []heapKey
	off  int
	heap bool // keys is a heap, at the start of buf; else sorted
	slab []Event
	free []uint32
}

// The sizes of the queue at which it turns into a heap (beyond sortedMax)
// and back into a sorted array (at sortedMin), apart enough that a queue
// whose length wavers does not sort itself often.
const (
	sortedMax = 32
	sortedMin = 16
)

type heapKey struct {
	at   time.Duration
	seq  uint64
	slot uint32
}

func (h *eventHeap) len() int { return len(h.keys) }

// before reports whether k comes before o: earlier, or at the same time
// with a smaller seq.
func (k *heapKey) before(o *heapKey) bool { return k.less(o) != 0 }

// less is before as 1 or 0. It compares (at, seq) as one 128-bit number,
// without a branch: which of a node's children is the least is a toss-up
// that a branch would mispredict half the time.
func (k *heapKey) less(o *heapKey) uint64 {
	const sign = 1 << 63 // makes the order of at that of unsigned numbers
	_, borrow := bits.Sub64(k.seq, o.seq, 0)
	_, borrow = bits.Sub64(uint64(k.at)^sign, uint64(o.at)^sign, borrow)
	return borrow
}

// push adds an event at (at, seq) and returns its slab slot, for the
// caller to fill in place: an event is written once, not copied around.
func (h *eventHeap) push(at time.Duration, seq uint64) (uint32, *Event) {
	var slot uint32
	if n := len(h.free); n > 0 {
		slot = h.free[n-1]
		h.free = h.free[:n-1]
	} else {
		slot = uint32(len(h.slab))
		h.slab = append(h.slab, Event{})
	}
	k := heapKey{at: at, seq: seq, slot: slot}
	if !h.heap && len(h.keys) >= sortedMax {
		h.toHeap()
	}
	switch n := len(h.keys); {
	case h.heap:
		if n == len(h.buf) {
			h.growHeap()
		}
		keys := h.buf[:n+1]
		h.keys = keys
		i := n
		for i > 0 {
			parent := (i - 1) / arity
			if !k.before(&keys[parent]) {
				break
			}
			keys[i] = keys[parent]
			i = parent
		}
		keys[i] = k
	case n > 0 && h.off > 0 && k.before(&h.keys[0]):
		// First, as more than half of a small cluster's events are.
		h.off--
		h.keys = h.buf[h.off : h.off+n+1]
		h.keys[0] = k
	default:
		h.insert(k)
	}
	return slot, &h.slab[slot]
}

// insert adds k to the sorted keys (push has tried the first place).
// Its place is found from the end, then from the start: in a small
// cluster's seed, most events that do not go first go last or among the
// first few. The keys on the shorter side of it move by one.
func (h *eventHeap) insert(k heapKey) {
	n := len(h.keys)
	if n == 0 || !k.before(&h.keys[n-1]) {
		if h.off+n == len(h.buf) {
			h.center(n + 1)
		}
		h.keys = h.buf[h.off : h.off+n+1]
		h.keys[n] = k
		return
	}
	i := 0
	for h.keys[i].before(&k) { // stops at n-1 at the latest
		i++
	}
	if i < n-i && h.off > 0 {
		h.off--
		keys := h.buf[h.off : h.off+n+1]
		for j := 0; j < i; j++ {
			keys[j] = keys[j+1]
		}
		keys[i] = k
		h.keys = keys
		return
	}
	if h.off+n == len(h.buf) {
		h.center(n + 1)
	}
	keys := h.buf[h.off : h.off+n+1]
	for j := n; j > i; j-- {
		keys[j] = keys[j-1]
	}
	keys[i] = k
	h.keys = keys
}

// center moves the sorted keys to the middle of buf, grown if it cannot
// hold want keys and room on both sides.
func (h *eventHeap) center(want int) {
	if len(h.buf) < 2*want {
		buf := make([]heapKey, max(2*len(h.buf), 4*sortedMax))
		h.off = (len(buf) - len(h.keys)) / 2
		h.keys = buf[h.off : h.off+copy(buf[h.off:], h.keys)]
		h.buf = buf
		return
	}
	off := (len(h.buf) - want) / 2
	n := copy(h.buf[off:], h.keys)
	h.off, h.keys = off, h.buf[off:off+n]
}

// toHeap turns the sorted keys into a heap, at the start of buf: a
// sorted array is a heap already.
func (h *eventHeap) toHeap() {
	h.off, h.keys = 0, h.buf[:copy(h.buf, h.keys)]
	h.heap = true
}

// growHeap doubles buf, which the heap fills.
func (h *eventHeap) growHeap() {
	buf := make([]heapKey, max(2*len(h.buf), 4*sortedMax))
	copy(buf, h.keys)
	h.buf = buf
}

// pop removes the earliest event from the order and returns its slot,
// which stays reserved, so that the event can be handled in place, until
// release. The queue must not be empty.
func (h *eventHeap) pop() uint32 {
	top := h.keys[0].slot
	if !h.heap {
		h.keys = h.keys[1:]
		h.off++
		if len(h.keys) == 0 {
			h.empty()
		}
		return top
	}
	last := len(h.keys) - 1
	h.keys[0] = h.keys[last]
	h.keys = h.keys[:last]
	if last > 1 {
		h.down(0)
	}
	if last <= sortedMin {
		h.sortKeys()
	}
	return top
}

// empty leaves no key, in the middle of buf.
func (h *eventHeap) empty() {
	h.off = len(h.buf) / 2
	h.keys = h.buf[h.off:h.off]
	h.heap = false
}

// sortKeys turns the heap into a sorted array, in the middle of buf: a
// heap lies at its start, where a key that goes first would move them all.
func (h *eventHeap) sortKeys() {
	slices.SortFunc(h.keys, func(a, b heapKey) int { return int(b.less(&a)) - int(a.less(&b)) })
	h.heap = false
	h.center(len(h.keys))
}

// remove drops the event in slot from the sorted keys and frees its
// slot, moving the keys on the shorter side of it. It does nothing and
// returns false when the keys are a heap (the World marks the event
// cancelled and sheds it later) or hold no such event.
func (h *eventHeap) remove(slot uint32) bool {
	if h.heap {
		return false
	}
	keys, n := h.keys, len(h.keys)
	i := 0
	for i < n && keys[i].slot != slot {
		i++
	}
	switch {
	case i == n:
		return false
	case n == 1:
		h.empty()
	case i < n-1-i:
		for j := i; j > 0; j-- {
			keys[j] = keys[j-1]
		}
		h.off++
		h.keys = keys[1:]
	default:
		for j := i; j < n-1; j++ {
			keys[j] = keys[j+1]
		}
		h.keys = keys[:n-1]
	}
	h.release(slot)
	return true
}

// release frees the slot of a popped event. Its seq is cleared, so that
// cancelling the event now finds nothing, and its handler dropped.
func (h *eventHeap) release(slot uint32) {
	ev := &h.slab[slot]
	ev.Seq, ev.h = 0, nil
	h.free = append(h.free, slot)
}

// warm starts loading what the next events' processing will read, while
// the current one, in slot cur, is processed: with many events queued,
// each is far from the cache, and a wake-up otherwise waits for its
// event's slot, its task, its coroutine, then its goroutine, one after the
// other. It asks for the slot of the event after next (the earliest of
// the root's children, by time alone: a guess is enough); from the slot
// of the next event, which the previous call asked for, for the fields of
// the task it wakes; and, from the current event's task's coroutine, which
// World.resumed asked for after the previous event, for what the switch
// to that task reads.
func (h *eventHeap) warm(cur uint32) {
	keys := h.keys
	n := len(keys)
	if n < warmMin {
		return
	}
	if tt, ok := h.slab[cur].h.(*taskTimer); ok {
		warmSwitch((*Task)(tt))
	}
	if n > 1 {
		m, at := 1, keys[1].at
		for j := 2; j <= arity && j < n; j++ {
			if a := keys[j].at; a < at {
				m, at = j, a
			}
		}
		ev := uintptr(unsafe.Pointer(&h.slab[keys[m].slot]))
		prefetch(ev)
		prefetch(ev + unsafe.Sizeof(Event{}) - 1)
	}
	if tt, ok := h.slab[keys[0].slot].h.(*taskTimer); ok {
		warmTask((*Task)(tt))
	}
}

// warmMin is the length of a queue from which the loop warms the cache
// for the next events (warm, World.resumed): a shorter queue's events and
// tasks stay in the cache, and the hints would only cost their call.
const warmMin = 512

// nextSleeper returns the task the next event wakes, if it is a sleeping task's
// timer and the queue is long enough to warm.
func (h *eventHeap) nextSleeper() *Task {
	if len(h.keys) < warmMin {
		return nil
	}
	if tt, ok := h.slab[h.keys[0].slot].h.(*taskTimer); ok {
		return (*Task)(tt)
	}
	return nil
}

// peekAt returns the time of the earliest event.
func (h *eventHeap) peekAt() time.Duration { return h.keys[0].at }

// peek returns the earliest event without removing it.
func (h *eventHeap) peek() *Event { return &h.slab[h.keys[0].slot] }

// removeDead drops every cancelled event, then restores the order: how
// a World sheds cancelled timers in bulk, so that a run that cancels most
// of what it schedules (deadlines met early) keeps a queue the size of its
// live events.
func (h *eventHeap) removeDead() {
	keys := h.keys[:0]
	for _, k := range h.keys {
		if h.slab[k.slot].dead {
			h.slab[k.slot] = Event{}
			h.free = append(h.free, k.slot)
			continue
		}
		keys = append(keys, k)
	}
	h.keys = keys
	switch n := len(keys); {
	case n == 0:
		h.empty()
	case !h.heap:
		// still sorted
	case n <= sortedMin:
		h.sortKeys()
	default:
		for i := (n - 2) / arity; i >= 0; i-- {
			h.down(i)
		}
	}
}

// arity is the number of children of a node of the heap.
const arity = 4

// down sifts the key at i down to its place.
func (h *eventHeap) down(i int) {
	keys, n := h.keys, len(h.keys)
	k := keys[i]
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		// The least of the (up to four) children.
		var m int
		if c+arity <= n {
			m = c + least4((*[arity]heapKey)(keys[c:c+arity]))
		} else {
			m = c
			for j := c + 1; j < n; j++ {
				if keys[j].before(&keys[m]) {
					m = j
				}
			}
		}
		if !keys[m].before(&k) {
			break
		}
		keys[i] = keys[m]
		i = m
	}
	keys[i] = k
}

// least4 returns the index of the least of four keys, in two rounds of
// comparisons whose outcomes are computed with, not branched on.
func least4(cs *[arity]heapKey) int {
	a := cs[1].less(&cs[0])         // 0 or 1
	b := 2 + cs[3].less(&cs[2])     // 2 or 3
	take := -cs[b&3].less(&cs[a&3]) // all ones if b is less
	return int(a ^ (a^b)&take)
}

// spareHeaps keeps the queues of finished runs, so that a sweep of many
// seeds does not grow a queue from nothing for each one.
var spareHeaps sync.Pool

// recycle hands the queue's arrays to the next World and leaves this one
// with none: a finished run schedules nothing more.
func (h *eventHeap) recycle() {
	clear(h.slab)
	spare := &eventHeap{buf: h.buf, slab: h.slab[:0], free: h.free[:0]}
	spare.empty()
	*h = eventHeap{}
	spareHeaps.Put(spare)
}

// newHeap returns an empty queue, reusing a finished run's arrays.
func newHeap() eventHeap {
	if h, ok := spareHeaps.Get().(*eventHeap); ok {
		return *h
	}
	return eventHeap{}
}
