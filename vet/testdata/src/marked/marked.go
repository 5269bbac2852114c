// Package marked takes no env.Env but says it runs in a simulation.
//
//orrery:simulated
package marked

import "time"

func Stamp() time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}
