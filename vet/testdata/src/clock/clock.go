package clock

import (
	"context"
	"time"

	"github.com/orrerysim/orrery/env"
)

func Wait(ctx context.Context, e env.Env, t0 time.Time) time.Duration {
	start := time.Now()                    // want `time.Now reads the wall clock, which the simulation does not control: use e.Clock\(\).Now\(\)`
	time.Sleep(time.Millisecond)           // want `time.Sleep waits on the wall clock, outside the simulation's scheduler: use e.Clock\(\).Sleep\(ctx, d\)`
	_ = time.Since(start)                  // want `time.Since reads the wall clock`
	_ = time.Until(t0)                     // want `time.Until reads the wall clock`
	<-time.After(time.Second)              // want `time.After waits on the wall clock` `receive from a Go channel`
	_ = time.Tick(time.Second)             // want `time.Tick waits on the wall clock.*use e.Clock\(\).NewTicker\(d\)`
	_ = time.NewTimer(time.Second)         // want `time.NewTimer waits on the wall clock.*use e.Clock\(\).NewTimer\(d\)`
	_ = time.NewTicker(time.Second)        // want `time.NewTicker waits on the wall clock`
	time.AfterFunc(time.Second, func() {}) // want `time.AfterFunc waits on the wall clock.*use e.Go`
	now := time.Now                        // want `time.Now reads the wall clock`
	_ = now
	tctx, cancel := context.WithTimeout(ctx, time.Second) // want `context.WithTimeout waits on the wall clock.*use e.Clock\(\).WithTimeout\(ctx, d\)`
	defer cancel()
	_, cancel2 := context.WithDeadline(tctx, t0) // want `context.WithDeadline waits on the wall clock`
	defer cancel2()
	return time.Duration(0)
}

// NoEnvInScope has no env.Env to rewrite time.Now to: no fix.
func NoEnvInScope() time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}

// Fine uses time only for durations and the values it is given.
func Fine(e env.Env, t time.Time) time.Duration {
	d := 3 * time.Second
	if t.After(t) || t.Before(t) { // methods of time.Time are not time.After
		return 0
	}
	return e.Clock().Now().Sub(t) + d + time.Duration(t.Unix())
}
