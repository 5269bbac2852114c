package orrery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// SeedCheck is a check of a whole seed, too costly to run after every step:
// the linearizability of the history its clients recorded (see package
// check), a comparison of every replica's final state. Each runs once per
// seed that passed everything else, after the workloads' Check and the end
// of the simulation, outside the simulation and its real-time watchdog,
// within Options.CheckTimeout of real time.
type SeedCheck struct {
	Name string
	// Check returns nil when the seed passes, an error that wraps
	// ErrUnknown when it cannot decide (the seed is then reported as
	// unknown, never as a pass), or another error, which fails the seed.
	// Its ctx carries the finished simulation: Published, Hosts and the
	// histories of package check read from it, and AddArtifact attaches
	// files to the seed. ctx is cancelled when the time limit passes; a
	// check still running then is abandoned and its seed is unknown.
	Check func(ctx context.Context) error
}

// ErrUnknown is wrapped by the error of a SeedCheck that could not decide,
// most often for lack of time: its seed is reported as unknown.
var ErrUnknown = errors.New("the check could not decide")

// defaultCheckTimeout is Options.CheckTimeout's default.
const defaultCheckTimeout = time.Minute

// artifact is a file a check attached to its seed, written only when the
// seed fails and the run keeps artifacts (Options.Artifacts).
type artifact struct {
	name  string
	write func(io.Writer) error
}

// AddArtifact attaches a file called name to the seed ctx belongs to: when
// the seed fails and the run keeps artifacts (Options.Artifacts, the
// --artifacts flag), write is called to fill it, in the seed's directory
// next to its trace. A SeedCheck uses it for what explains its verdict (the
// page of a linearizability check). Outside a simulation it does nothing.
func AddArtifact(ctx context.Context, name string, write func(io.Writer) error) {
	if w := sim.FromContext(ctx); w != nil {
		as, _ := w.Value(artifactsKey{}).([]artifact)
		w.SetValue(artifactsKey{}, append(as, artifact{name, write}))
	}
}

type artifactsKey struct{}

// checkOutcome is what the seed checks of a seed decided.
type checkOutcome struct {
	failed  string // the first failing check's message, or ""
	stack   string // the stack of a check that panicked
	unknown string // why the seed is unknown, or ""
}

// runSeedChecks runs the seed checks of c's simulation, in order, each
// within timeout; the first that fails or cannot decide ends them.
func (c *cluster) runSeedChecks(timeout time.Duration) checkOutcome {
	for _, sc := range c.sim.SeedChecks {
		err := runSeedCheck(c.w.Context(), sc, timeout)
		switch {
		case err == nil:
		case errors.Is(err, ErrUnknown):
			return checkOutcome{unknown: fmt.Sprintf("check %s: %v", sc.Name, err)}
		default:
			out := checkOutcome{failed: fmt.Sprintf("check %s: %v", sc.Name, err)}
			if p, ok := err.(checkPanic); ok {
				out.stack = p.stack
			}
			return out
		}
	}
	return checkOutcome{}
}

// checkGrace is how long past its time limit a check that ignores its
// context is waited for before it is abandoned.
const checkGrace = time.Second

// runSeedCheck runs one check on a goroutine of its own, so that one that
// overruns its time limit can be abandoned; its ctx keeps the values of
// the finished simulation's and none of its cancellation.
func runSeedCheck(simCtx context.Context, sc SeedCheck, timeout time.Duration) (err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(simCtx), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- checkPanic{v, string(debug.Stack())}
			}
		}()
		done <- sc.Check(ctx)
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		select {
		case err = <-done:
		case <-time.After(checkGrace):
			return fmt.Errorf("still running after the time limit of %v: %w", timeout, ErrUnknown)
		}
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrUnknown) && errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w: %w", ErrUnknown, err)
	}
	return err
}

// checkPanic is the error of a check that panicked.
type checkPanic struct {
	value any
	stack string
}

func (p checkPanic) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// fillArtifacts fills the files the checks attached, in memory.
func fillArtifacts(as []artifact) []artifactFile {
	var out []artifactFile
	for _, a := range as {
		var b bytes.Buffer
		if err := fillArtifact(&b, a); err != nil {
			fmt.Fprintf(&b, "\n(writing %s failed: %v)\n", a.name, err)
		}
		out = append(out, artifactFile{a.name, b.Bytes()})
	}
	return out
}

// fillArtifact writes one artifact; a panic of its writer is its error.
func fillArtifact(b *bytes.Buffer, a artifact) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return a.write(b)
}

// artifactFile is an artifact's content.
type artifactFile struct {
	name string
	data []byte
}
