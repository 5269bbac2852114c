package orrery

import (
	"fmt"
	"testing"
)

// TestGoTestReplay: the replay command of a seed run by Test names the
// test and its package, and carries what changes the seed's execution.
func TestGoTestReplay(t *testing.T) {
	tests := []struct {
		name  string
		bugs  []string
		swarm bool
		want  string
	}{
		{"TestBank", nil, false, "go test -run '^TestBank$' . -orrery.seed=0x2a"},
		{"TestBank/sub.1", []string{"a", "b"}, false, "go test -run '^TestBank$/^sub\\.1$' . -orrery.seed=0x2a -orrery.bug=a,b"},
		{"TestBank", []string{"a"}, true, "go test -run '^TestBank$' . -orrery.seed=0x2a -orrery.bug=a -orrery.swarm"},
	}
	for _, tt := range tests {
		if got := goTestReplay(tt.name, tt.bugs, tt.swarm)(42); got != tt.want {
			t.Errorf("goTestReplay(%q, %v, %v) = %s, want %s", tt.name, tt.bugs, tt.swarm, got, tt.want)
		}
	}
}

// FuzzParseSeed: any seed printed as a replay command prints it parses
// back to itself, and no input panics.
func FuzzParseSeed(f *testing.F) {
	for _, s := range []string{"0x2a", "42", " 7 ", "0xZZ", "", "-1", "0x10000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSeed(s)
		if err != nil {
			return
		}
		if back, err := ParseSeed(fmt.Sprintf("%#x", v)); err != nil || back != v {
			t.Errorf("ParseSeed(%q) = %d, which prints as %#x and parses back to %d, %v", s, v, v, back, err)
		}
	})
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
