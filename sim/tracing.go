package sim

import (
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/orrerysim/orrery/internal/outfile"
	"github.com/orrerysim/orrery/trace"
)

// Tags that keep hashed values of different record types apart.
const (
	hashSeed   = 0x6f7272657279_0001
	hashTagRun = 0x52554e << 40
	hashTagLog = 0x4c4f47 << 40
)

// mix folds v into the trace hash.
func mix(h, v uint64) uint64 {
	h ^= v
	h *= 0x9e3779b97f4a7c15
	return h ^ h>>29
}

// hashEvent folds ev into the trace hash. The fields are multiplied by
// distinct odd constants independently, so that the CPU computes them side
// by side, and only their sum goes through the chained mix.
func (w *World) hashEvent(ev *Event) {
	v := (uint64(ev.At)+ev.Seq*0xbf58476d1ce4e5b9)*0x9e3779b97f4a7c15 ^
		(uint64(ev.Op)|uint64(ev.By)<<8|ev.ID<<32^ev.ID>>32)*0x94d049bb133111eb ^
		(uint64(ev.Arg)+ev.Cause*0xe7037ed1a0b428db)*0xa0761d6478bd642f ^ w.rng.calls*0x8ebc6af09c88c6e3
	w.hash = mix(w.hash, v)
}

// hashString folds s into h: its length, and its bytes eight at a time as
// little-endian words, the last word of fewer than eight bytes filled with
// zeros.
func hashString(h uint64, s string) uint64 {
	h = mix(h, uint64(len(s)))
	t := s
	for len(t) >= 8 {
		h = mix(h, load8(t))
		t = t[8:]
	}
	n := len(t)
	switch {
	case n == 0:
		return mix(h, 0)
	case len(s) >= 8: // the last eight bytes, of which the first 8-n were folded
		return mix(h, load8(s[len(s)-8:])>>(64-8*n))
	case n >= 4: // four and four, overlapping
		lo, hi := uint64(load4(t)), uint64(load4(t[n-4:]))
		return mix(h, lo|hi>>(8*(8-n))<<32)
	}
	m := n / 2
	return mix(h, uint64(t[0])|uint64(t[m])<<(8*m)|uint64(t[n-1])<<(8*(n-1)))
}

// load8 is the first eight bytes of s as a little-endian word.
func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load4 is the first four bytes of s as a little-endian word.
func load4(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// tracer writes records: text lines filtered by level, and JSON Lines,
// whose records it queues and encodes a few hundred at a time (see
// jsonQueue). Each output is buffered, up to traceChunk bytes, and
// flushed when the buffer fills, when a failure is recorded, when Step
// returns, when the run ends, and at the first record written traceLag
// of real time after the buffer took its first: a trace costs a write
// per chunk, not per record, a seed that fails, a panic included, leaves
// its whole trace written, and a slow seed's trace still streams. (The
// real time decides when records are written, never what they say.)
type tracer struct {
	filter trace.Filter
	text   io.Writer
	json   io.Writer
	events bool // some package shows events in the text trace
	// kindShown says for each event kind whether the text trace shows its
	// events: 0 not known yet, 1 no, 2 yes. appShown says whether it shows
	// log records at appLevel, when appKnown.
	kindShown [len(kindNames)]uint8
	appKnown  bool
	appShown  bool
	appLevel  slog.Level
	on        bool        // anything is written
	jbuf      []byte      // JSON Lines not yet written
	jq        *jsonQueue  // records not yet encoded as JSON Lines
	tbuf      []byte      // text lines not yet written
	err       error       // the first write error; writing stops there
	lag       outfile.Lag // due traceLag after the buffer's first record
	name      string
	w         *World
	// hosts are the tasks' hosts by task ID, kept while events are
	// traced, to show the clock of the host whose task scheduled an event.
	hosts []*Host
	attr  [1]trace.Attr // an event record's clock= attribute
	// attrFmt formats the attributes of log records, into the JSON queue
	// or, without JSON, the World's attrBuf.
	attrFmt attrFormatter
	orders  *attrOrders // how the attributes of recent log records were sorted; made at the first
	shapes  *attrShapes // the shapes of recent log records; made at the first
	// scratch is the record being written when no JSON is: with JSON,
	// records are built in the queue (see slot).
	scratch trace.Record
	// busy says that a record is being built, its strings appended to the
	// tracer's buffers: a record written meanwhile (by a log value that
	// logs when it is resolved) is set aside, and written after it.
	busy   bool
	aside  []asideRecord
	detail []byte // the description of the event being written, without JSON
}

// detailAppender is a Handler whose events a trace describes often: it
// returns the detail that DescribeEvent returns as a string it keeps,
// whose bytes never change (see trace.Record.DetailKept), or
// when that is empty, appended to b, which it returns; the tracer writes
// it from there, allocating nothing. The name it returns is the same as
// DescribeEvent's.
type detailAppender interface {
	AppendEventDetail(b []byte, ev *Event) (name, detail string, nb []byte)
}

// hostOf records that task id runs on h.
func (tr *tracer) hostOf(id TaskID, h *Host) {
	for uint64(len(tr.hosts)) <= uint64(id) {
		tr.hosts = append(tr.hosts, nil)
	}
	tr.hosts[id] = h
}

// hostBy returns the host of task id, nil if it has none.
func (tr *tracer) hostBy(id TaskID) *Host {
	if uint64(id) < uint64(len(tr.hosts)) {
		return tr.hosts[id]
	}
	return nil
}

// skewedClock returns the clock of h when it reads other than true time.
func skewedClock(h *Host) *HostClock {
	if h == nil || h.clock == nil || !h.clock.Skewed() {
		return nil
	}
	return h.clock
}

func (tr *tracer) init(w *World, cfg Config) {
	f, err := trace.ParseFilter(cfg.LogFilter)
	if err != nil { // New has refused such a Config already
		f = trace.Filter{}
	}
	tr.filter, tr.json, tr.name, tr.w = f, cfg.Trace, cfg.Name, w
	tr.lag.Wait = traceLag
	if cfg.Log != nil && f.MinLevel() <= slog.LevelError {
		tr.text = cfg.Log
	}
	tr.events = tr.text != nil && f.MinLevel() <= trace.LevelTrace
	tr.on = tr.json != nil || tr.events
	if tr.json != nil {
		tr.jbuf = getTraceBuf()
		tr.jq = getJSONQueue()
	}
	if tr.text != nil {
		tr.tbuf = getTraceBuf()
	}
	w.logMin = logMin(tr, cfg.Verbose)
}

// traceBufs holds the buffers of runs that have ended, for the next
// World's tracer: a buffer grows once, not once a run.
var traceBufs sync.Pool // of *[]byte

func getTraceBuf() []byte {
	if p, ok := traceBufs.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, traceChunk+traceChunk/4)
}

// jsonQueues holds the JSON queues of runs that have ended: the next
// run's records repeat their encoder's heads.
var jsonQueues sync.Pool // of *jsonQueue

func getJSONQueue() *jsonQueue {
	if q, ok := jsonQueues.Get().(*jsonQueue); ok {
		return q
	}
	return newJSONQueue()
}

// putTraceBuf keeps b for another run, unless a huge record made it
// huge.
func putTraceBuf(b []byte) {
	if b != nil && cap(b) <= 4*traceChunk {
		traceBufs.Put(&b)
	}
}

// release hands the buffers back for other runs; it flushes first.
func (tr *tracer) release() {
	tr.flush()
	putTraceBuf(tr.jbuf)
	putTraceBuf(tr.tbuf)
	if tr.jq != nil {
		tr.jq.drop()
		jsonQueues.Put(tr.jq)
	}
	tr.jbuf, tr.tbuf, tr.jq = nil, nil, nil
}

// logMin is the lowest log level the World builds: Info and above always,
// as the trace hash covers them whatever is shown; below Info only what
// the text log or the JSON trace shows, or everything when verbose.
func logMin(tr *tracer, verbose bool) slog.Level {
	switch {
	case verbose || tr.json != nil:
		return math.MinInt
	case tr.text != nil:
		return min(slog.LevelInfo, tr.filter.MinLevel())
	}
	return slog.LevelInfo
}

func (tr *tracer) write(pkg string, r *trace.Record) {
	if tr.err != nil || (tr.json == nil && tr.text == nil) {
		return
	}
	if tr.busy {
		tr.setAside(pkg, r)
		return
	}
	held := tr.held()
	if tr.json != nil {
		tr.queueJSON(r)
	}
	tr.put(tr.text != nil && tr.filter.Enabled(pkg, r.Level), r, held)
}

// asideRecord is a record written while another was being built.
type asideRecord struct {
	pkg string
	r   trace.Record
}

// setAside keeps a copy of r, with strings of its own, to be written once
// the record being built is.
func (tr *tracer) setAside(pkg string, r *trace.Record) {
	c := *r
	c.Detail = strings.Clone(r.Detail)
	c.Attrs = slices.Clone(r.Attrs)
	for i := range c.Attrs {
		c.Attrs[i].Value = strings.Clone(c.Attrs[i].Value)
	}
	tr.aside = append(tr.aside, asideRecord{pkg, c})
}

// writeAside writes the records set aside while another was built.
func (tr *tracer) writeAside() {
	for i := 0; i < len(tr.aside); i++ {
		tr.write(tr.aside[i].pkg, &tr.aside[i].r)
	}
	tr.aside = nil
}

// slot returns the record that the tracer's next record is to be built in,
// and the queue that holds it: a new record at the end of the JSON queue
// (encoding the queue first when it is full), which is then queued without
// a copy, or when no JSON is written, the tracer's scratch record and nil.
// The caller sets every field of the record, which holds an earlier
// record's, and hands it to put; the strings it makes for it go into the
// queue's bytes (see jsonQueue).
func (tr *tracer) slot() (*trace.Record, *jsonQueue) {
	if tr.json == nil || tr.err != nil {
		return &tr.scratch, nil
	}
	if tr.jq == nil { // a record after the run's end
		tr.jq = getJSONQueue()
	}
	q := tr.jq
	if q.full() {
		tr.jbuf = q.encode(tr.jbuf)
	}
	return q.next(), q
}

// put writes r, which the tracer held none of before, or which slot gave
// and is queued already as JSON, when held is how much the tracer held
// before it: r's text line when text says the text trace shows it, and the
// write or the arming of the lag that one more record may call for.
func (tr *tracer) put(text bool, r *trace.Record, held int) {
	if tr.err != nil {
		return
	}
	if text {
		tr.tbuf = append(trace.AppendText(tr.tbuf, r), '\n')
	}
	if len(tr.jbuf) >= traceChunk || len(tr.tbuf) >= traceChunk || tr.lag.Due() {
		tr.flush()
	} else if held == 0 && tr.held() > 0 { // the first record held
		tr.lag.Arm()
	}
}

// queueJSON queues r to be encoded as JSON Lines, encoding the records
// queued before it first when the queue is full, and r at once when it is
// too large for the queue.
func (tr *tracer) queueJSON(r *trace.Record) {
	if tr.jq == nil { // a record after the run's end
		tr.jq = getJSONQueue()
	}
	if tr.jq.add(r) {
		return
	}
	tr.jbuf = tr.jq.encode(tr.jbuf)
	if !tr.jq.add(r) { // too large to queue
		tr.jbuf = append(tr.jq.enc.Append(tr.jbuf, r), '\n')
	}
}

// held is how much the tracer holds: bytes, and records to encode.
func (tr *tracer) held() int {
	n := len(tr.jbuf) + len(tr.tbuf)
	if tr.jq != nil {
		n += len(tr.jq.recs)
	}
	return n
}

// traceLag is how long in real time a record may wait in the buffer
// before the next one is written: a trace read while its seed runs (or
// whose seed the runner abandons) stays close behind it.
const traceLag = 10 * time.Millisecond

// traceChunk is how many bytes of records the tracer holds before it
// writes them. Larger writes cost the kernel less per byte: a bank seed
// traced to a file as JSON Lines ran about 5% faster with 256 KiB than
// with 64 KiB.
const traceChunk = 256 << 10

// flush writes the records held, the text ones first.
func (tr *tracer) flush() {
	if tr.jq != nil {
		tr.jbuf = tr.jq.encode(tr.jbuf)
	}
	if len(tr.tbuf) > 0 && tr.err == nil {
		_, tr.err = tr.text.Write(tr.tbuf)
	}
	if len(tr.jbuf) > 0 && tr.err == nil {
		_, tr.err = tr.json.Write(tr.jbuf)
	}
	tr.tbuf, tr.jbuf = tr.tbuf[:0], tr.jbuf[:0]
	tr.lag.Clear()
}

// showsKind reports whether the text trace shows events of kind k,
// remembered for each kind: an event's line asks it.
func (tr *tracer) showsKind(k Kind) bool {
	if int(k) < len(tr.kindShown) && tr.kindShown[k] != 0 {
		return tr.kindShown[k] == 2
	}
	return tr.learnKind(k)
}

// learnKind is showsKind for a kind not asked about before, kept out of
// line so that showsKind is inlined.
//
//go:noinline
func (tr *tracer) learnKind(k Kind) bool {
	shown := tr.filter.Enabled(k.Package(), trace.LevelTrace)
	if int(k) < len(tr.kindShown) {
		tr.kindShown[k] = 1
		if shown {
			tr.kindShown[k] = 2
		}
	}
	return shown
}

// showsApp reports whether the text trace shows log records at level,
// remembered for the last level asked: the records of a run's logs are
// mostly of one or two levels.
func (tr *tracer) showsApp(level slog.Level) bool {
	if !tr.appKnown || level != tr.appLevel {
		tr.appKnown, tr.appLevel, tr.appShown = true, level, tr.filter.Enabled("app", level)
	}
	return tr.appShown
}

// wants reports whether a record of pkg at level would be written
// anywhere, so that callers format it only then.
func (tr *tracer) wants(pkg string, level slog.Level) bool {
	return tr.err == nil && (tr.json != nil || (tr.text != nil && tr.filter.Enabled(pkg, level)))
}

func (w *World) stamp(r *trace.Record) {
	r.At, r.Seq, r.RNG = w.now, w.cur, w.rng.calls
	if t := w.current; t != nil {
		r.Task, r.TaskName = uint64(t.id), t.name
	}
}

func (tr *tracer) event(ev *Event) {
	op := ev.Op
	var name, detail string
	d, appends := ev.h.(detailAppender)
	if !appends { // before the record is begun: a description may log
		name, detail = ev.h.DescribeEvent(ev)
	}
	held := tr.held()
	r, q := tr.slot() // not on the stack of the task that runs the loop, which stays small
	// Every field is set, without zeroing the record first.
	r.At, r.Seq, r.Level, r.Kind, r.Op, r.Obj = ev.At, ev.Seq, trace.LevelTrace, op.Kind().String(), op.String(), op.Obj()
	r.ID, r.Cause, r.Infra, r.Task = ev.ID, ev.Cause, op.Infra(), uint64(ev.By)
	r.TaskName, r.Msg, r.Attrs = "", "", nil
	kept := false
	if appends {
		name, detail, kept = tr.appendDetail(d, ev, q)
	}
	r.Name, r.Detail, r.DetailKept = name, detail, kept
	if op == OpShutdown {
		r.Obj = ""
	}
	if c := skewedClock(tr.hostBy(ev.By)); c != nil && ev.By != 0 {
		tr.attr[0] = trace.Attr{Key: "clock", Value: c.Reading()}
		r.Attrs = tr.attr[:]
		if q != nil {
			r.Attrs = q.keepAttrs(r.Attrs)
		}
	}
	r.RNG = tr.w.rng.calls
	tr.put(tr.text != nil && tr.showsKind(op.Kind()), r, held)
	if tr.aside != nil {
		tr.writeAside()
	}
}

// appendDetail returns the name and the detail of ev: a string of d's,
// which it keeps and never changes (kept), or the detail appended to q's
// bytes, or when q is nil to the tracer's, valid until the next event.
func (tr *tracer) appendDetail(d detailAppender, ev *Event, q *jsonQueue) (name, detail string, kept bool) {
	b := tr.detail[:0]
	if q != nil {
		b = q.strs
	}
	n := len(b)
	tr.busy = true
	defer func() { tr.busy = false }() // the handler may panic
	name, detail, b = d.AppendEventDetail(b, ev)
	if q != nil {
		q.strs = b
	} else {
		tr.detail = b
	}
	if detail == "" {
		return name, bytesString(b[n:]), false
	}
	return name, detail, true
}

// bytesString returns b's bytes as a string, which is valid while they
// are not written again: the tracer's buffers are appended to, and their
// bytes written again only once the records that use them are written.
// (A buffer that grows leaves the strings in its old array, which they
// keep.)
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Record writes a record of another package (a fault, a buggify firing)
// into the trace, stamped with the current time, seq, RNG count and task,
// and folds it into the trace hash.
func (w *World) Record(pkg string, r trace.Record) {
	w.stamp(&r)
	h := mix(w.hash, uint64(r.Level))
	for _, f := range [...]string{r.Kind, r.Op, r.Name, r.Msg, r.Detail} {
		h = hashString(h, f)
	}
	for _, a := range r.Attrs {
		h = hashString(hashString(h, a.Key), a.Value)
	}
	w.hash = mix(h, r.ID)
	if r.Kind == trace.KindFault && !w.filter.muted {
		w.countFault(r.Op)
	}
	if w.current != nil {
		r.Attrs = withClock(r.Attrs, skewedClock(w.current.host))
	}
	w.tracer.write(pkg, &r)
}

// withClock adds c's reading as the clock= attribute, in key order, unless
// c is nil or the attributes have one. It is not part of the trace hash:
// it shows a host's view of the record, which the record's time and the
// clock's own fault records determine.
func withClock(attrs []trace.Attr, c *HostClock) []trace.Attr {
	if c == nil || slices.ContainsFunc(attrs, func(a trace.Attr) bool { return a.Key == "clock" }) {
		return attrs
	}
	i, _ := slices.BinarySearchFunc(attrs, "clock", func(a trace.Attr, k string) int { return strings.Compare(a.Key, k) })
	return slices.Insert(slices.Clone(attrs), i, trace.Attr{Key: "clock", Value: c.Reading()})
}

// countFault adds one to the count of injected faults named op.
func (w *World) countFault(op string) {
	for i := range w.faults {
		if w.faults[i].Name == op {
			w.faults[i].Count++
			return
		}
	}
	w.faults = append(w.faults, FaultCount{Name: op, Count: 1})
}

// FaultCount is how many faults of one kind a run injected.
type FaultCount struct {
	Name  string // the fault record's Op: "BitFlip", "Crash", "Buggify"
	Count int
}

// Faults returns how many faults of each kind the run has injected so far
// (every trace record of kind Fault, counted by its Op), sorted by name.
func (w *World) Faults() []FaultCount {
	out := slices.Clone(w.faults)
	slices.SortFunc(out, func(a, b FaultCount) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (tr *tracer) start(w *World) {
	r := trace.Record{Level: slog.LevelInfo, Kind: trace.KindStart,
		Attrs: []trace.Attr{{Key: "seed", Value: "0x" + strconv.FormatUint(w.seed, 16)}}}
	if tr.name != "" {
		r.Attrs = append(r.Attrs, trace.Attr{Key: "sim", Value: tr.name})
	}
	tr.write("sim", &r)
}

func (tr *tracer) end(w *World) {
	r := trace.Record{Level: slog.LevelInfo, Kind: trace.KindEnd}
	w.stamp(&r)
	r.Attrs = []trace.Attr{{Key: "unseed", Value: "0x" + strconv.FormatUint(w.unseed, 16)}}
	tr.write("sim", &r)
	tr.release()
	tr.lag.Stop()
}

// failure writes the failure record: the one-line summary, and as
// attributes (sorted by key) the parked tasks, one per line, the stack of
// the user's code and where to look. All of them are the same on every
// machine and in every run of the seed: short paths, no pointers, no
// goroutine numbers.
func (tr *tracer) failure(f *Failure) {
	tr.busy = false // a panic may have left a record being built
	if tr.aside != nil {
		tr.writeAside()
	}
	r := trace.Record{Level: slog.LevelError, Kind: trace.KindLog, Msg: "failure: " + f.Error()}
	r.At, r.Seq, r.RNG = f.At, f.Seq, f.RNGCalls
	r.Task, r.TaskName = uint64(f.Task), f.TaskName
	if len(f.Parked) > 0 {
		lines := make([]string, len(f.Parked))
		for i, p := range f.Parked {
			lines[i] = p.String()
		}
		r.Attrs = append(r.Attrs, trace.Attr{Key: "parked", Value: strings.Join(lines, "\n")})
	}
	if f.Stack != "" {
		r.Attrs = append(r.Attrs, trace.Attr{Key: "stack", Value: strings.TrimRight(f.Stack, "\n")})
	}
	if f.Where != "" {
		r.Attrs = append(r.Attrs, trace.Attr{Key: "where", Value: f.Where})
	}
	tr.write("sim", &r)
	tr.flush()
}
