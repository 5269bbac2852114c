package orrery

import "testing"

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
