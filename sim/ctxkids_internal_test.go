package sim

import (
	"context"
	"testing"
)

// TestChildListsStartRoomy: a context's first child gets a list with room
// for a second, and the first slot a table of eight, so that neither
// grows one child or one slot at a time, each growth an allocation.
func TestChildListsStartRoomy(t *testing.T) {
	w := New(Config{Seed: 1})
	p := w.newCtx(context.Background())
	c := w.newCtx(p)
	if got := cap(p.children()); got != 2 {
		t.Errorf("a first child's list has room for %d, want 2", got)
	}
	if got := cap(w.deadlines.kids.lists); got != 8 {
		t.Errorf("the first slot's table has room for %d, want 8", got)
	}
	c.cancel(context.Canceled, nil)
	w.newCtx(p)
	if got := len(p.children()); got != 1 {
		t.Errorf("after a child's cancel and a new one, %d children, want 1", got)
	}
}
