// Package orrery is a stand-in for Orrery's root package: the analyzer
// only needs the names through which a simulation calls a test's
// functions.
package orrery

import "github.com/orrerysim/orrery/env"

// State is what an invariant reads.
type State struct{}

// Driver is a workload instance.
type Driver interface {
	Run(e env.Env) error
}
