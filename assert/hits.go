package assert

import (
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// OnFirstHit calls fn, during w's run, each time an assertion of the
// Sometimes family first holds in the run (a Sometimes, a Reachable, ...)
// and each time a SometimesEach first sees a value (bucket is its label,
// "" for the other kinds). fn runs at the hit: w.Branches and w.RNGCalls
// say where in the run's timeline it is, which is what an explorer
// branches from. It must not draw from w or block. A later call replaces
// fn.
func OnFirstHit(w *sim.World, fn func(msg, bucket string)) {
	registryOf(w).onHit = fn
}

// firstHit tells OnFirstHit's function of a first hit; extra holds the
// bucket of a SometimesEach.
func firstHit(w *sim.World, msg string, extra []trace.Attr) {
	r := registryOf(w)
	if r.onHit == nil {
		return
	}
	bucket := ""
	for _, a := range extra {
		if a.Key == "bucket" {
			bucket = a.Value
		}
	}
	r.onHit(msg, bucket)
}
