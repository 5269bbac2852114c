package orrerytest

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckSettings: ORRERY_CHECK_TIMEOUT and ORRERY_ARTIFACTS (and their
// flags) set the time limit of seed checks and the artifacts directory,
// which options puts under the package's path and the test's name; the
// replay command carries the time limit.
func TestCheckSettings(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want settings
		err  string
	}{
		{"env timeout", nil, map[string]string{"ORRERY_CHECK_TIMEOUT": "2m"}, settings{checkTime: 2 * time.Minute}, ""},
		{"flag timeout", []string{"-orrery.check-timeout=5s"}, map[string]string{"ORRERY_CHECK_TIMEOUT": "2m"}, settings{checkTime: 5 * time.Second}, ""},
		{"env artifacts", nil, map[string]string{"ORRERY_ARTIFACTS": "out"}, settings{artifacts: "out"}, ""},
		{"bad timeout", nil, map[string]string{"ORRERY_CHECK_TIMEOUT": "-1s"}, settings{}, "ORRERY_CHECK_TIMEOUT=-1s: want a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			f := register(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			s, err := f.resolve(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || s.checkTime != tt.want.checkTime || s.artifacts != tt.want.artifacts {
				t.Errorf("settings %+v (%v), want %+v", s, err, tt.want)
			}
		})
	}
	set := settings{checkTime: 3 * time.Second, artifacts: "out"}
	if got := goTestReplay(".", "TestKV", set)(42); got != "ORRERY_SEED=0x2a ORRERY_CHECK_TIMEOUT=3s go test -run '^TestKV$' ." {
		t.Errorf("replay %s", got)
	}
	opts, _, err := options(t, set)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join("out", "orrerytest", "TestCheckSettings")
	if opts.CheckTimeout != 3*time.Second || opts.Artifacts != want {
		t.Errorf("options: check timeout %v, artifacts %q; want 3s, %q", opts.CheckTimeout, opts.Artifacts, want)
	}
}
