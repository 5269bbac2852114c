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
