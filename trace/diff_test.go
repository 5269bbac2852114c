package trace

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/internal/golden"
)

// variant returns a copy of scenario changed by f.
func variant(f func(recs []Record) []Record) []Record {
	recs := slices.Clone(scenario)
	for i := range recs {
		recs[i].Attrs = slices.Clone(recs[i].Attrs)
	}
	return f(recs)
}

func TestDiff(t *testing.T) {
	otherSeed := variant(func(r []Record) []Record { r[0].Attrs[0].Value = "0x2b"; return r })
	split := variant(func(r []Record) []Record {
		for i := 6; i < len(r); i++ { // from the delivery on, one more draw
			r[i].RNG++
		}
		return r
	})
	moreInfra := variant(func(r []Record) []Record {
		extra := r[7]
		extra.Seq, extra.Cause = 9, 6
		return slices.Insert(r, 8, extra)
	})
	tests := []struct {
		name      string
		a, b      []Record
		opts      DiffOptions
		identical bool
		common    int
		rng       uint64
		context   []uint64 // seqs of the context records
		lineA     int      // of the first difference; 0 when the side ended
		lineB     int
		nA, nB    int // diverging records kept
	}{
		{"identical", scenario, scenario, DiffOptions{}, true, 14, 9, []uint64{8, 8, 8}, 0, 0, 0, 0},
		{"another seed", scenario, otherSeed, DiffOptions{Context: -1}, true, 14, 9, nil, 0, 0, 0, 0},
		{"split", scenario, split, DiffOptions{}, false, 6, 5, []uint64{2, 4, 3}, 7, 7, 3, 3},
		{"split, more lines", scenario, split, DiffOptions{Context: 1, Diverging: 10}, false, 6, 5, []uint64{3}, 7, 7, 8, 8},
		{"prefix", scenario[:9], scenario, DiffOptions{}, false, 9, 7, []uint64{5, 6, 7}, 0, 10, 0, 3},
		{"longer", scenario, scenario[:3], DiffOptions{Diverging: 1}, false, 3, 2, []uint64{0, 1, 2}, 4, 0, 1, 0},
		{"infra differs", scenario, moreInfra, DiffOptions{}, false, 8, 6, []uint64{3, 5, 6}, 9, 9, 3, 3},
		{"infra skipped", scenario, moreInfra, DiffOptions{NoInfra: true}, true, 13, 9, []uint64{8, 8, 8}, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Diff(strings.NewReader(jsonl(tt.a)), strings.NewReader(jsonl(tt.b)), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Identical != tt.identical || res.Common != tt.common || res.CommonRNG != tt.rng {
				t.Errorf("identical %v, common %d, rng %d; want %v, %d, %d",
					res.Identical, res.Common, res.CommonRNG, tt.identical, tt.common, tt.rng)
			}
			if got := seqsOf(res.Context); !slices.Equal(got, tt.context) {
				t.Errorf("context seqs %v, want %v", got, tt.context)
			}
			if res.A.Line != tt.lineA || res.B.Line != tt.lineB || len(res.A.Records) != tt.nA || len(res.B.Records) != tt.nB {
				t.Errorf("a: line %d, %d records; b: line %d, %d records; want %d, %d; %d, %d",
					res.A.Line, len(res.A.Records), res.B.Line, len(res.B.Records), tt.lineA, tt.nA, tt.lineB, tt.nB)
			}
			checkSide(t, "a", res.A)
			checkSide(t, "b", res.B)
		})
	}
}

// checkSide checks that a side's summary fields are those of its first record.
func checkSide(t *testing.T, name string, s DiffSide) {
	t.Helper()
	if s.Ended() {
		if s.Line != 0 || s.Seq != 0 {
			t.Errorf("%s ended, but at line %d seq %d", name, s.Line, s.Seq)
		}
		return
	}
	if r := s.Records[0]; s.Seq != r.Seq || s.At != r.At || s.RNG != r.RNG {
		t.Errorf("%s: seq %d t %v rng %d, first record %+v", name, s.Seq, s.At, s.RNG, r)
	}
}

func TestDiffErrors(t *testing.T) {
	otherSim := variant(func(r []Record) []Record { r[0].Attrs[1].Value = "raft"; return r })
	full := jsonl(scenario)
	tests := []struct {
		name string
		a, b string
		want error
		msg  string
	}{
		{"different simulations", full, jsonl(otherSim), ErrDifferentSimulations,
			`diff: sim "bank" against sim "raft": traces of different simulations`},
		{"empty a", "", full, ErrEmpty, "diff: a: empty trace"},
		{"truncated b", full, full[:len(full)-10], ErrTruncated, "diff: b: trace line 14: truncated record"},
		{"not a trace", "hello\n", full, ErrNotTrace, "diff: a: trace line 1: not a trace"},
		{"both broken", "x\n", "", ErrEmpty, "diff: a: trace line 1: not a trace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Diff(strings.NewReader(tt.a), strings.NewReader(tt.b), DiffOptions{})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want %q (%v)", err, tt.msg, tt.want)
			}
		})
	}
}

func TestDiffFormat(t *testing.T) {
	split := variant(func(r []Record) []Record {
		r[6].Detail = "bytes=65 10.0.0.1:40001->10.0.1.1:7000"
		return r
	})
	tests := []struct {
		name string
		a, b []Record
	}{
		{"identical", scenario, scenario},
		{"split", scenario, split},
		{"prefix", scenario[:9], scenario},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Diff(strings.NewReader(jsonl(tt.a)), strings.NewReader(jsonl(tt.b)), DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := res.Format(&out); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "diff", tt.name+".golden"), out.Bytes())
		})
	}
}
