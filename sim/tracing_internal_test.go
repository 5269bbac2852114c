package sim

import (
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
