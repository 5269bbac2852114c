package orrery

import "testing"

// TestOneLineSaysWhereOnce: a failure's line names the user's code where
// it failed, once: an assertion's message says where already.
func TestOneLineSaysWhereOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    SeedFailure
		want string
	}{
		{"panic", SeedFailure{Kind: "panic", Message: "boom", Where: "kv/kv.go:12"}, "panic: boom at kv/kv.go:12"},
		{"assertion", SeedFailure{Kind: "assertion", Where: "kv/sim_test.go:110",
			Message: `Always "reads see acks" failed at kv/sim_test.go:110: acked=32 got=29`},
			`assertion: Always "reads see acks" failed at kv/sim_test.go:110: acked=32 got=29`},
		{"nowhere", SeedFailure{Kind: "deadlock", Message: "stuck"}, "deadlock: stuck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.oneLine(); got != tc.want {
				t.Errorf("oneLine() = %q, want %q", got, tc.want)
			}
		})
	}
}
