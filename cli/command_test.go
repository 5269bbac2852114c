package cli_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/cli"
)

// TestAddedCommand: a command a program adds gets its arguments as given,
// and its exit code is the program's; the help lists it.
func TestAddedCommand(t *testing.T) {
	echo := cli.Command{Name: "echo", Help: "Print the arguments.", Run: func(args []string, stdout, _ io.Writer) int {
		fmt.Fprintln(stdout, strings.Join(args, "|"))
		return len(args)
	}}
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"echo"}, 0, "\n"},
		{[]string{"echo", "./...", "-json", "--x"}, 3, "./...|-json|--x\n"},
		{[]string{"--help"}, 0, "echo "},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := cli.MainWithArgs("prog", tt.args, &stdout, &stderr, []cli.Command{echo})
		if code != tt.code || !strings.Contains(stdout.String(), tt.out) {
			t.Errorf("%v: exit %d, want %d; stdout %q, want %q; stderr %s", tt.args, code, tt.code, stdout.String(), tt.out, stderr.String())
		}
	}
}
