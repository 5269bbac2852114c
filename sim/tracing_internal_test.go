package sim

import (
	"slices"
	"testing"

	"github.com/orrerysim/orrery/trace"
)

// TestJSONQueueDropShrinks: a queue kept for another run lets go of the
// room that a record of many attributes or long strings grew, and keeps
// the room it was made with.
func TestJSONQueueDropShrinks(t *testing.T) {
	q := newJSONQueue()
	q.drop()
	if cap(q.attrs) != queueAttrs || cap(q.strs) != queueBytes {
		t.Fatalf("a new queue dropped: room for %d attributes and %d bytes, want %d and %d", cap(q.attrs), cap(q.strs), queueAttrs, queueBytes)
	}
	q.attrs = append(q.attrs, make([]trace.Attr, 5*queueAttrs)...)
	q.strs = append(q.strs, make([]byte, 5*queueBytes)...)
	q.drop()
	if cap(q.attrs) != queueAttrs || cap(q.strs) != queueBytes || len(q.attrs) != 0 || len(q.strs) != 0 {
		t.Fatalf("a grown queue dropped: room for %d attributes and %d bytes, want %d and %d", cap(q.attrs), cap(q.strs), queueAttrs, queueBytes)
	}
}

// TestShowsKind: whether the text trace shows a kind's events, remembered
// after the first time it is asked, is what the filter says, for every
// kind and a kind beyond the named ones, asked in either order.
func TestShowsKind(t *testing.T) {
	kinds := []Kind{kindNone, KindTimer, KindNetwork, KindStorage, KindProcessRestart, Kind(len(kindNames) + 3)}
	for _, filter := range []string{"trace", "info", "netsim=trace,info", "sim=trace,netsim=info", "process=trace,disksim=trace,warn"} {
		f, err := trace.ParseFilter(filter)
		if err != nil {
			t.Fatal(err)
		}
		backward := slices.Clone(kinds)
		slices.Reverse(backward)
		for _, order := range [][]Kind{kinds, backward} {
			tr := tracer{filter: f}
			for range 2 {
				for _, k := range order {
					if got, want := tr.showsKind(k), f.Enabled(k.Package(), trace.LevelTrace); got != want {
						t.Errorf("%s: showsKind(%v) = %v, want %v", filter, k, got, want)
					}
				}
			}
		}
	}
}
