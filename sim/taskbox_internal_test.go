package sim

import (
	"testing"
	"unsafe"
)

// TestTaskBoxSize pins what a spawn allocates, a task and its context in
// 216 bytes, 28 to a chunk (288 bytes and 21 when the task kept what only
// its coroutine needs while it runs), and that the fields a switch and a
// wake-up read lie within the first line of the task after its name and
// the first line of its coroutine, which warmTask and warmCoro ask for.
func TestTaskBoxSize(t *testing.T) {
	var task Task
	var c coro
	exact := []struct {
		name      string
		got, want uintptr
	}{
		{"task and context", unsafe.Sizeof(taskBox{}), 216},
		{"tasks a chunk", uintptr(taskChunk), 28},
	}
	for _, tt := range exact {
		if tt.got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	within := []struct {
		name     string
		end, max uintptr
	}{
		{"task, from w to host", unsafe.Offsetof(task.host) + 8 - unsafe.Offsetof(task.w), 64},
		{"coroutine, from next to ctxIdx", unsafe.Offsetof(c.ctxIdx) + 4, 64},
	}
	for _, tt := range within {
		if tt.end > tt.max {
			t.Errorf("%s: %d bytes, want at most %d", tt.name, tt.end, tt.max)
		}
	}
}
