package cli_test

import (
	"fmt"
	"io"
	"os"

	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/wal"
)

// MainArgs is Main for tests and wrappers: it takes the program's name (for
// the replay commands it prints) and its arguments, and returns the exit
// code instead of exiting.
func ExampleMainArgs() {
	code := cli.MainArgs("banksim", []string{"list"}, os.Stdout, os.Stderr,
		bank.Simulation(bank.Options{}), wal.Simulation())
	fmt.Println("exit", code)
	// Output:
	// bank (planted bugs: lost-update)
	// wal (planted bugs: ack-before-sync)
	// exit 0
}

// A program adds commands of its own next to run, replay and the trace
// tools, as cmd/orrery adds vet.
func ExampleMainWithArgs() {
	hello := cli.Command{Name: "hello", Help: "Say hello.",
		Run: func(args []string, stdout, stderr io.Writer) int {
			fmt.Fprintln(stdout, "hello", args)
			return 0
		}}
	code := cli.MainWithArgs("banksim", []string{"hello", "world"}, os.Stdout, os.Stderr,
		[]cli.Command{hello}, bank.Simulation(bank.Options{}))
	fmt.Println("exit", code)
	// Output:
	// hello [world]
	// exit 0
}
