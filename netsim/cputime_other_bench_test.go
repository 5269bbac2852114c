//go:build !unix

package netsim_test

import "time"

// processCPU is unknown here: the benchmarks leave out their CPU-time
// figures.
func processCPU() time.Duration { return 0 }
