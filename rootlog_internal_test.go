package orrery

import (
	"context"
	"log/slog"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// TestLogInfoAsSlog: a record logged by logInfo is the record slog's Info
// logs, as the World's trace sees it (its hash), with and without
// attributes, at the levels a World keeps.
func TestLogInfoAsSlog(t *testing.T) {
	tests := []struct {
		name string
		args []any
	}{
		{"no attributes", nil},
		{"attributes", []any{"swarm", "latency,clog", "n", 3}},
		{"odd attribute", []any{"alone"}},
	}
	for _, tt := range tests {
		for _, verbose := range []bool{false, true} {
			hash := func(log func(l *slog.Logger)) (uint64, uint64) {
				w := sim.New(sim.Config{Seed: 1, Verbose: verbose})
				w.Spawn("t", func(ctx context.Context) { log(w.Logger()) })
				if err := w.Run(); err != nil {
					t.Fatal(err)
				}
				return w.TraceHash(), w.VerboseHash()
			}
			got, gotV := hash(func(l *slog.Logger) { logInfo(l, "orrery: phase", tt.args...) })
			want, wantV := hash(func(l *slog.Logger) { l.Info("orrery: phase", tt.args...) })
			other, _ := hash(func(l *slog.Logger) { l.Info("orrery: other phase", tt.args...) })
			if got != want || gotV != wantV || other == want {
				t.Errorf("%s, verbose %v: hash %x %x, slog's %x %x (another message's %x)", tt.name, verbose, got, gotV, want, wantV, other)
			}
		}
	}
}
