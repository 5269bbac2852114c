package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"

	"github.com/alecthomas/kong"
)

// Run runs the orrery command line args (without the program name) and
// returns the exit code. opts add commands (kong.DynamicCommand): the
// simulation commands of cli.Main, whose Run methods take *Env.
func Run(args []string, stdout, stderr io.Writer, opts ...kong.Option) int {
	e := &Env{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return e.run(args, opts...)
}

// Exit codes: 1 is kept for "the traces differ" (or "a seed failed"), so
// that scripts can tell a difference from a failure to compare; a crash of
// orrery itself has a code of its own, so that it is not taken for a usage
// error.
const (
	exitOK     = 0
	exitDiffer = 1
	exitBad    = 2 // a usage error or bad input
	exitCrash  = 3 // a panic in orrery's own code
)

// ExitHelp is the paragraph of the help that lists the exit codes.
const ExitHelp = "Exit status: 0 everything passed; 1 a seed failed, or the traces differ; " +
	"2 a usage error or bad input; 3 a crash of orrery itself (a bug: the stack is on standard error); " +
	"130 interrupted (SIGINT), 143 terminated (SIGTERM)."

// ExitStatus is what a command returns to exit with that code and no
// message, having said why on its output (an interrupted run: 130).
type ExitStatus int

func (s ExitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// errDiffer is what trace diff returns when the traces differ: not a
// failure, but exit code 1.
var errDiffer = ErrExit1

// ErrExit1 is what a command returns to exit with code 1 and no message: the
// traces differ, a seed failed. The command has said why on its output.
var ErrExit1 = errors.New("exit status 1")

// cli is the command line of orrery.
type cli struct {
	Color string   `enum:"auto,always,never" default:"auto" help:"Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never."`
	Trace traceCmd `cmd:"" help:"Read the JSON Lines traces that simulations write."`
}

// traceCmd groups the trace tools.
type traceCmd struct {
	Show showCmd `cmd:"" help:"Print the records of a trace, or of a part of it."`
	Why  whyCmd  `cmd:"" help:"Explain an event (by default, the failure): its causal chain back to setup."`
	Diff diffCmd `cmd:"" help:"Find where two traces part. Exit 0 when identical, 1 when they differ."`
	HTML htmlCmd `cmd:"" name:"html" help:"Write a self-contained timeline page of a trace."`
}

// Env is what the commands work with: the standard streams and the
// settings that come from outside the command line.
type Env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	color  bool // set from --color once the command line is parsed
}

// run is Run without added commands: the trace tools alone. Errors are
// written to stderr as one line, "orrery: what: why".
func run(args []string, stdout, stderr io.Writer) int {
	return Run(args, stdout, stderr)
}

func (e *Env) run(args []string, opts ...kong.Option) int {
	var c cli
	kctx, code, err := e.parse(&c, args, opts)
	if kctx == nil || err != nil {
		return e.report(code, err)
	}
	e.color = wantColor(c.Color, e.stdout, e.getenv)
	return e.runCommand(kctx)
}

// runCommand runs the parsed command. A panic is a crash of orrery
// itself: its value and stack go to standard error and the exit code is 3.
func (e *Env) runCommand(kctx *kong.Context) (code int) {
	defer func() {
		if v := recover(); v != nil {
			code = e.crash(v)
		}
	}()
	return e.report(exitOK, kctx.Run(e))
}

// crash reports a panic: its value and the stack of the goroutine that
// panicked, which a value raised again from another goroutine (a worker of
// a run) carries.
func (e *Env) crash(v any) int {
	stack := debug.Stack()
	if c, ok := v.(interface {
		Value() any
		Stack() []byte
	}); ok {
		v, stack = c.Value(), c.Stack()
	}
	fmt.Fprintf(e.stderr, "orrery: internal error (a bug in orrery; please report it with this stack): %s\n\n%s",
		oneLine(fmt.Sprint(v)), stack)
	return exitCrash
}

// Stdout is where a command writes its output.
func (e *Env) Stdout() io.Writer { return e.stdout }

// Stderr is where progress and diagnostics go.
func (e *Env) Stderr() io.Writer { return e.stderr }

// Getenv reads the environment (JOB_COMPLETION_INDEX, ORRERY_LOG).
func (e *Env) Getenv(key string) string { return e.getenv(key) }

// report writes err, if any, and returns the exit code for it.
func (e *Env) report(code int, err error) int {
	switch {
	case err == nil:
		return code
	case errors.Is(err, errDiffer):
		return exitDiffer
	}
	var status ExitStatus
	if errors.As(err, &status) {
		return int(status)
	}
	fmt.Fprintf(e.stderr, "orrery: %s\n", oneLine(err.Error()))
	return exitBad
}

// oneLine keeps a message on one line, whatever it quotes.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", `\n`)
}

// helpExit is the panic that carries kong's request to exit after --help
// out of Parse: run returns an exit code instead of exiting.
type helpExit int

// parse parses args into c. It returns a nil context and an exit code when
// the command line asked only for help, and an error for a usage error.
func (e *Env) parse(c *cli, args []string, opts []kong.Option) (kctx *kong.Context, code int, err error) {
	p, err := kong.New(c, append([]kong.Option{
		kong.Name("orrery"),
		kong.Description("Deterministic simulation testing for distributed systems.\n\n" + ExitHelp),
		kong.Writers(e.stdout, e.stderr),
		kong.Exit(func(code int) { panic(helpExit(code)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	}, opts...)...)
	if err != nil {
		panic(fmt.Sprintf("orrery: the command line model is wrong: %v", err))
	}
	defer func() {
		if r := recover(); r != nil {
			h, ok := r.(helpExit)
			if !ok {
				panic(r)
			}
			kctx, code, err = nil, int(h), nil
		}
	}()
	kctx, err = p.Parse(args)
	if err != nil {
		return nil, exitBad, usageError(p.Model.Name, err)
	}
	return kctx, exitOK, nil
}

// usageError says which command the error is about and where to find its
// usage: prog is how the program was invoked (kong.Name).
func usageError(prog string, err error) error {
	var pe *kong.ParseError
	path := ""
	if errors.As(err, &pe) && pe.Context != nil {
		path = commandPath(pe.Context)
	}
	switch {
	case path == "":
		return fmt.Errorf("usage: %w (see %s --help)", err, prog)
	case strings.HasPrefix(err.Error(), path+": "): // kong names the command of a Validate error
		return fmt.Errorf("%w (see %s %s --help)", err, prog, path)
	}
	return fmt.Errorf("%s: %w (see %s %s --help)", path, err, prog, path)
}

// commandPath is the commands of kctx that were parsed: "trace show".
func commandPath(kctx *kong.Context) string {
	var names []string
	for _, p := range kctx.Path {
		if p.Command != nil {
			names = append(names, p.Command.Name)
		}
	}
	return strings.Join(names, " ")
}

// stdinName is how messages call the file "-".
const stdinName = "standard input"

// displayName is the name of a trace file in messages.
func displayName(name string) string {
	if name == "-" {
		return stdinName
	}
	return name
}

// open opens the trace file name, "-" being the standard input. The error
// reads "name: why".
func (e *Env) open(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(e.stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// output returns the writer for a command's output, colouring it when the
// command line asks for colour, and the function that flushes it.
func (e *Env) output() (io.Writer, func() error) {
	if !e.color {
		return e.stdout, func() error { return nil }
	}
	cw := newColorWriter(e.stdout)
	return cw, cw.Flush
}
