//orrery:simulated

package harness

import "time"

// A test file marked simulated is checked throughout.
func helper() time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}
