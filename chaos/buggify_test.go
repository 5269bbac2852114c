package chaos_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/internal/callsite"
	"github.com/orrerysim/orrery/sim"
)

// buggify is a Buggify site at its caller, as orrery.Buggify is.
func buggify(ctx context.Context) bool {
	return chaos.BuggifyAt(ctx, chaos.FireProbability, callsite.PC(1))
}

// buggifyWithProb is buggify firing with probability p.
func buggifyWithProb(ctx context.Context, p float64) bool {
	return chaos.BuggifyAt(ctx, p, callsite.PC(1))
}

// evaluate runs one seed in which a task evaluates one Buggify site n times,
// and returns how often it fired and the run's trace hash.
func evaluate(t *testing.T, seed uint64, n int, disable bool) (fired int, hash uint64) {
	t.Helper()
	off := func(*sim.World) {}
	if disable {
		off = chaos.Heal
	}
	return evaluateOff(t, seed, n, off)
}

// evaluateOff is evaluate with off applied to the World before the run.
func evaluateOff(t *testing.T, seed uint64, n int, off func(*sim.World)) (fired int, hash uint64) {
	t.Helper()
	w := sim.New(sim.Config{Seed: seed})
	off(w)
	w.Spawn("buggy", func(ctx context.Context) {
		for range n {
			if buggify(ctx) {
				fired++
			}
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return fired, w.TraceHash()
}

func TestBuggifyOutsideASimulationIsFalse(t *testing.T) {
	for range 100 {
		if buggify(context.Background()) || buggifyWithProb(context.Background(), 1) {
			t.Fatal("Buggify fired outside a simulation")
		}
	}
}

func TestBuggifyProbabilities(t *testing.T) {
	const seeds, evals = 2000, 40
	enabled, fired := 0, 0
	for seed := range uint64(seeds) {
		f, _ := evaluate(t, seed, evals, false)
		if f > 0 {
			enabled++
		}
		fired += f
	}
	// A site fires at least once in ~25% of seeds (enabled, and 40 draws
	// at 0.25 all missing is negligible), and fires on a quarter of the
	// evaluations of those seeds.
	if r := float64(enabled) / seeds; math.Abs(r-chaos.SiteProbability) > 0.04 {
		t.Errorf("site enabled in %.3f of seeds, want about %v", r, chaos.SiteProbability)
	}
	if r := float64(fired) / float64(enabled*evals); math.Abs(r-chaos.FireProbability) > 0.03 {
		t.Errorf("enabled site fired on %.3f of evaluations, want about %v", r, chaos.FireProbability)
	}
}

func TestBuggifyIsDeterministic(t *testing.T) {
	for seed := range uint64(50) {
		f1, h1 := evaluate(t, seed, 20, false)
		f2, h2 := evaluate(t, seed, 20, false)
		if f1 != f2 || h1 != h2 {
			t.Fatalf("seed %d: fired %d then %d, hashes %x then %x", seed, f1, f2, h1, h2)
		}
	}
}

func TestDisabledBuggifyNeverFires(t *testing.T) {
	tests := []struct {
		name string
		off  func(*sim.World)
	}{{"Heal", chaos.Heal}}
	for _, tt := range tests {
		for seed := range uint64(200) {
			if f, _ := evaluateOff(t, seed, 20, tt.off); f != 0 {
				t.Fatalf("seed %d: Buggify fired %d times after %s", seed, f, tt.name)
			}
		}
	}
}

func TestSitesAreToldApartByCallSite(t *testing.T) {
	// Over many seeds, two sites are enabled independently: some seeds
	// enable one and not the other.
	onlyOne := 0
	for seed := range uint64(200) {
		w := sim.New(sim.Config{Seed: seed})
		w.Spawn("two sites", func(ctx context.Context) {
			for range 30 {
				buggify(ctx)
				buggifyWithProb(ctx, 1)
			}
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		sites := chaos.EnabledSites(w)
		if len(sites) == 1 {
			onlyOne++
		}
		for _, s := range sites {
			if !strings.HasPrefix(s, "chaos/buggify_test.go:") {
				t.Fatalf("site %q is not named by its call site", s)
			}
		}
	}
	if onlyOne == 0 {
		t.Error("two Buggify sites were always enabled together")
	}
}
