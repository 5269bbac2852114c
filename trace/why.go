package trace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// ErrNoFailure means Why was asked to explain the failure of a trace in
// which nothing failed: it holds no record at level ERROR or above.
var ErrNoFailure = errors.New("no failure in the trace")

// FailurePrefix starts the message of the log record the engine writes, at
// level ERROR, when a seed fails ("failure: invariant conservation
// violated"). Why relies on it to find the failing event.
const FailurePrefix = "failure:"

// Chain explains how an event came to happen: the event that scheduled it,
// the one that scheduled that, and so on back to the setup of the run, with
// the connections involved and the events just before it.
type Chain struct {
	// Seq is the event explained.
	Seq uint64
	// Failure is the failure record, when Why was asked about the failure
	// (seq 0); nil otherwise.
	Failure *Record
	// Links are the events of the chain: Links[0] is the event Seq, and
	// each next link is the event being processed when the one before it
	// was scheduled (its Cause). The last link was scheduled during setup
	// (Cause 0), unless Broken is set.
	Links []Record
	// Broken, when not 0, is the cause of the last link, an event the
	// trace does not hold (a trace cut at the start): the chain stops
	// there.
	Broken uint64
	// Omitted is how many of the chain's oldest links were left out to
	// keep it to WhyOptions.Max: Links holds the newest ones, and Broken
	// still says where the whole chain ends.
	Omitted int
	// Conns are the connections the chain's network and connection events
	// are about, oldest first.
	Conns []Conn
	// Recent are the events just before Seq in the trace, oldest first.
	Recent []Recent
}

// Conn is a connection met on a causal chain and the event that established
// it, so that a reader sees between whom the bytes travelled.
type Conn struct {
	ID uint64
	// Ready is the record of the connection's ConnectionReady event, whose
	// Detail holds its addresses ("10.0.0.1:40001->10.0.1.1:7000"); nil
	// when the trace has none before the chain uses the connection.
	Ready *Record
}

// Recent is one of the events just before the one explained; OnChain marks
// those that are links of the chain, the rest being concurrent activity.
type Recent struct {
	Record  Record
	OnChain bool
}

// WhyOptions tunes Why. The zero value gives the defaults.
type WhyOptions struct {
	// Recent is how many events before the explained one Chain.Recent
	// holds; 0 means 10, a negative value none.
	Recent int
	// Max is how many links Chain.Links holds at most, the newest ones;
	// 0 means DefaultMaxLinks, a negative value no limit. A seed that
	// retries for an hour of simulated time can have a chain of millions.
	Max int
}

// DefaultMaxLinks is how many links of a causal chain Why keeps unless
// WhyOptions.Max says otherwise.
const DefaultMaxLinks = 200

// Why explains the event of the given seq in the trace r with the default
// options; see WhyOptions.Why.
func Why(r io.Reader, seq uint64) (Chain, error) { return WhyOptions{}.Why(r, seq) }

// Why explains the event of the given seq in the trace r: its causal chain
// back to setup (see Chain). Seq 0 means the failure: the event being
// processed when the last log record at level ERROR whose message starts
// with FailurePrefix was written, or, if there is none, the last record at
// level ERROR or above. A seq with no event gives ErrNoSuchSeq; seq 0 in a
// trace without failure, ErrNoFailure.
//
// Why reads r twice and holds a seq-to-cause map of the events (about 40
// bytes each: some 40 MiB for a million events) and the chain. For the
// second pass it seeks r back when r is an io.Seeker (an *os.File);
// otherwise it reads all of r into memory first.
func (o WhyOptions) Why(r io.Reader, seq uint64) (Chain, error) {
	rs, start, err := rewindable(r)
	if err != nil {
		return Chain{}, fmt.Errorf("why: %w", err)
	}
	causes, failure, err := scanCauses(rs, seq)
	if err != nil {
		return Chain{}, err
	}
	if failure != nil {
		seq = failure.Seq
	}
	seqs, broken, err := walkCauses(causes, seq)
	if err != nil {
		return Chain{}, err
	}
	causes = nil // the second pass needs only the chain
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return Chain{}, fmt.Errorf("why: rewind: %w", err)
	}
	ch, err := collectChain(rs, seqs, o.max(len(seqs)), o.recent())
	if err != nil {
		return Chain{}, err
	}
	ch.Failure, ch.Broken = failure, broken
	return ch, nil
}

// max is how many of n links the chain keeps.
func (o WhyOptions) max(n int) int {
	switch {
	case o.Max == 0:
		return min(n, DefaultMaxLinks)
	case o.Max < 0:
		return n
	}
	return min(n, o.Max)
}

func (o WhyOptions) recent() int {
	if o.Recent == 0 {
		return 10
	}
	return max(o.Recent, 0)
}

// rewindable returns r as an io.ReadSeeker and its current offset, reading
// it into memory if it cannot seek.
func rewindable(r io.Reader) (io.ReadSeeker, int64, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if off, err := rs.Seek(0, io.SeekCurrent); err == nil {
			return rs, off, nil
		} // a pipe behind an *os.File: read it
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, fmt.Errorf("read trace: %w", err)
	}
	return bytes.NewReader(data), 0, nil
}

// scanCauses is Why's first pass: it maps the seq of every event to its
// cause, up to the event seq, or to the end of the trace for seq 0, in which
// case it also returns the failure record.
func scanCauses(r io.Reader, seq uint64) (map[uint64]uint64, *Record, error) {
	rd := NewReader(r)
	causes := make(map[uint64]uint64)
	var fail failurePick
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("why: %w", err)
		}
		if !rec.IsEvent() {
			fail.consider(&rec, rd.Line())
			continue
		}
		if _, dup := causes[rec.Seq]; !dup {
			causes[rec.Seq] = rec.Cause
		}
		if seq != 0 && rec.Seq == seq {
			return causes, failureAt(rd, seq), nil
		}
	}
	if seq != 0 {
		return nil, nil, fmt.Errorf("why seq=%d: %w", seq, ErrNoSuchSeq)
	}
	return causes, fail.rec, fail.check(causes)
}

// failureAt reads on from the event seq to the next event and returns the
// failure record written while seq was processed, if any: a "why" of the
// event a failure names (the command a failing seed prints) shows the
// failure too. An unreadable record ends the search: the chain is read
// again in the second pass, which reports it.
func failureAt(rd *Reader, seq uint64) *Record {
	var fail failurePick
	for {
		rec, err := rd.Next()
		if err != nil || rec.IsEvent() {
			break
		}
		if rec.Seq == seq {
			fail.consider(&rec, rd.Line())
		}
	}
	if !fail.strong {
		return nil
	}
	return fail.rec
}

// failurePick finds the failure record of a trace.
type failurePick struct {
	rec    *Record
	line   int
	strong bool // rec is a "failure:" log, not just an error
}

func (f *failurePick) consider(r *Record, line int) {
	if r.Level < slog.LevelError {
		return
	}
	strong := r.Kind == KindLog && strings.HasPrefix(r.Msg, FailurePrefix)
	if strong || !f.strong {
		rec := *r
		f.rec, f.line, f.strong = &rec, line, strong
	}
}

// check reports a failure that Why cannot explain.
func (f *failurePick) check(causes map[uint64]uint64) error {
	if f.rec == nil {
		return fmt.Errorf("why: %w (no record at level ERROR or above)", ErrNoFailure)
	}
	if _, ok := causes[f.rec.Seq]; !ok {
		return fmt.Errorf("why: the failure at line %d names seq=%d, which is not an event (0 is the setup): %w",
			f.line, f.rec.Seq, ErrNoSuchSeq)
	}
	return nil
}

// walkCauses follows causes from seq back to setup, returning the seqs of
// the chain and, if it leaves the trace, the missing seq.
func walkCauses(causes map[uint64]uint64, seq uint64) (seqs []uint64, broken uint64, err error) {
	for s := seq; ; {
		seqs = append(seqs, s)
		c := causes[s]
		switch _, ok := causes[c]; {
		case c == 0:
			return seqs, 0, nil
		case c >= s: // an event is scheduled after its cause started: never in a real trace
			return nil, 0, fmt.Errorf("why: event seq=%d has cause=%d, not an earlier event: %w", s, c, ErrMalformed)
		case !ok:
			return seqs, c, nil
		}
		s = c
	}
}

// chainCollector is Why's second pass: it picks the records of the chain,
// the connections they use and the events before the explained one.
type chainCollector struct {
	ch     Chain
	index  map[uint64]int     // seq of a link -> its index in ch.Links
	ready  map[uint64]*Record // the latest ConnectionReady of each connection
	conns  map[uint64]bool    // connections already in ch.Conns
	recent *ring
	chain  []uint64 // the seqs of every link, kept or not
}

// collectChain reads the records of the first keep links of seqs, the
// newest, leaving the others out.
func collectChain(r io.Reader, seqs []uint64, keep, recent int) (Chain, error) {
	c := chainCollector{
		ch:    Chain{Seq: seqs[0], Links: make([]Record, keep), Omitted: len(seqs) - keep},
		index: make(map[uint64]int, keep), ready: make(map[uint64]*Record),
		conns: make(map[uint64]bool), recent: newRing(recent), chain: seqs,
	}
	for i, s := range seqs[:keep] {
		c.index[s] = i
	}
	rd := NewReader(r)
	for {
		rec, err := rd.Next()
		if err != nil { // io.EOF too: the first pass saw the event
			return Chain{}, fmt.Errorf("why: second pass: %w", err)
		}
		if rec.IsEvent() && c.add(&rec) {
			return c.finish(), nil
		}
	}
}

// add takes one event record, reporting whether it is the explained one.
func (c *chainCollector) add(r *Record) bool {
	if r.Kind == "Connection" && r.Op == "ConnectionReady" && r.Obj == "conn" {
		rec := *r
		c.ready[r.ID] = &rec
	}
	i, ok := c.index[r.Seq]
	if ok {
		delete(c.index, r.Seq) // a seq repeated later is not the same event
		c.ch.Links[i] = *r
		c.addConn(r)
	}
	if r.Seq == c.ch.Seq {
		return true
	}
	c.recent.push(r)
	return false
}

// addConn notes the connection a chain link is about.
func (c *chainCollector) addConn(r *Record) {
	if r.Obj != "conn" || (r.Kind != "Network" && r.Kind != "Connection") || c.conns[r.ID] {
		return
	}
	c.conns[r.ID] = true
	c.ch.Conns = append(c.ch.Conns, Conn{ID: r.ID, Ready: c.ready[r.ID]})
}

func (c *chainCollector) finish() Chain {
	onChain := make(map[uint64]bool, len(c.chain))
	for _, s := range c.chain {
		onChain[s] = true
	}
	for _, r := range c.recent.records() {
		c.ch.Recent = append(c.ch.Recent, Recent{Record: r, OnChain: onChain[r.Seq]})
	}
	return c.ch
}

// Format writes the chain for people: the failure if any, the links from the
// event back to setup, the connections with the events that established
// them, and the recent events, those on the chain marked with '*'.
func (ch Chain) Format(w io.Writer) error {
	p := &printer{w: bufio.NewWriter(w)}
	p.header(ch)
	p.line("causal chain, newest first (each event was scheduled while the next one was processed):")
	for i := range ch.Links {
		p.record("  ", &ch.Links[i])
	}
	p.end(ch)
	p.conns(ch.Conns)
	p.recent(ch)
	return p.w.Flush()
}

// printer writes the lines of Format.
type printer struct {
	w   *bufio.Writer
	buf []byte
}

func (p *printer) line(s string) {
	p.w.WriteString(s) // bufio.Writer keeps the first error for Flush
	p.w.WriteByte('\n')
}

func (p *printer) record(prefix string, r *Record) {
	p.buf = AppendText(append(p.buf[:0], prefix...), r)
	p.line(string(p.buf))
}

// end says where the chain starts, and how many of its links were left
// out before it.
func (p *printer) end(ch Chain) {
	start := "scheduled during setup"
	if ch.Broken != 0 {
		start = "scheduled by seq=" + strconv.FormatUint(ch.Broken, 10) + ", which the trace does not hold"
	}
	if ch.Omitted == 0 {
		p.line("  (" + start + ")")
		return
	}
	p.line("  ... " + strconv.Itoa(ch.Omitted) + " older events of the chain left out, back to the first, " + start)
}

func (p *printer) header(ch Chain) {
	n, events := len(ch.Links)+ch.Omitted, " events"
	if n == 1 {
		events = " event"
	}
	p.line("why seq=" + strconv.FormatUint(ch.Seq, 10) + ": " + strconv.Itoa(n) + events + " on the chain")
	if ch.Failure != nil {
		p.record("failure: ", ch.Failure)
	}
}

func (p *printer) conns(conns []Conn) {
	if len(conns) == 0 {
		return
	}
	p.line("connections on the chain:")
	for _, c := range conns {
		if c.Ready == nil {
			p.line("  conn=" + strconv.FormatUint(c.ID, 10) + ": not established in this trace")
			continue
		}
		p.record("  conn="+strconv.FormatUint(c.ID, 10)+" established by ", c.Ready)
	}
}

func (p *printer) recent(ch Chain) {
	if len(ch.Recent) == 0 {
		return
	}
	what := " events"
	if len(ch.Recent) == 1 {
		what = " event"
	}
	p.line("last " + strconv.Itoa(len(ch.Recent)) + what + " before seq=" + strconv.FormatUint(ch.Seq, 10) + " (* on the chain):")
	for i := range ch.Recent {
		mark := "    "
		if ch.Recent[i].OnChain {
			mark = "  * "
		}
		p.record(mark, &ch.Recent[i].Record)
	}
}
