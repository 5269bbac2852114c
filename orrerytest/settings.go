package orrerytest

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// settings are what Test runs, from its flags and environment variables.
type settings struct {
	seeds       int
	firstSeed   uint64 // the seed number the run starts at
	seed        uint64
	replay      bool // seed is set
	trace       string
	determinism bool
	parallel    int
	bugs        []string
	swarm       bool
	catalog     string
	report      string
	watchdog    time.Duration
	checkTime   time.Duration // each seed check's time limit
	artifacts   string        // the directory of failing seeds' artifacts
	log         string        // the replayed seed's text trace on standard error
	shrink      time.Duration // the time to shrink the first failing seed's faults in; 0: none

	cryptoFromOS bool // crypto/rand from the operating system, not the seed

	timeline sim.Timeline  // the replayed seed's branch points
	faults   []sim.FaultID // the replayed seed's faults that may happen; nil: all
}

// defaultShrink is how long Test shrinks its first failing seed's faults,
// as orrery run does.
const defaultShrink = 10 * time.Second

// setting is one -orrery.NAME flag and its ORRERY_NAME variable.
type setting struct {
	name  string // the flag without its -orrery. prefix
	usage string
	bool  bool // a flag that takes no value
	parse func(s *settings, v string) error
}

// flagName is the setting's flag, "orrery.seeds".
func (st *setting) flagName() string { return "orrery." + st.name }

// envName is the setting's environment variable, "ORRERY_SEEDS".
func (st *setting) envName() string {
	return "ORRERY_" + strings.ToUpper(strings.ReplaceAll(st.name, "-", "_"))
}

// all is every setting of Test.
var all = []*setting{
	{name: "seeds", usage: "number of seeds each orrerytest.Test runs (default 100)", parse: func(s *settings, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("want a number of seeds, 1 or more")
		}
		s.seeds = n
		return nil
	}},
	{name: "first-seed", usage: "the seed number the run starts at (decimal or 0x hex), so that a nightly run covers seeds no earlier one did",
		parse: func(s *settings, v string) error {
			n, err := strconv.ParseUint(v, 0, 64)
			if err != nil {
				return errors.New("want a seed number, decimal or 0x hex")
			}
			s.firstSeed = n
			return nil
		}},
	{name: "seed", usage: "replay one seed (hex 0x... or decimal)", parse: func(s *settings, v string) error {
		seed, err := orrery.ParseSeed(v)
		s.seed, s.replay = seed, err == nil
		return err
	}},
	{name: "timeline", usage: "follow these branch points of the replayed seed's main random stream, count@seed,... as the explorer prints them",
		parse: func(s *settings, v string) (err error) { s.timeline, err = sim.ParseTimeline(v); return err }},
	{name: "faults", usage: "let only these injected faults of the replayed seed happen (Op:Target#N or Op:Target@SECONDS, comma-separated, or none), as orrery.Shrink prints them",
		parse: func(s *settings, v string) (err error) { s.faults, err = orrery.ParseFaults(v); return err }},
	{name: "trace", usage: "write the JSON Lines trace of the replayed (or first failing) seed to this file, one per test (see orrerytest.Test)",
		parse: func(s *settings, v string) error { s.trace = v; return nil }},
	{name: "check-determinism", bool: true, usage: "run every seed twice and compare trace hashes",
		parse: func(s *settings, v string) error { return parseBool(&s.determinism, v) }},
	{name: "crypto-rand-from-os", bool: true, usage: "serve crypto/rand to the simulation's tasks from the operating system, not the seed (see orrery.Options.CryptoRandFromOS)",
		parse: func(s *settings, v string) error { return parseBool(&s.cryptoFromOS, v) }},
	{name: "parallel", usage: "seeds run at once (default GOMAXPROCS)", parse: func(s *settings, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("want a number of seeds run at once, 1 or more")
		}
		s.parallel = n
		return nil
	}},
	{name: "bug", usage: "comma-separated planted bugs to switch on", parse: func(s *settings, v string) error {
		s.bugs = nil
		if v != "" {
			s.bugs = strings.Split(v, ",")
		}
		return nil
	}},
	{name: "swarm", bool: true, usage: "swarm testing: each seed switches every fault family the simulation declares on or off and draws its level",
		parse: func(s *settings, v string) error { return parseBool(&s.swarm, v) }},
	{name: "catalog", usage: "fail the run if an assertion in the Go files under this directory was never reached",
		parse: func(s *settings, v string) error { s.catalog = v; return nil }},
	{name: "report", usage: "write the JSON report (every failing seed, in full) to this file, one per test (see orrerytest.Test)",
		parse: func(s *settings, v string) error { s.report = v; return nil }},
	{name: "watchdog", usage: "real time one step of a seed may take before its task is reported as blocked outside the simulation (default 10s, negative: off)",
		parse: func(s *settings, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return errors.New("want a duration such as 30s")
			}
			s.watchdog = d
			return nil
		}},
	{name: "check-timeout", usage: "real time each whole-seed check (linearizability) may take; a seed whose check runs out is unknown, not passed (default 1m)",
		parse: func(s *settings, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return errors.New("want a duration such as 30s")
			}
			s.checkTime = d
			return nil
		}},
	{name: "shrink", usage: "shrink the first failing seed's faults to those it needs, for at most this long (default 10s; 0: do not), and print them with the command that replays them",
		parse: func(s *settings, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return errors.New("want a duration such as 30s, or 0")
			}
			s.shrink = d
			return nil
		}},
	{name: "artifacts", usage: "write each failing seed's trace, report entry and check files (porcupine's page) under this directory, in DIR/<package>/<test>/<seed>/",
		parse: func(s *settings, v string) error { s.artifacts = v; return nil }},
	{name: "log", usage: `what the text trace of a replayed seed on standard error shows ("trace", "info", "netsim=trace,info"; default none)`,
		parse: func(s *settings, v string) error {
			if _, err := trace.ParseFilter(v); err != nil {
				return err
			}
			s.log = v
			return nil
		}},
}

func parseBool(b *bool, v string) error {
	x, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("want true or false (1 or 0)")
	}
	*b = x
	return nil
}

// value is a setting's flag: it keeps the text given, checked, and
// whether it was given.
type value struct {
	st  *setting
	s   string
	set bool
}

func (v *value) String() string {
	if v == nil {
		return ""
	}
	return v.s
}

func (v *value) Set(s string) error {
	if err := v.st.parse(&settings{}, s); err != nil {
		return err
	}
	v.s, v.set = s, true
	return nil
}

func (v *value) IsBoolFlag() bool { return v.st.bool }

// flags are the settings' flags on one flag set.
type flags map[*setting]*value

// register defines the settings' flags on fs.
func register(fs *flag.FlagSet) flags {
	f := make(flags)
	for _, st := range all {
		v := &value{st: st}
		fs.Var(v, st.flagName(), st.usage+" (env "+st.envName()+")")
		f[st] = v
	}
	return f
}

// resolve reads every setting: from its flag when given, else from its
// environment variable when set and not empty. A bad value is an error
// that names where it came from.
func (f flags) resolve(getenv func(string) string) (settings, error) {
	s := settings{parallel: runtime.GOMAXPROCS(0), shrink: defaultShrink}
	for _, st := range all {
		v, from := "", ""
		switch fv := f[st]; {
		case fv != nil && fv.set:
			v, from = fv.s, "-"+st.flagName()+"="
		case getenv(st.envName()) != "":
			v, from = getenv(st.envName()), st.envName()+"="
		default:
			continue
		}
		if err := st.parse(&s, v); err != nil {
			return s, fmt.Errorf("%s%s: %w", from, v, err)
		}
	}
	return s, nil
}
