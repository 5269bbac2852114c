package orrery

import (
	"strings"
	"testing"
	"time"
)

type status struct {
	ID     uint64
	Leader bool
	term   int
}

type named string

func (n named) String() string { return "node " + string(n) }

// TestDescribe: a published value prints in one line, pointers followed,
// map keys in order, no address, bounded.
func TestDescribe(t *testing.T) {
	s1, s2 := &status{ID: 1, Leader: true, term: 3}, &status{ID: 2, term: 3}
	var nilStatus *status
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, "nil"},
		{"int", 7, "7"},
		{"pointer to a struct", s1, "{ID:1 Leader:true term:3}"},
		{"map of pointers", map[uint64]*status{10: s2, 2: s1}, "map[2:{ID:1 Leader:true term:3} 10:{ID:2 Leader:false term:3}]"},
		{"nil pointer", nilStatus, "nil"},
		{"stringer", named("kv-1"), "node kv-1"},
		{"channel and func", struct {
			C chan int
			F func()
		}{make(chan int), func() {}}, "{C:chan int F:func()}"},
		{"slice", []any{1, "a", nil, time.Second}, "[1 a nil 1s]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := describe(tc.v); got != tc.want {
				t.Errorf("describe = %q, want %q", got, tc.want)
			}
		})
	}
	long := describe(strings.Repeat("x", 1000))
	if len(long) != maxValue+3 || !strings.HasSuffix(long, "...") {
		t.Errorf("a long value: %d bytes", len(long))
	}
	type node struct{ Next *node }
	loop := &node{}
	loop.Next = loop
	if got := describe(loop); !strings.Contains(got, "...") {
		t.Errorf("a cycle: %q", got)
	}
}
