package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

func TestSameSeedSameTrace(t *testing.T) {
	for seed := range uint64(20) {
		var a, b bytes.Buffer
		h1, err := run(seed, 5, &a, "trace", nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		h2, _ := run(seed, 5, &b, "", nil)
		if h1 != h2 {
			t.Errorf("seed %d: hash %#x with a trace, %#x without", seed, h1, h2)
		}
		var c bytes.Buffer
		run(seed, 5, &c, "trace", nil)
		if a.String() != c.String() {
			t.Errorf("seed %d: two runs printed different traces", seed)
		}
	}
}

// TestTimelineReplays: a timeline of pingpong, branched twice, runs the
// same traced and untraced and twice over, differs from its root seed's
// run, and marks its branch points in the trace.
func TestTimelineReplays(t *testing.T) {
	const seed = 3
	var root bytes.Buffer
	rootHash, err := run(seed, 5, &root, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	tl := sim.Timeline{{At: 2, Seed: 0x5eed}, {At: 1, Seed: 0xf00d}}
	var a, b, c bytes.Buffer
	h1, err := runTimeline(seed, tl, 5, &a, "trace", nil)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := runTimeline(seed, tl, 5, &b, "", nil)
	runTimeline(seed, tl, 5, &c, "trace", nil)
	if h1 != h2 || a.String() != c.String() {
		t.Errorf("timeline %v: hash %#x traced, %#x untraced; traces equal: %v", tl, h1, h2, a.String() == c.String())
	}
	if h1 == rootHash {
		t.Errorf("timeline %v runs as its root seed (hash %#x)", tl, h1)
	}
	for _, br := range tl {
		if !strings.Contains(a.String(), br.String()) {
			t.Errorf("trace lacks the branch point %s:\n%s", br, a.String())
		}
	}
}
