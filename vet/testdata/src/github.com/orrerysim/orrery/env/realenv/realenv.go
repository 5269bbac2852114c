// Package realenv stands for Orrery's Env on the operating system: its job
// is to call time, os and net, so the analyzer leaves it alone.
package realenv

import (
	"time"

	"github.com/orrerysim/orrery/env"
)

type clock struct{ e env.Env }

func (clock) Now() time.Time { return time.Now() }
