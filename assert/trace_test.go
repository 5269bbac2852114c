package assert_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/internal/golden"
	"github.com/orrerysim/orrery/sim"
)

func TestTraceGolden(t *testing.T) {
	for _, format := range []string{"text", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			cfg := sim.Config{Seed: 3, Log: &buf, LogFilter: "assert=debug,error"}
			if format == "jsonl" {
				cfg = sim.Config{Seed: 3, Trace: &buf}
			}
			w := sim.New(cfg)
			replicas(w, 2)
			if err := w.Run(); err == nil {
				t.Fatal("Run() = nil, want the failure of step within bounds")
			}
			golden.Check(t, filepath.Join("testdata", "replicas."+format), buf.Bytes())
		})
	}
}

// TestSameSeedSameTrace runs seeds twice and compares trace hashes and
// results; with and without a failure.
func TestSameSeedSameTrace(t *testing.T) {
	for _, failAt := range []int{0, 2} {
		for seed := range uint64(20) {
			a, b := sim.New(sim.Config{Seed: seed}), sim.New(sim.Config{Seed: seed})
			replicas(a, failAt)
			replicas(b, failAt)
			errA, errB := a.Run(), b.Run()
			if a.TraceHash() != b.TraceHash() {
				t.Errorf("seed %d failAt %d: trace hashes %#x and %#x differ", seed, failAt, a.TraceHash(), b.TraceHash())
			}
			if (errA == nil) != (errB == nil) || (errA != nil && errA.Error() != errB.Error()) {
				t.Errorf("seed %d failAt %d: errors %v and %v differ", seed, failAt, errA, errB)
			}
			if ra, rb := assert.Results(a), assert.Results(b); !equalResults(ra, rb) {
				t.Errorf("seed %d failAt %d: results differ:\n%v\n%v", seed, failAt, ra, rb)
			}
		}
	}
}

// TestRecordsAreHashed checks that what assertions record is part of the
// trace hash: two runs with the same events but different assertion
// outcomes must not hash alike.
func TestRecordsAreHashed(t *testing.T) {
	hash := func(cond bool) uint64 {
		w := sim.New(sim.Config{Seed: 1})
		w.Spawn("t", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			assert.Sometimes(ctx, cond, "recorded when it first holds")
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash()
	}
	if hash(true) == hash(false) {
		t.Error("a Sometimes that held and one that did not give the same trace hash")
	}
	if a, b := hash(true), hash(true); a != b {
		t.Error("the same run gives two trace hashes")
	}
}

// TestParallelRunsAgree runs seeds on several goroutines at once, as a
// multi-seed run does: the shared cache of call sites must not make runs
// differ from sequential ones (and -race checks it is safe).
func TestParallelRunsAgree(t *testing.T) {
	const seeds = 16
	hashes := func(parallel bool) [seeds]uint64 {
		var out [seeds]uint64
		var wg sync.WaitGroup
		for seed := range uint64(seeds) {
			run := func() {
				w := sim.New(sim.Config{Seed: seed})
				replicas(w, 3)
				w.Run()
				out[seed] = w.TraceHash()
			}
			if parallel {
				wg.Go(run)
			} else {
				run()
			}
		}
		wg.Wait()
		return out
	}
	if seq, par := hashes(false), hashes(true); seq != par {
		t.Errorf("trace hashes differ between sequential and parallel runs:\n%x\n%x", seq, par)
	}
}
