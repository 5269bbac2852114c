package sim_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// draws runs a world of seed 5 on timeline t whose one task draws n values
// of the main stream, and returns them with the trace hash and the text
// trace.
func draws(t *testing.T, tl sim.Timeline, n int) ([]uint64, uint64, string) {
	t.Helper()
	var buf bytes.Buffer
	w := sim.New(sim.Config{Seed: 5, Name: "draws", Log: &buf, LogFilter: "info"})
	if err := w.SetTimeline(tl); err != nil {
		t.Fatal(err)
	}
	var got []uint64
	w.Spawn("drawer", func(ctx context.Context) {
		for range n {
			got = append(got, w.Rand().Uint64())
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return got, w.TraceHash(), buf.String()
}

func TestTimelineBranches(t *testing.T) {
	root, rootHash, _ := draws(t, nil, 12)
	tests := []struct {
		name string
		tl   sim.Timeline
		same int // leading draws equal to the root's
	}{
		{"empty", nil, 12},
		{"at 4", sim.Timeline{{At: 4, Seed: 9}}, 4},
		{"at 0", sim.Timeline{{At: 0, Seed: 9}}, 0},
		{"past the end", sim.Timeline{{At: 100, Seed: 9}}, 12},
		{"two points", sim.Timeline{{At: 3, Seed: 9}, {At: 2, Seed: 8}}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, hash, _ := draws(t, tc.tl, 12)
			if !slices.Equal(got[:tc.same], root[:tc.same]) {
				t.Errorf("draws before the branch differ from the root's")
			}
			if tc.same < 12 && got[tc.same] == root[tc.same] {
				t.Errorf("draw %d after the branch is the root's", tc.same)
			}
			again, hash2, _ := draws(t, tc.tl, 12)
			if !slices.Equal(got, again) || hash != hash2 {
				t.Errorf("two runs of the timeline differ")
			}
			if (hash == rootHash) != (tc.same == 12) {
				t.Errorf("trace hash %#x vs root %#x: want equal only when no branch is taken", hash, rootHash)
			}
		})
	}
}

// TestTimelineComposes: a second branch point continues from the first, so
// that a child timeline shares its parent's draws up to its own point.
func TestTimelineComposes(t *testing.T) {
	parent, _, _ := draws(t, sim.Timeline{{At: 3, Seed: 9}}, 12)
	child, _, _ := draws(t, sim.Timeline{{At: 3, Seed: 9}, {At: 4, Seed: 1}}, 12)
	if !slices.Equal(parent[:7], child[:7]) || parent[7] == child[7] {
		t.Errorf("child draws %x, parent %x: want the first 7 shared", child, parent)
	}
	moved, _, _ := draws(t, sim.Timeline{{At: 3, Seed: 1}}, 12)
	if !slices.Equal(moved[3:], draws2(t, 1, 9)) {
		t.Errorf("after a branch the stream is not that of the branch's seed from its start")
	}
}

// draws2 is the first n draws of a root run of seed s past calls 0.
func draws2(t *testing.T, s uint64, n int) []uint64 {
	got, _, _ := draws(t, sim.Timeline{{At: 0, Seed: s}}, n)
	return got
}

func TestTimelineTraceMark(t *testing.T) {
	_, _, text := draws(t, sim.Timeline{{At: 2, Seed: 0x9}, {At: 1, Seed: 0x8}}, 5)
	for _, want := range []string{"2@0x9", "1@0x8"} {
		if !strings.Contains(text, want) {
			t.Errorf("trace lacks the branch point %s:\n%s", want, text)
		}
	}
}

func TestParseTimeline(t *testing.T) {
	tests := []struct {
		in      string
		want    sim.Timeline
		wantErr bool
	}{
		{"", nil, false},
		{"151@0x2a", sim.Timeline{{151, 0x2a}}, false},
		{"151@0x2a, 80@7", sim.Timeline{{151, 0x2a}, {80, 7}}, false},
		{"0@0x0", sim.Timeline{{0, 0}}, false},
		{"151", nil, true},
		{"x@0x2a", nil, true},
		{"015@1", nil, true},
		{"1@zz", nil, true},
		{"1@0x2a,", nil, true},
	}
	for _, tc := range tests {
		got, err := sim.ParseTimeline(tc.in)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("ParseTimeline(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err == nil && got.String() != strings.ReplaceAll(strings.ReplaceAll(tc.in, " ", ""), "@7", "@0x7") {
			t.Errorf("ParseTimeline(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestSetTimelineLate(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	w.Rand().Uint64()
	if err := w.SetTimeline(sim.Timeline{{1, 1}}); err == nil {
		t.Error("SetTimeline after a draw: no error")
	}
}

func FuzzParseTimeline(f *testing.F) {
	f.Add("151@0x2a,80@7")
	f.Fuzz(func(t *testing.T, s string) {
		tl, err := sim.ParseTimeline(s)
		if err != nil {
			return
		}
		back, err := sim.ParseTimeline(tl.String())
		if err != nil || !slices.Equal(back, tl) {
			t.Fatalf("%q parses to %v, which prints as %q and parses back to %v, %v", s, tl, tl.String(), back, err)
		}
	})
}

// floats runs a world whose main stream draws from data and returns its
// first n Float64 draws.
func floats(t *testing.T, data []byte, n int) []float64 {
	t.Helper()
	w := sim.New(sim.Config{Seed: sim.EntropySeed(data)})
	if err := w.SetEntropy(data); err != nil {
		t.Fatal(err)
	}
	var got []float64
	w.Spawn("drawer", func(ctx context.Context) {
		for range n {
			got = append(got, w.Rand().Float64())
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestEntropyDecidesDraws: each byte of the input decides one draw (a
// small byte a small Float64), the draws past the input come from its
// hash, and the same bytes give the same draws.
func TestEntropyDecidesDraws(t *testing.T) {
	data := []byte{0, 12, 255, 128}
	got := floats(t, data, 8)
	if !slices.Equal(got, floats(t, data, 8)) {
		t.Fatal("the same input gave different draws")
	}
	if got[0] >= 0.05 || got[1] >= 0.05 || got[2] < 0.99 || got[3] < 0.5 || got[3] >= 0.51 {
		t.Errorf("draws %v do not follow the bytes %v", got, data)
	}
	other := floats(t, []byte{0, 12, 255, 129}, 8)
	if slices.Equal(got[4:], other[4:]) {
		t.Error("the draws past the input do not depend on it")
	}
	w := sim.New(sim.Config{Seed: 1})
	w.Rand().Uint64()
	if err := w.SetEntropy(data); err == nil {
		t.Error("SetEntropy after a draw: no error")
	}
}

// BenchmarkMainStream is the cost of a main-stream draw (IntN, Float64)
// plain, on a timeline that has not branched yet, and from fuzz entropy.
func BenchmarkMainStream(b *testing.B) {
	setups := []struct {
		name string
		set  func(w *sim.World)
	}{
		{"plain", func(*sim.World) {}},
		{"timeline", func(w *sim.World) { _ = w.SetTimeline(sim.Timeline{{At: 1 << 62, Seed: 1}}) }},
		{"entropy", func(w *sim.World) { _ = w.SetEntropy(make([]byte, 64)) }},
	}
	for _, s := range setups {
		b.Run(s.name, func(b *testing.B) {
			w := sim.New(sim.Config{Seed: 1})
			s.set(w)
			r := w.Rand()
			for b.Loop() {
				_ = r.IntN(1000)
				_ = r.Float64()
			}
		})
	}
}
