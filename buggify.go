package orrery

import (
	"context"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/internal/callsite"
	"github.com/orrerysim/orrery/sim"
)

// Buggify reports whether to take a rarely exercised path at this call
// site, as FoundationDB's BUGGIFY does: a site is enabled for a run with
// p=0.25 on its first evaluation, and an enabled site fires with p=0.25.
// It is false outside a simulation and after the chaos phase. Every
// enabling and firing is a trace record. Buggify (with BuggifyWithProb, its
// probability variant) is the one public entry point; chaos.BuggifyAt is the
// mechanism beneath it.
//
//	if orrery.Buggify(ctx) {
//		batch = batch[:1] // flush early: an odd size few tests reach
//	}
func Buggify(ctx context.Context) bool {
	if sim.FromContext(ctx) == nil {
		return false // outside a simulation: without looking for the site
	}
	return chaos.BuggifyAt(ctx, chaos.FireProbability, callsite.CallerPC(1))
}

// BuggifyWithProb is Buggify with the firing probability p of an enabled
// site.
func BuggifyWithProb(ctx context.Context, p float64) bool {
	if sim.FromContext(ctx) == nil {
		return false
	}
	return chaos.BuggifyAt(ctx, p, callsite.CallerPC(1))
}
