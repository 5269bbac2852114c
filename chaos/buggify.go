package chaos

import (
	"context"
	"log/slog"
	"slices"
	"strconv"

	"github.com/orrerysim/orrery/internal/callsite"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// SiteProbability is the chance that a Buggify site is enabled for a run,
// drawn on the site's first evaluation.
const SiteProbability = 0.25

// FireProbability is the chance that an enabled site fires on one
// evaluation, unless the caller gives another probability.
const FireProbability = 0.25

// BuggifyAt reports whether to take a rarely exercised path at the site
// pc, as FoundationDB's BUGGIFY does: on its first evaluation in a run a
// site is enabled with p=SiteProbability, and an enabled site fires with
// probability p. It is false outside a simulation, once the run has failed,
// and after Heal. Enabling and firing are trace records, and each draw is
// one call of the seed's main stream.
//
// Application code calls orrery.Buggify, the one public entry point, which
// passes its own caller's program counter as pc, so that each call site of
// it is a site of its own. BuggifyAt is the mechanism beneath it.
func BuggifyAt(ctx context.Context, p float64, pc uintptr) bool {
	return buggify(ctx, p, pc)
}

// buggifyKey keys a run's Buggify state among the World's values.
type buggifyKey struct{}

// buggifyState is one run's table of sites and whether each is enabled.
type buggifyState struct {
	off   bool
	sites map[uintptr]bool
}

func stateOf(w *sim.World) *buggifyState {
	st, _ := w.Value(buggifyKey{}).(*buggifyState)
	if st == nil {
		st = &buggifyState{sites: make(map[uintptr]bool)}
		w.SetValue(buggifyKey{}, st)
	}
	return st
}

func buggify(ctx context.Context, p float64, pc uintptr) bool {
	w := sim.FromContext(ctx)
	if w == nil || w.Failure() != nil {
		return false
	}
	st := stateOf(w)
	if st.off {
		return false
	}
	enabled, seen := st.sites[pc]
	if !seen {
		enabled = w.Rand().Bool(SiteProbability)
		st.sites[pc] = enabled
		if enabled {
			record(w, slog.LevelDebug, pc, "enabled")
		}
	}
	if !enabled || !w.Rand().Bool(p) {
		return false
	}
	return w.InjectFault("chaos", trace.Record{
		Level: slog.LevelInfo, Kind: trace.KindFault, Op: "Buggify",
		Detail: "site=" + callsite.Location(pc) + " fired p=" + strconv.FormatFloat(p, 'g', -1, 64),
	})
}

// record writes a Buggify record: a DEBUG line when a site is enabled, an
// INFO line when it fires, both naming the site.
func record(w *sim.World, level slog.Level, pc uintptr, detail string) {
	w.Record("chaos", trace.Record{
		Level: level, Kind: trace.KindFault, Op: "Buggify",
		Detail: "site=" + callsite.Location(pc) + " " + detail,
	})
}

// Heal turns every Buggify site of w's run off for the rest of the run: for
// the heal and check phases in which faults stop, as the network's and the
// disks' Heal do, and for a run that draws no Buggify at all.
func Heal(w *sim.World) { stateOf(w).off = true }

// EnabledSites returns the locations of the sites enabled so far in w's run,
// sorted; for reports and tests.
func EnabledSites(w *sim.World) []string {
	var out []string
	for pc, on := range stateOf(w).sites {
		if on {
			out = append(out, callsite.Location(pc))
		}
	}
	slices.Sort(out)
	return out
}
