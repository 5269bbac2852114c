// Package envstruct uses env.Env only as a struct field.
package envstruct

import (
	"time"

	"github.com/orrerysim/orrery/env"
)

type node struct {
	e env.Env
}

func (n *node) stamp() time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}
