package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// showCmd is "orrery trace show".
type showCmd struct {
	File string `arg:"" help:"The JSON Lines trace; - reads the standard input."`

	Around *uint64 `placeholder:"SEQ" help:"Show the records of this seq and those around it."`
	Before *int    `placeholder:"N" help:"With --around: how many records before it (default 5)."`
	After  *int    `placeholder:"N" help:"With --around: how many records after it (default 5)."`

	From position `placeholder:"X" help:"Start at the first record of seq X, or at time X (1.5s, 200ms)."`
	To   position `placeholder:"X" help:"Stop after the records of seq X, or after time X."`

	NoInfra bool   `help:"Hide infrastructure events (partition ends, restarts)."`
	Kind    string `placeholder:"K" help:"Keep records of this kind or op: Network, DataDelivery, Log, Fault."`
	Proc    string `placeholder:"P" help:"Keep records by or about this process or task: bank, bank/client-2."`
	Conn    uint64 `placeholder:"C" help:"Keep records about this connection."`
	Level   *level `placeholder:"L" help:"Hide records below this level: error, warn, info, debug, trace."`
}

// defaultAround is how many records --around shows on each side unless
// --before and --after say otherwise.
const defaultAround = 5

// Validate rejects the combinations that would be silently ignored.
func (c *showCmd) Validate() error {
	switch {
	case c.Around == nil && (c.Before != nil || c.After != nil):
		return errors.New("--before and --after need --around")
	case c.Around != nil && *c.Around == 0:
		return errors.New("--around: seq must be above 0 (seq 0 is the setup, not an event)")
	case c.Before != nil && *c.Before < 0, c.After != nil && *c.After < 0:
		return errors.New("--before and --after must not be negative")
	case c.To.set && c.To.seq == 0 && c.To.at == 0:
		return errors.New("--to: must be above 0 (seq 0 and time 0 are the start of the run)")
	}
	return nil
}

// Run prints the records.
func (c *showCmd) Run(e *Env) error {
	f, err := e.open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	w, flush := e.output()
	err = trace.Show(f, w, c.options())
	if ferr := flush(); err == nil && ferr != nil {
		err = fmt.Errorf("show: write: %w", ferr)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(c.File), err)
	}
	return nil
}

// options maps the flags to the library's options.
func (c *showCmd) options() trace.ShowOptions {
	o := trace.ShowOptions{NoInfra: c.NoInfra, Kind: c.Kind, Proc: c.Proc, Conn: c.Conn}
	if c.Around != nil {
		o.Around, o.Before, o.After = *c.Around, defaultAround, defaultAround
	}
	if c.Before != nil {
		o.Before = *c.Before
	}
	if c.After != nil {
		o.After = *c.After
	}
	o.FromSeq, o.FromTime = c.From.seq, c.From.at
	o.ToSeq, o.ToTime = c.To.seq, c.To.at
	if c.Level != nil {
		o.MinLevel = slog.Level(*c.Level)
	}
	return o
}

// whyCmd is "orrery trace why".
type whyCmd struct {
	File   string `arg:"" help:"The JSON Lines trace; - reads the standard input."`
	Seq    uint64 `arg:"" optional:"" help:"The seq of the event to explain; by default, the failure."`
	Recent int    `placeholder:"N" default:"10" help:"How many events before it to list, those on the chain marked with * (default ${default})."`
	Max    int    `placeholder:"N" default:"200" help:"How many events of the chain to list at most, the newest; 0 lists them all (default ${default})."`
}

// Validate rejects negative counts.
func (c *whyCmd) Validate() error {
	if c.Recent < 0 || c.Max < 0 {
		return errors.New("--recent and --max must not be negative")
	}
	return nil
}

// Run explains the event.
func (c *whyCmd) Run(e *Env) error {
	f, err := e.open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	recent := c.Recent
	if recent == 0 {
		recent = -1 // the library's "none"; its 0 means the default
	}
	limit := c.Max
	if limit == 0 {
		limit = -1 // the library's "no limit"; its 0 means the default
	}
	ch, err := trace.WhyOptions{Recent: recent, Max: limit}.Why(f, c.Seq)
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(c.File), err)
	}
	return e.format(ch.Format)
}

// diffCmd is "orrery trace diff".
type diffCmd struct {
	A       string `arg:"" help:"The first JSON Lines trace (\"a\" in messages); - reads the standard input."`
	B       string `arg:"" help:"The second trace (\"b\")."`
	NoInfra bool   `help:"Skip infrastructure events on both sides."`
	Context int    `placeholder:"N" default:"3" help:"How many common records to show before the split (default ${default})."`
}

// Validate rejects reading the standard input twice.
func (c *diffCmd) Validate() error {
	if c.A == "-" && c.B == "-" {
		return errors.New("only one of A and B can be - (the standard input)")
	}
	return nil
}

// Run compares the traces; errDiffer when they differ.
func (c *diffCmd) Run(e *Env) error {
	res, err := c.diff(e)
	if err != nil {
		return err
	}
	if err := e.format(res.Format); err != nil {
		return err
	}
	if !res.Identical {
		return errDiffer
	}
	return nil
}

func (c *diffCmd) diff(e *Env) (trace.DiffResult, error) {
	a, err := e.open(c.A)
	if err != nil {
		return trace.DiffResult{}, err
	}
	defer a.Close()
	b, err := e.open(c.B)
	if err != nil {
		return trace.DiffResult{}, err
	}
	defer b.Close()
	context := c.Context
	if context == 0 {
		context = -1 // the library's "none"; its 0 means the default
	}
	res, err := trace.Diff(a, b, trace.DiffOptions{Context: context, NoInfra: c.NoInfra})
	if err != nil {
		return trace.DiffResult{}, fmt.Errorf("%s and %s: %w", displayName(c.A), displayName(c.B), err)
	}
	return res, nil
}

// format writes a result through its Format method to the output.
func (e *Env) format(format func(w io.Writer) error) error {
	w, flush := e.output()
	err := format(w)
	if ferr := flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// position is the value of --from and --to: a seq ("1200") or a logical
// time with its unit ("1.5s", "200ms").
type position struct {
	seq uint64
	at  time.Duration
	set bool
}

// UnmarshalText parses a position for kong.
func (p *position) UnmarshalText(b []byte) error {
	s := string(b)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("seq %q: out of range", s)
		}
		*p = position{seq: n, set: true}
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is neither a seq nor a time such as 1.5s or 200ms", s)
	}
	*p = position{at: d, set: true}
	return nil
}

// level is the value of --level.
type level slog.Level

// UnmarshalText parses a level name for kong.
func (l *level) UnmarshalText(b []byte) error {
	v, err := trace.ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = level(v)
	return nil
}
