package trace

import (
	"log/slog"
	"strings"
	"testing"
)

func TestParseFilter(t *testing.T) {
	type check struct {
		pkg   string
		level slog.Level
		want  bool
	}
	tests := []struct {
		in     string
		err    string // in the error, when parsing fails
		min    slog.Level
		checks []check
	}{
		{"", "", slog.LevelError + 1, []check{{"sim", slog.LevelError, false}, {"netsim", LevelTrace, false}}},
		{"off", "", slog.LevelError + 1, []check{{"sim", slog.LevelError, false}, {"app", LevelTrace, false}}},
		{"info", "", slog.LevelInfo, []check{{"sim", slog.LevelInfo, true}, {"sim", slog.LevelDebug, false}, {"app", LevelTrace, false}}},
		{"trace", "", LevelTrace, []check{{"sim", LevelTrace, true}, {"netsim", LevelTrace, true}}},
		{"ERROR", "", slog.LevelError, []check{{"sim", slog.LevelWarn, false}, {"sim", slog.LevelError, true}}},
		{"warning", "", slog.LevelWarn, []check{{"sim", slog.LevelWarn, true}}},
		{"netsim=trace,info", "", LevelTrace, []check{
			{"netsim", LevelTrace, true}, {"sim", LevelTrace, false}, {"sim", slog.LevelInfo, true}}},
		{" info , netsim = debug ", "", slog.LevelDebug, []check{{"netsim", slog.LevelDebug, true}, {"netsim", LevelTrace, false}}},
		{"netsim=trace", "", LevelTrace, []check{{"netsim", LevelTrace, true}, {"sim", slog.LevelError, false}}},
		{"netsim=error,debug", "", slog.LevelDebug, []check{{"netsim", slog.LevelWarn, false}, {"sim", slog.LevelDebug, true}}},
		{"info,,", "", slog.LevelInfo, []check{{"sim", slog.LevelInfo, true}}},
		{"debug,error", "", slog.LevelError, []check{{"sim", slog.LevelWarn, false}}}, // the last default wins
		{"loud", `trace level "loud": want error, warn, info, debug or trace`, 0, nil},
		{"netsim=", `trace level ""`, 0, nil},
		{"=info", `trace filter "=info": missing package name before '='`, 0, nil},
		{"info,netsim=x", `trace level "x"`, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, err := ParseFilter(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseFilter(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.in, err)
			}
			if got := f.MinLevel(); got != tt.min {
				t.Errorf("MinLevel() = %v, want %v", got, tt.min)
			}
			for _, c := range tt.checks {
				if got := f.Enabled(c.pkg, c.level); got != c.want {
					t.Errorf("Enabled(%q, %v) = %v, want %v", c.pkg, c.level, got, c.want)
				}
			}
		})
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "info", "netsim=trace,info", "disksim=debug, error", "=x", "a=b=c", "trace,,"} {
		f.Add(s, "netsim", 0)
	}
	f.Fuzz(func(t *testing.T, s, pkg string, level int) {
		flt, err := ParseFilter(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "trace ") {
				t.Errorf("error %q does not say what failed", err)
			}
			return
		}
		l := slog.Level(level)
		// A writer may skip records below MinLevel: no package shows them.
		if flt.Enabled(pkg, l) && l < flt.MinLevel() {
			t.Errorf("%q: Enabled(%q, %v) but MinLevel is %v", s, pkg, l, flt.MinLevel())
		}
		// A package that shows a level shows every level above it.
		if l < slog.LevelError+8 && flt.Enabled(pkg, l) && !flt.Enabled(pkg, l+1) {
			t.Errorf("%q: %q shows %v but not %v", s, pkg, l, l+1)
		}
	})
}
