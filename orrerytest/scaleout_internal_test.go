package orrerytest

import (
	"flag"
	"strings"
	"testing"
)

// TestFirstSeedSetting: ORRERY_FIRST_SEED (or -orrery.first-seed) starts
// the run at a seed number, decimal or hex; a replay, which names its
// seed, ignores it.
func TestFirstSeedSetting(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want uint64
		err  string
	}{
		{map[string]string{"ORRERY_FIRST_SEED": "87716117086208"}, 87716117086208, ""},
		{map[string]string{"ORRERY_FIRST_SEED": "0x100000000"}, 1 << 32, ""},
		{map[string]string{"ORRERY_FIRST_SEED": "0x100000000", "ORRERY_SEED": "0x2a"}, 0, ""},
		{map[string]string{"ORRERY_FIRST_SEED": "-1"}, 0, "ORRERY_FIRST_SEED=-1: want a seed number, decimal or 0x hex"},
	} {
		f := register(flag.NewFlagSet("test", flag.ContinueOnError))
		set, err := f.resolve(func(k string) string { return tt.env[k] })
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("%v: error %v, want %q", tt.env, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		opts, _, err := options(t, set)
		if err != nil || opts.FirstSeed != tt.want {
			t.Errorf("%v: first seed %d, %v; want %d", tt.env, opts.FirstSeed, err, tt.want)
		}
	}
}
