package sim

import (
	"testing"
	"unsafe"
)

// TestTaskBoxSize pins what a spawn allocates beside its context: a task
// of 72 bytes (144 when it kept what only its coroutine needs while it
// runs), with its context in one box, taskChunk to a chunk of 6 KiB; and
// that the fields a switch and a wake-up read lie within the first line of
// the task after its name and the first line of its coroutine, which
// warmTask and warmCoro ask for.
func TestTaskBoxSize(t *testing.T) {
	var task Task
	var c coro
	box := unsafe.Sizeof(taskBox{})
	exact := []struct {
		name      string
		got, want uintptr
	}{
		{"task", unsafe.Sizeof(task), 72},
		{"task and context", box, unsafe.Sizeof(simCtx{}) + unsafe.Sizeof(task)},
		{"tasks a chunk", uintptr(taskChunk), (6<<10 - 8) / box},
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
