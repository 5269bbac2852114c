package envstruct

import "time"

// Every file of a simulated package is checked, not only those that
// mention env.
func tick() <-chan time.Time {
	return time.Tick(time.Second) // want `time.Tick waits on the wall clock`
}
