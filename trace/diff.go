package trace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// ErrDifferentSimulations means Diff was given the traces of two different
// simulations, whose comparison says nothing: their Start records name
// different "sim" attributes.
var ErrDifferentSimulations = errors.New("traces of different simulations")

// DiffOptions tunes Diff. The zero value gives the defaults.
type DiffOptions struct {
	// Context is how many common records before the split the result
	// keeps; 0 means 3, a negative value none.
	Context int
	// Diverging is how many records of each side, from the split on, the
	// result keeps; 0 means 3.
	Diverging int
	// NoInfra skips infrastructure events on both sides, so that traces
	// that differ only in when a partition ended compare equal.
	NoInfra bool
}

func (o DiffOptions) context() int   { return defaultCount(o.Context, 3) }
func (o DiffOptions) diverging() int { return max(defaultCount(o.Diverging, 3), 1) }

// defaultCount maps 0 to def and negative values to 0.
func defaultCount(n, def int) int {
	if n == 0 {
		return def
	}
	return max(n, 0)
}

// DiffResult is where two traces part: how much they share, and the first
// records in which they differ.
type DiffResult struct {
	// Identical reports that the traces hold the same records.
	Identical bool
	// Common is the number of records both traces share before the split
	// (all of them, when Identical), not counting records skipped by
	// NoInfra.
	Common int
	// CommonRNG is the RNG call count of the last common record: the two
	// executions made the same random draws up to this count.
	CommonRNG uint64
	// Context holds the last common records before the split, oldest first.
	Context []Record
	// A and B are each side from the split on.
	A, B DiffSide
}

// DiffSide is one trace from the split on.
type DiffSide struct {
	// Line is the line of the first record that differs, counting from 1;
	// 0 when this trace ended where the other goes on.
	Line int
	// Seq, At and RNG are the seq, logical time and RNG call count of that
	// record.
	Seq uint64
	At  time.Duration
	RNG uint64
	// Records are the first records from the split on, at most
	// DiffOptions.Diverging; empty when the trace ended.
	Records []Record
}

// Ended reports whether the trace ended at the split, being a prefix of the
// other one.
func (s DiffSide) Ended() bool { return len(s.Records) == 0 }

// Diff compares the traces a and b record by record and reports the first
// difference: a seed run twice should give identical traces, and two seeds
// share a prefix up to the first random draw that differs. It streams both:
// its memory holds only the context records. The Start records, when both
// traces begin with one, are compared without their "seed" attribute, so
// that two seeds of a simulation can be compared; when their "sim"
// attributes differ, Diff fails with ErrDifferentSimulations.
func Diff(a, b io.Reader, opts DiffOptions) (DiffResult, error) {
	d := differ{a: NewReader(a), b: NewReader(b), opts: opts, context: newRing(opts.context())}
	res, err := d.run()
	if err != nil {
		return DiffResult{}, fmt.Errorf("diff: %w", err)
	}
	return res, nil
}

// differ is the state of one Diff.
type differ struct {
	a, b    *Reader
	opts    DiffOptions
	context *ring
	res     DiffResult
}

func (d *differ) run() (DiffResult, error) {
	for first := true; ; first = false {
		ra, errA := d.next(d.a, "a")
		rb, errB := d.next(d.b, "b")
		err := errors.Join(notEOF(errA), notEOF(errB))
		if err != nil {
			return DiffResult{}, err
		}
		endA, endB := errA == io.EOF, errB == io.EOF
		if endA && endB {
			d.res.Identical = true
			d.res.Context = d.context.records()
			return d.res, nil
		}
		same := false
		if !endA && !endB {
			if same, err = d.same(&ra, &rb, first); err != nil {
				return DiffResult{}, err
			}
		}
		if !same {
			return d.split(&ra, &rb, endA, endB)
		}
		d.res.Common++
		d.res.CommonRNG = ra.RNG
		d.context.push(&ra)
	}
}

// next returns the next record of rd that the options keep. At the end it
// returns an empty record and io.EOF.
func (d *differ) next(rd *Reader, side string) (Record, error) {
	for {
		r, err := rd.Next()
		switch {
		case err == io.EOF:
			return Record{}, err
		case err != nil:
			return Record{}, fmt.Errorf("%s: %w", side, err)
		case !d.opts.NoInfra || !r.Infra:
			return r, nil
		}
	}
}

func notEOF(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// same compares two records, the first ones of the traces with the Start
// rules.
func (d *differ) same(a, b *Record, first bool) (bool, error) {
	if first && a.Kind == KindStart && b.Kind == KindStart {
		simA, simB := attr(a.Attrs, "sim"), attr(b.Attrs, "sim")
		if simA != simB {
			return false, fmt.Errorf("sim %q against sim %q: %w", simA, simB, ErrDifferentSimulations)
		}
		a2, b2 := *a, *b
		a2.Attrs, b2.Attrs = withoutAttr(a.Attrs, "seed"), withoutAttr(b.Attrs, "seed")
		return equalRecords(&a2, &b2), nil
	}
	return equalRecords(a, b), nil
}

// split fills the result from the first records that differ on; endA or
// endB tells that a side has ended.
func (d *differ) split(a, b *Record, endA, endB bool) (DiffResult, error) {
	d.res.Context = d.context.records()
	var err error
	if d.res.A, err = d.side(d.a, a, endA, "a"); err != nil {
		return DiffResult{}, err
	}
	if d.res.B, err = d.side(d.b, b, endB, "b"); err != nil {
		return DiffResult{}, err
	}
	return d.res, nil
}

// side reads the diverging records of one trace, starting with first,
// unless the trace has ended.
func (d *differ) side(rd *Reader, first *Record, ended bool, name string) (DiffSide, error) {
	if ended {
		return DiffSide{}, nil
	}
	s := DiffSide{Line: rd.Line(), Seq: first.Seq, At: first.At, RNG: first.RNG, Records: []Record{*first}}
	for len(s.Records) < d.opts.diverging() {
		r, err := d.next(rd, name)
		if err == io.EOF {
			break
		}
		if err != nil {
			return DiffSide{}, err
		}
		s.Records = append(s.Records, r)
	}
	return s, nil
}

// equalRecords reports whether a and b are the same record: every field
// equal, attributes in the same order.
func equalRecords(a, b *Record) bool {
	return a.At == b.At && a.Seq == b.Seq && a.RNG == b.RNG && a.Level == b.Level &&
		a.Kind == b.Kind && a.Op == b.Op && a.Obj == b.Obj && a.ID == b.ID &&
		a.Name == b.Name && a.Detail == b.Detail && a.Cause == b.Cause &&
		a.Infra == b.Infra && a.Task == b.Task && a.TaskName == b.TaskName &&
		a.Msg == b.Msg && slices.Equal(a.Attrs, b.Attrs)
}

// attr returns the value of the attribute key, or "".
func attr(attrs []Attr, key string) string {
	for _, a := range attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

func withoutAttr(attrs []Attr, key string) []Attr {
	return slices.DeleteFunc(slices.Clone(attrs), func(a Attr) bool { return a.Key == key })
}

// Format writes the result for people: the size of the common prefix and
// where the traces split, the context lines, then each side's diverging
// lines, marked "-" for a and "+" for b.
func (res DiffResult) Format(w io.Writer) error {
	p := &printer{w: bufio.NewWriter(w)}
	if res.Identical {
		p.line("traces are identical: " + strconv.Itoa(res.Common) + " records")
		return p.w.Flush()
	}
	p.line("traces differ after " + strconv.Itoa(res.Common) + " common records (last common rng=" +
		strconv.FormatUint(res.CommonRNG, 10) + ")")
	for i := range res.Context {
		p.record("  ", &res.Context[i])
	}
	p.side("a", "- ", res.A)
	p.side("b", "+ ", res.B)
	return p.w.Flush()
}

// side prints one DiffSide under a header that locates its split.
func (p *printer) side(name, mark string, s DiffSide) {
	if s.Ended() {
		p.line(name + ": ends here")
		return
	}
	b := append(p.buf[:0], name+": line "...)
	b = strconv.AppendInt(b, int64(s.Line), 10)
	b = append(b, " seq="...)
	b = strconv.AppendUint(b, s.Seq, 10)
	b = append(b, " t="...)
	b = AppendSeconds(b, s.At)
	b = append(b, " rng="...)
	b = strconv.AppendUint(b, s.RNG, 10)
	p.buf = b
	p.line(string(b))
	for i := range s.Records {
		p.record(mark, &s.Records[i])
	}
}
