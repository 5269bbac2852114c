package sim

import (
	"context"
	"testing"
	"time"
)

type valueKey struct{}

// TestContextChildrenSlots checks the bookkeeping of contexts' children:
// a context linked to its parent directly or through a context of the
// standard library holding a value leaves its parent's list when it is
// cancelled, and a slot is freed when its context is cancelled or its
// task ends with no child left, so that slots do not pile up.
func TestContextChildrenSlots(t *testing.T) {
	tests := []struct {
		name   string
		parent func(ctx context.Context) context.Context
	}{
		{"direct", func(ctx context.Context) context.Context { return ctx }},
		{"through a value", func(ctx context.Context) context.Context { return context.WithValue(ctx, valueKey{}, 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(Config{})
			var kept context.Context
			var keptCancel context.CancelFunc
			task := w.Spawn("requester", func(ctx context.Context) {
				for range 1000 {
					c, cancel := WithTimeout(tt.parent(ctx), time.Second)
					g, gcancel := WithCancel(c)
					cancel()
					if g.Err() == nil {
						t.Error("a grandchild outlived its cancelled parent")
					}
					gcancel()
				}
				if n := len(ctx.(*simCtx).children()); n != 0 {
					t.Errorf("%d children left in the task's context, want none", n)
				}
				kept, keptCancel = WithCancel(tt.parent(ctx)) // outlives the task
			})
			w.Spawn("after", func(ctx context.Context) {
				task.Join(ctx)
				if task.ctx.kids == 0 || task.ctx.foreignIdx < 0 {
					t.Error("a finished task's context with a child left its parent")
				}
				keptCancel()
				if task.ctx.kids != 0 || task.ctx.foreignIdx >= 0 {
					t.Error("a finished task's context kept its slot or its link after its last child left")
				}
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if kept.Err() == nil {
				t.Error("the kept context was not cancelled")
			}
			if n := len(w.deadlines.kids.lists); n > 8 {
				t.Errorf("%d slots of children made, want few", n)
			}
		})
	}
}

// TestQuickPathsAsGeneral checks that the short paths of WithTimeout and
// of a CancelFunc leave a context as the general ones do.
func TestQuickPathsAsGeneral(t *testing.T) {
	clockOf := func(w *World) *HostClock { return NewHostClock(w, "h", time.Second, 300) }
	tests := []struct {
		name  string
		clock func(w *World) *HostClock
	}{
		{"world", func(*World) *HostClock { return nil }},
		{"host clock", clockOf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(Config{})
			clock := tt.clock(w)
			w.Spawn("requester", func(ctx context.Context) {
				p := ctx.(*simCtx)
				at, shownAt, due := w.now+time.Second, w.now+2*time.Second, 3*time.Second
				if clock == nil {
					due = 0
				}
				quick := w.quickDeadline(p, at, shownAt, clock, due)
				qcancel := quick.cancelFunc()
				slow, scancel := w.slowDeadline(ctx, at, shownAt, clock, due)
				compare := func(when string) {
					t.Helper()
					if quick.errc != slow.errc || quick.bits != slow.bits || quick.deadline != slow.deadline ||
						quick.shownAt != slow.shownAt || quick.task != slow.task || quick.parent != slow.parent ||
						quick.kids != slow.kids || (quick.dl == 0) != (slow.dl == 0) {
						t.Errorf("%s: quick %+v, general %+v", when, *quick, *slow)
					}
					if quick.dl != 0 && w.deadlines.keys[quick.dl-1].clock != w.deadlines.keys[slow.dl-1].clock {
						t.Errorf("%s: the deadlines wait on different clocks", when)
					}
				}
				compare("made")
				if got := len(p.children()); got != 2 {
					t.Fatalf("%d children of the task's context, want 2", got)
				}
				qcancel() // the short path
				slow.cancel(context.Canceled, nil)
				compare("cancelled")
				if quick.foreignIdx != -1 || slow.foreignIdx != -1 {
					t.Errorf("cancelled contexts still linked: %d, %d", quick.foreignIdx, slow.foreignIdx)
				}
				scancel()
				if got := len(p.children()); got != 0 || len(w.deadlines.keys) != 0 {
					t.Errorf("%d children and %d deadlines left, want none", got, len(w.deadlines.keys))
				}
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestQuickDeadlineMakesRoom checks quickDeadline and the CancelFunc's
// short path where room must be made or the context is not the last: a
// new chunk of contexts, a parent's first child and a full list of
// children, a full heap, a deadline earlier than those pending, and
// contexts cancelled in another order than they were made. Each quick
// context is compared with one the general path made beside it, and the
// heap and the parent's children are checked after every step.
func TestQuickDeadlineMakesRoom(t *testing.T) {
	w := New(Config{})
	clock := NewHostClock(w, "h", time.Second, 0)
	w.Spawn("requester", func(ctx context.Context) {
		p := ctx.(*simCtx)
		type pair struct {
			quick, slow      *simCtx
			qcancel, scancel func()
		}
		var live []pair
		for r := range 3 * ctxChunk {
			at := w.now + time.Duration(r%7+1)*time.Millisecond
			var hc *HostClock
			if r%2 == 1 {
				hc = clock
			}
			q := w.quickDeadline(p, at, at+1, hc, at+2)
			s, scancel := w.slowDeadline(ctx, at, at+1, hc, at+2)
			live = append(live, pair{q, s, q.cancelFunc(), scancel})
			if q.errc != s.errc || q.bits != s.bits || q.deadline != s.deadline || q.shownAt != s.shownAt ||
				q.task != s.task || q.parent != s.parent || q.kids != s.kids || w.deadlines.keys[q.dl-1].clock != hc {
				t.Fatalf("round %d: quick %+v, general %+v", r, *q, *s)
			}
			checkDeadlineHeap(t, w, p)
			if r%3 == 2 { // cancel one made before, not the last
				i := (r * 5) % len(live)
				live[i].qcancel()
				live[i].scancel()
				if live[i].quick.Err() != context.Canceled || live[i].quick.foreignIdx != -1 || live[i].quick.dl != 0 {
					t.Fatalf("round %d: a cancelled context: %+v", r, *live[i].quick)
				}
				live = append(live[:i], live[i+1:]...)
				checkDeadlineHeap(t, w, p)
			}
			if r%11 == 10 { // cancel them all, the newest first: p's list is empty, its slot kept
				for i := len(live) - 1; i >= 0; i-- {
					live[i].qcancel()
					live[i].scancel()
				}
				live = live[:0]
				checkDeadlineHeap(t, w, p)
			}
		}
		for _, l := range live {
			l.scancel()
			l.qcancel()
		}
		if len(w.deadlines.keys) != 0 || len(p.children()) != 0 {
			t.Errorf("%d deadlines and %d children left", len(w.deadlines.keys), len(p.children()))
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
}

// checkDeadlineHeap fails t unless the deadline heap is ordered and each
// key's context knows its index, and every child of p knows its own.
func checkDeadlineHeap(t *testing.T, w *World, p *simCtx) {
	t.Helper()
	keys := w.deadlines.keys
	for i := range keys {
		if int(keys[i].c.dl) != i+1 {
			t.Fatalf("key %d: its context's dl is %d", i, keys[i].c.dl)
		}
		if i > 0 && keys[i].before(&keys[(i-1)/2]) {
			t.Fatalf("key %d comes before its parent", i)
		}
	}
	for i, e := range p.children() {
		if e.c != nil && int(e.c.foreignIdx) != i {
			t.Fatalf("child %d: its foreignIdx is %d", i, e.c.foreignIdx)
		}
	}
	// Nothing left beyond the lengths for the collector to keep.
	for _, k := range keys[len(keys):cap(keys)] {
		if k.c != nil || k.clock != nil {
			t.Fatal("a removed deadline key still points to its context or clock")
		}
	}
	if kids := p.children(); kids != nil {
		for _, e := range kids[len(kids):cap(kids)] {
			if e != (ctxChild{}) {
				t.Fatal("a removed child is still in its parent's list")
			}
		}
	}
}
