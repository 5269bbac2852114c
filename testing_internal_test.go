package orrery

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGoTestReplay: the replay command of a seed run by Test names the
// test and its package, and carries what changes the seed's execution.
func TestGoTestReplay(t *testing.T) {
	tests := []struct {
		name     string
		bugs     []string
		swarm    bool
		watchdog time.Duration
		want     string
	}{
		{"TestBank", nil, false, 0, "go test -run '^TestBank$' . -orrery.seed=0x2a"},
		{"TestBank/sub.1", []string{"a", "b"}, false, 0, "go test -run '^TestBank$/^sub\\.1$' . -orrery.seed=0x2a -orrery.bug=a,b"},
		{"TestBank", []string{"a"}, true, 0, "go test -run '^TestBank$' . -orrery.seed=0x2a -orrery.bug=a -orrery.swarm"},
		{"TestBank", nil, false, 30 * time.Second, "go test -run '^TestBank$' . -orrery.seed=0x2a -orrery.watchdog=30s"},
	}
	for _, tt := range tests {
		if got := goTestReplay(tt.name, tt.bugs, tt.swarm, tt.watchdog)(42); got != tt.want {
			t.Errorf("goTestReplay(%q, %v, %v, %v) = %s, want %s", tt.name, tt.bugs, tt.swarm, tt.watchdog, got, tt.want)
		}
	}
}

// FuzzParseSeed: a seed printed in hex (as replay commands print it) or in
// decimal parses back to itself, and only those forms parse: what
// ParseSeed accepts is, spaces around it aside, the decimal form of its
// value or 0x and hex digits of its value (case and leading zeros free).
// No input panics.
func FuzzParseSeed(f *testing.F) {
	for _, s := range []string{"0x2a", "42", " 7 ", "0xZZ", "", "-1", "0x10000000000000000",
		"052", "0b101", "0o52", "1_000", "0x_2a", "+42", "0X2A", "0x002a", "00", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSeed(s)
		if err != nil {
			return
		}
		for _, form := range []string{fmt.Sprintf("%#x", v), strconv.FormatUint(v, 10)} {
			if back, err := ParseSeed(form); err != nil || back != v {
				t.Errorf("ParseSeed(%q) = %#x, printed as %s parses back to %#x, %v", s, v, form, back, err)
			}
		}
		if !seedForm(strings.TrimSpace(s), v) {
			t.Errorf("ParseSeed(%q) = %#x: that is neither its decimal nor its 0x hex form", s, v)
		}
	})
}

// seedForm reports whether s is v in decimal, or 0x followed by v's hex
// digits (any case, any leading zeros).
func seedForm(s string, v uint64) bool {
	if s == strconv.FormatUint(v, 10) {
		return true
	}
	hex, ok := strings.CutPrefix(strings.ToLower(s), "0x")
	trimmed := strings.TrimLeft(hex, "0")
	return ok && hex != "" && (trimmed == strconv.FormatUint(v, 16) || (trimmed == "" && v == 0))
}

// TestParseSeedForms: octal, binary, underscores and signs are not seeds.
func TestParseSeedForms(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0x2a", 0x2a, true}, {"42", 42, true}, {"0X2A", 0x2a, true}, {"0x002a", 0x2a, true}, {"0", 0, true},
		{"052", 0, false}, {"0o52", 0, false}, {"0b101010", 0, false}, {"1_000", 0, false},
		{"0x_2a", 0, false}, {"+42", 0, false}, {"0x", 0, false}, {"00", 0, false},
	} {
		got, err := ParseSeed(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSeed(%q) = %#x, %v; want %#x, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseShard: a shard flag either is refused or names a slice K of N
// with 0 <= K < N, and no input panics.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"3/16", "1/1", "0/3", "4/3", "/", "a/b", "1/", "-1/2", "2/-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := parseShard(s, func(string) string { return "" })
		if err == nil && s != "" && (sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count) {
			t.Errorf("parseShard(%q) = %+v", s, sh)
		}
	})
}

// TestWatchdogFlag: -orrery.watchdog reaches the run's options.
func TestWatchdogFlag(t *testing.T) {
	defer func(d time.Duration) { *testFlags.watchdog = d }(*testFlags.watchdog)
	*testFlags.watchdog = 3 * time.Second
	opts, closeTrace, err := testOptions(t)
	if err != nil {
		t.Fatal(err)
	}
	closeTrace()
	if opts.Watchdog != 3*time.Second {
		t.Errorf("Options.Watchdog = %v, want the flag's 3s", opts.Watchdog)
	}
}

// TestGoTestWhyNamesTheTraceFromTheRoot: go test writes -orrery.trace in
// the package's directory, so the trace why command, typed at the module's
// root as the replay command is, names the file under it.
func TestGoTestWhyNamesTheTraceFromTheRoot(t *testing.T) {
	t.Chdir("testdata")
	replay, why := goTestHints.why("go test -run '^T$' ./testdata -orrery.seed=0x2a", "0x2a.jsonl", 84)
	if replay != "go test -run '^T$' ./testdata -orrery.seed=0x2a -orrery.trace=0x2a.jsonl" ||
		why != "go run github.com/orrerysim/orrery/cmd/orrery trace why testdata/0x2a.jsonl 84" {
		t.Errorf("replay %q\nwhy %q", replay, why)
	}
}
