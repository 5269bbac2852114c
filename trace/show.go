package trace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// ErrNoSuchSeq means a trace holds no record, or no event, with the seq asked
// for: a typo, or a trace of another run. Show and Why wrap it.
var ErrNoSuchSeq = errors.New("no such seq in the trace")

// ErrNothingShown means Show's options select no record of the trace: a
// range that ends before it starts, a kind, process or connection the
// range does not hold. Show says which; a show that prints nothing is
// always an error, never silence.
var ErrNothingShown = errors.New("nothing to show")

// ShowOptions selects the records Show prints. The zero value prints every
// record. The position options (From*, To*, Around) cut a stretch of the
// trace; the filters (NoInfra, Kind, Proc, Conn, MinLevel) then pick records
// from it; Before and After count the records that pass the filters.
type ShowOptions struct {
	// Around, when not 0, shows only the records of that seq (an event and
	// the logs written while it was processed), with Before records before
	// them and After records after them. The seq need not pass the filters;
	// it only marks the place. Show fails with ErrNoSuchSeq if the trace
	// has no record of that seq.
	Around        uint64
	Before, After int

	// FromSeq, when not 0, starts at the first record of that seq; ToSeq,
	// when not 0, stops after the records of that seq. These are positions
	// in the trace, not numeric ranges: events run in time order, so their
	// seqs (scheduling order) are not sorted.
	FromSeq, ToSeq uint64
	// FromTime hides records before that logical time; ToTime, when not 0,
	// stops after it. Both are inclusive.
	FromTime, ToTime time.Duration

	// NoInfra hides infrastructure events (partition ends, restarts).
	NoInfra bool
	// Kind, when set, keeps records whose Kind or Op equals it: "Network",
	// "DataDelivery", "Log", "Fault".
	Kind string
	// Proc, when set, keeps records of one process or task: those whose
	// TaskName (the task that scheduled the event or wrote the log) is Proc
	// or starts with Proc+"/", and events about such a task or process
	// (Obj "task" or "proc" with that Name). So "bank" keeps the tasks
	// "bank/client-2" and "bank/server", and "bank/client-2" only that task.
	Proc string
	// Conn, when not 0, keeps records about that connection (Obj "conn"
	// and ID Conn). Connection ids start at 1.
	Conn uint64
	// MinLevel, when not nil, hides records below its level; events are at
	// LevelTrace, so slog.LevelDebug shows only logs.
	MinLevel slog.Leveler
}

// Show prints the records of the trace r that opts selects to w, one
// AppendText line each. It streams: its memory is bounded by opts.Before
// records, and it stops reading once nothing more can match. When it
// prints nothing it fails with ErrNothingShown, saying which option left
// nothing, or with ErrNoSuchSeq for a FromSeq the trace does not hold.
func Show(r io.Reader, w io.Writer, opts ShowOptions) error {
	bw := bufio.NewWriter(w)
	s := shower{opts: opts, w: bw, before: newRing(opts.Before), started: opts.FromSeq == 0}
	err := s.run(NewReader(r))
	if ferr := bw.Flush(); s.err == nil {
		s.err = ferr // the lines before a read error are still worth having
	}
	switch {
	case err != nil:
		return fmt.Errorf("show: %w", err)
	case s.err != nil:
		return fmt.Errorf("show: write: %w", s.err)
	case opts.Around != 0 && s.phase == showBefore:
		return fmt.Errorf("show: seq=%d: %w", opts.Around, ErrNoSuchSeq)
	}
	return s.nothingShown()
}

// nothingShown explains why Show printed nothing, or returns nil when it
// printed something.
func (s *shower) nothingShown() error {
	o := &s.opts
	switch {
	case s.printed > 0:
		return nil
	case o.FromSeq != 0 && !s.started && !s.done:
		return fmt.Errorf("show: from seq=%d: %w", o.FromSeq, ErrNoSuchSeq)
	case s.inRange == 0 && s.done:
		return fmt.Errorf("show: %w: the range ends before it starts", ErrNothingShown)
	case s.inRange == 0:
		return fmt.Errorf("show: %w: the range holds no record", ErrNothingShown)
	}
	return s.hits.why(o)
}

// hits records which filters some record of the range passed, to say
// which one left nothing.
type hits struct{ infra, kind, proc, conn, level bool }

func (h *hits) note(r *Record, o *ShowOptions) {
	h.infra = h.infra || !r.Infra
	h.kind = h.kind || r.Kind == o.Kind || r.Op == o.Kind
	h.proc = h.proc || matchProc(r, o.Proc)
	h.conn = h.conn || (r.Obj == "conn" && r.ID == o.Conn)
	h.level = h.level || (o.MinLevel != nil && r.Level >= o.MinLevel.Level())
}

func (h *hits) why(o *ShowOptions) error {
	var what string
	switch {
	case o.Kind != "" && !h.kind:
		what = fmt.Sprintf("no record in the range has kind or op %q", o.Kind)
	case o.Proc != "" && !h.proc:
		what = fmt.Sprintf("no record in the range is by or about %q", o.Proc)
	case o.Conn != 0 && !h.conn:
		what = fmt.Sprintf("no record in the range is about conn=%d", o.Conn)
	case o.MinLevel != nil && !h.level:
		what = fmt.Sprintf("no record in the range is at level %v or above", o.MinLevel.Level())
	case o.NoInfra && !h.infra:
		what = "every record in the range is infrastructure"
	default:
		what = "no record in the range passes every filter at once"
	}
	return fmt.Errorf("show: %w: %s", ErrNothingShown, what)
}

// run feeds the records of rd to add until the end of the trace or of what
// can match.
func (s *shower) run(rd *Reader) error {
	for !s.done {
		rec, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		s.add(&rec)
	}
	return nil
}

// The phases of a Show with Around: before the seq, at it, after it.
const (
	showBefore = iota
	showAt
	showAfter
)

// shower is the state of one Show.
type shower struct {
	opts    ShowOptions
	w       *bufio.Writer
	buf     []byte
	before  *ring // the last matching records before Around
	started bool  // FromSeq has been reached
	seenTo  bool  // a record of ToSeq has been read
	phase   int   // showBefore, showAt, showAfter
	after   int   // records printed after Around
	done    bool  // nothing more can be printed
	err     error // of writing
	printed int   // records printed
	inRange int   // records in the range
	hits    hits
}

// add considers one record.
func (s *shower) add(r *Record) {
	if !s.within(r) {
		return
	}
	s.inRange++
	s.hits.note(r, &s.opts)
	match := s.match(r)
	if s.opts.Around == 0 {
		if match {
			s.print(r)
		}
		return
	}
	s.window(r, match)
}

// within applies FromSeq, ToSeq, FromTime and ToTime, noting when the end
// of the range is passed.
func (s *shower) within(r *Record) bool {
	o := &s.opts
	if o.ToSeq != 0 {
		if s.seenTo && r.Seq != o.ToSeq {
			s.done = true
			return false
		}
		s.seenTo = s.seenTo || r.Seq == o.ToSeq
	}
	if o.ToTime != 0 && r.At > o.ToTime {
		s.done = true
		return false
	}
	s.started = s.started || r.Seq == o.FromSeq
	return s.started && r.At >= o.FromTime
}

// match applies the filters.
func (s *shower) match(r *Record) bool {
	o := &s.opts
	switch {
	case o.NoInfra && r.Infra:
	case o.Kind != "" && r.Kind != o.Kind && r.Op != o.Kind:
	case o.Proc != "" && !matchProc(r, o.Proc):
	case o.Conn != 0 && (r.Obj != "conn" || r.ID != o.Conn):
	case o.MinLevel != nil && r.Level < o.MinLevel.Level():
	default:
		return true
	}
	return false
}

// matchProc reports whether r is by or about the task or process p.
func matchProc(r *Record, p string) bool {
	return under(r.TaskName, p) || (r.Obj == "task" || r.Obj == "proc") && under(r.Name, p)
}

// under reports whether name is p or a name below it ("p/...").
func under(name, p string) bool {
	return strings.HasPrefix(name, p) && (len(name) == len(p) || name[len(p)] == '/')
}

// window prints the records around opts.Around.
func (s *shower) window(r *Record, match bool) {
	at := r.Seq == s.opts.Around
	switch {
	case s.phase == showBefore && at:
		for _, b := range s.before.records() {
			s.print(&b)
		}
		s.before.reset()
		s.phase = showAt
	case s.phase == showBefore:
		if match {
			s.before.push(r)
		}
		return
	case s.phase == showAt && !at:
		s.phase = showAfter
	}
	if s.phase == showAfter && s.after >= s.opts.After {
		s.done = true
		return
	}
	if match {
		s.print(r)
		if s.phase == showAfter {
			s.after++
		}
	}
}

func (s *shower) print(r *Record) {
	s.printed++
	s.buf = AppendText(s.buf[:0], r)
	s.buf = append(s.buf, '\n')
	if _, err := s.w.Write(s.buf); err != nil {
		s.err, s.done = err, true
	}
}
