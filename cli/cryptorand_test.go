package cli_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/env"
)

// tokens is a simulation whose process logs a token it draws from
// crypto/rand.
func tokens() orrery.Simulation {
	s := orrery.Simulation{Name: "tokens"}
	s.Processes = []orrery.Process{{Name: "auth", Main: func(e env.Env) error {
		e.Log().Info("token", "t", hex.EncodeToString([]byte(rand.Text())))
		return nil
	}}}
	s.Workloads = []orrery.Workload{{Name: "client", New: func() orrery.Driver { return orrery.Funcs{} }}}
	return s
}

// TestCryptoRandFromOSFlag: crypto/rand follows the seed unless
// --crypto-rand-from-os serves it from the operating system, which the
// determinism check then finds, naming the task, and the replay command
// repeats.
func TestCryptoRandFromOSFlag(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{nil, 0, []string{"seeds       5 run, 0 failed"}},
		{[]string{"--crypto-rand-from-os"}, 1, []string{`likely culprit: task "auth/main" on host auth read crypto/rand`,
			"replay tokens --seed", "--crypto-rand-from-os"}},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		args := append([]string{"run", "tokens", "--seeds", "5", "--check-determinism"}, tt.args...)
		code := cli.MainArgs("orrery", args, &stdout, &stderr, tokens())
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", args, code, tt.code, stderr.String())
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%v: stdout lacks %q:\n%s", args, w, stdout.String())
			}
		}
	}
}
