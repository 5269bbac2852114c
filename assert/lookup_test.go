package assert_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// TestWorldsTakeTurns evaluates assertions in two Worlds in turn, their
// tasks stepping alternately: each World counts its own evaluations.
func TestWorldsTakeTurns(t *testing.T) {
	worlds := make([]*sim.World, 2)
	for i := range worlds {
		w := sim.New(sim.Config{Seed: uint64(i)})
		w.Spawn("t", func(ctx context.Context) {
			for range 3 + i {
				assert.Sometimes(ctx, true, "turns")
				assert.Always(ctx, true, "turns "+strconv.Itoa(i))
				sim.Yield(ctx)
			}
		})
		worlds[i] = w
	}
	for range 10 {
		for _, w := range worlds {
			if err := w.Step(); err != nil && err != sim.ErrIdle {
				t.Fatal(err)
			}
		}
	}
	for i, w := range worlds {
		got := rows(w)
		if len(got) != 2 {
			t.Fatalf("world %d: %d results, want 2: %v", i, len(got), got)
		}
		for _, r := range got {
			if r.Evaluated != uint64(3+i) || (r.Message == "turns "+strconv.Itoa(1-i)) {
				t.Errorf("world %d: %+v, want %d evaluations of its own messages", i, r, 3+i)
			}
		}
	}
}

// TestManyMessages evaluates more messages than a registry keeps at hand,
// each under a constant and a freshly built string of the same text: a
// text is one assertion, however many strings carry it.
func TestManyMessages(t *testing.T) {
	const n = 40
	w, err := runTask(1, func(ctx context.Context) {
		for round := range 3 {
			for i := range n {
				built := fmt.Sprintf("message %02d", i)
				assert.Always(ctx, true, built)
				assert.Always(ctx, true, strings.Clone(built))
				if i == 7 {
					assert.Always(ctx, true, "message 07")
				}
			}
			_ = round
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	got := rows(w)
	if len(got) != n {
		t.Fatalf("%d results, want %d", len(got), n)
	}
	for _, r := range got {
		want := uint64(6)
		if r.Message == "message 07" {
			want = 9
		}
		if r.Evaluated != want || r.Passed != want {
			t.Errorf("%s: evaluated %d, passed %d, want %d", r.Message, r.Evaluated, r.Passed, want)
		}
	}
}

// TestLocationPerRun: a message first evaluated at one line in one run and
// at another in the next is located at each run's first.
func TestLocationPerRun(t *testing.T) {
	for _, a := range []bool{true, false, true} {
		w, err := runTask(1, func(ctx context.Context) {
			if a {
				assert.Sometimes(ctx, true, "per run") // site a
			}
			assert.Sometimes(ctx, true, "per run") // site b
		})
		if err != nil {
			t.Fatal(err)
		}
		want := lineIn(t, "lookup_test.go", "// site b")
		if a {
			want = lineIn(t, "lookup_test.go", "// site a")
		}
		if got := assert.Results(w)[0].Location; got != want {
			t.Errorf("first at a %v: Location %q, want %q", a, got, want)
		}
	}
}

// lineIn returns "assert/file:N" for the first line of file that
// contains s.
func lineIn(t *testing.T, file, s string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, s) && !strings.Contains(line, "lineIn(") {
			return "assert/" + file + ":" + strconv.Itoa(i+1)
		}
	}
	t.Fatalf("no line of %s contains %q", file, s)
	return ""
}
