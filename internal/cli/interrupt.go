package cli

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Interrupt handles SIGINT and SIGTERM while a command runs: the first
// closes Stop, for the command to wind down and say what it did; a second
// exits at once. The library under the command line reads no signal.
type Interrupt struct {
	stop    chan struct{}
	signals chan os.Signal
	done    chan struct{}
	first   atomic.Int32 // the number of the first signal, 0 before it
}

// CatchInterrupts starts handling SIGINT and SIGTERM until Release; what
// names what the first signal stops ("starting seeds").
func (e *Env) CatchInterrupts(what string) *Interrupt {
	in := &Interrupt{stop: make(chan struct{}), signals: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(in.signals, os.Interrupt, syscall.SIGTERM)
	go in.loop(e, what)
	return in
}

func (in *Interrupt) loop(e *Env, what string) {
	var sig os.Signal
	select {
	case sig = <-in.signals:
	case <-in.done:
		return
	}
	in.first.Store(int32(number(sig)))
	fmt.Fprintf(e.stderr, "orrery: %s: stopped %s; finishing the ones under way (again to quit at once)\n", name(sig), what)
	close(in.stop)
	select {
	case sig = <-in.signals:
	case <-in.done:
		return
	}
	fmt.Fprintf(e.stderr, "orrery: %s again: quitting at once\n", name(sig))
	os.Exit(128 + number(sig))
}

// Stop is closed by the first signal.
func (in *Interrupt) Stop() <-chan struct{} { return in.stop }

// Err is nil when no signal came, and otherwise the exit status that says
// which: 130 for SIGINT, 143 for SIGTERM.
func (in *Interrupt) Err() error {
	if n := in.first.Load(); n != 0 {
		return ExitStatus(128 + n)
	}
	return nil
}

// Release stops handling the signals: a signal after it has its default
// effect.
func (in *Interrupt) Release() {
	signal.Stop(in.signals)
	close(in.done)
}

// number is the signal's number (SIGINT 2, SIGTERM 15).
func number(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return int(s)
	}
	return int(syscall.SIGINT)
}

func name(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "terminated (SIGTERM)"
	}
	return "interrupted (SIGINT)"
}
