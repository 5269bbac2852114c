package kv_test

import (
	"time"

	"github.com/orrerysim/orrery/env"
)

func client(e env.Env) error {
	time.Sleep(time.Millisecond)
	return nil
}
