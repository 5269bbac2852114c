package callsite

import (
	"reflect"
	"strings"
	"testing"
)

func TestIsEngine(t *testing.T) {
	tests := []struct {
		fn, file string
		want     bool
	}{
		{"github.com/orrerysim/orrery/sim.(*Task).body", "/src/orrery/sim/task.go", true},
		{"github.com/orrerysim/orrery/netsim.(*Conn).Read", "/src/orrery/netsim/conn.go", true},
		{"github.com/orrerysim/orrery/internal/watchdog.Watch", "/src/orrery/internal/watchdog/watchdog.go", true},
		{"github.com/orrerysim/orrery.(*Simulation).run", "/src/orrery/simulation.go", true},
		{"github.com/orrerysim/orrery.TestRun.func1", "/src/orrery/runner_test.go", false},
		{"github.com/orrerysim/orrery/sim_test.TestX.func2", "/src/orrery/sim/x_test.go", false},
		{"github.com/orrerysim/orrery/examples/bank.(*Server).apply", "/src/orrery/examples/bank/server.go", false},
		{"github.com/orrerysim/orreryx.F", "/src/orreryx/f.go", false},
		{"runtime.gopanic", "/go/src/runtime/panic.go", true},
		{"runtime/debug.Stack", "/go/src/runtime/debug/stack.go", true},
		{"iter.Pull[...].func1", "/go/src/iter/iter.go", true},
		{"internal/runtime/maps.fatal", "/go/src/internal/runtime/maps/map.go", true},
		{"strings.Index", "/go/src/strings/strings.go", false},
		{"example.com/bank.(*Server).apply", "/src/bank/server.go", false},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			if got := IsEngine(Frame{Function: tt.fn, File: tt.file}); got != tt.want {
				t.Errorf("IsEngine(%s) = %v, want %v", tt.fn, got, tt.want)
			}
		})
	}
}

func TestWhereSkipsTheStandardLibrary(t *testing.T) {
	if !strings.HasSuffix(goroot, "/") {
		t.Fatalf("goroot = %q, want the directory of the standard library's sources", goroot)
	}
	frames := []Frame{
		{Function: "sync.(*Mutex).Lock", File: goroot + "sync/mutex.go", Line: 3},
		{Function: "example.com/bank.(*Server).apply", File: "/src/bank/server.go", Line: 42},
	}
	if got := Where(frames); got != "bank/server.go:42" {
		t.Errorf("Where = %q, want the caller of sync.Mutex.Lock", got)
	}
}

func TestUserKeepsAllWhenNoneIsTheUsers(t *testing.T) {
	engine := []Frame{{Function: "runtime.gopark", File: "/go/src/runtime/proc.go", Line: 1}}
	if got := User(engine); !reflect.DeepEqual(got, engine) {
		t.Errorf("User = %v, want the frames whole", got)
	}
	if got := Where(engine); got != "" {
		t.Errorf("Where = %q, want none", got)
	}
}

const dump = `goroutine 7 [chan receive]:
github.com/orrerysim/orrery/sim_test.parkHere(0xc000012345?)
	/home/u/orrery/sim/x_test.go:12 +0x1d
github.com/orrerysim/orrery/sim.(*Task).body(0xc0000a4000, 0xc0000b6000)
	/home/u/orrery/sim/task.go:170 +0x5e
created by iter.Pull[...] in goroutine 6
	/usr/local/go/src/iter/iter.go:68 +0x10b
`

func TestParseGoroutine(t *testing.T) {
	state, frames, args := ParseGoroutine(dump)
	if state != "chan receive" {
		t.Errorf("state %q", state)
	}
	want := []Frame{
		{"github.com/orrerysim/orrery/sim_test.parkHere", "/home/u/orrery/sim/x_test.go", 12},
		{"github.com/orrerysim/orrery/sim.(*Task).body", "/home/u/orrery/sim/task.go", 170},
	}
	if !reflect.DeepEqual(frames, want) {
		t.Errorf("frames %+v, want %+v", frames, want)
	}
	if !reflect.DeepEqual(args, []string{"0xc000012345?", "0xc0000a4000, 0xc0000b6000"}) {
		t.Errorf("args %q", args)
	}
	got := Format(User(frames))
	if got != "github.com/orrerysim/orrery/sim_test.parkHere\n\tsim/x_test.go:12\n" {
		t.Errorf("Format(User) = %q", got)
	}
	if w := Where(frames); w != "sim/x_test.go:12" {
		t.Errorf("Where = %q", w)
	}
}

func callersHere() []Frame { return Callers(0, 8) }

func TestCallers(t *testing.T) {
	frames := callersHere()
	if len(frames) < 2 || !strings.HasSuffix(frames[0].Function, ".callersHere") ||
		!strings.HasSuffix(frames[1].Function, ".TestCallers") {
		t.Fatalf("Callers = %+v", frames)
	}
	if w := Where(frames); !strings.HasPrefix(w, "callsite/stack_test.go:") {
		t.Errorf("Where = %q", w)
	}
}
