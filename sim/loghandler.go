package sim

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"strings"

	"github.com/orrerysim/orrery/trace"
)

// Logger returns the World's logger. Its records go into the trace stamped
// with the logical time, the seq of the event being processed, the RNG count
// and the running task, interleaved with the event lines.
func (w *World) Logger() *slog.Logger {
	if w.logger == nil {
		w.logger = slog.New(&logHandler{w: w})
	}
	return w.logger
}

// HostLogger returns a logger like Logger's for the code of a host whose
// clock is c: while c reads other than true time, each record carries its
// reading as one more attribute, clock=, after the record's own (hashed
// with them), so that the trace shows both times. Records of a host on true
// time are left as they are. Each call makes a new logger: a host keeps
// its own.
func (w *World) HostLogger(c *HostClock) *slog.Logger {
	return slog.New(&logHandler{w: w, clock: c})
}

// Logger returns the logger of ctx's World, for simulated code.
func Logger(ctx context.Context) *slog.Logger {
	return mustWorld(ctx, "sim.Logger").Logger()
}

// logHandler turns slog records into trace records. It is enabled at
// Info and above, which the trace hash covers at every log level, and
// below Info only when the trace shows such records or the World is
// Verbose: a debug record nobody reads is not built.
type logHandler struct {
	w      *World
	attrs  []trace.Attr
	prefix string
	clock  *HostClock // a host's, whose reading records carry when skewed; or nil
}

// clockAttr is the attribute that h adds to a record, and whether it adds
// one: the reading of its host's clock while that is skewed.
func (h *logHandler) clockAttr() (slog.Attr, bool) {
	if h.clock == nil || !h.clock.Skewed() {
		return slog.Attr{}, false
	}
	return slog.String("clock", h.clock.Reading()), true
}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.w.logMin }

// Handle folds the record into the trace hash (below Info, into the
// verbose hash, with the seq it was logged at), from the attributes'
// values as they are, and formats it only when the trace shows it.
func (h *logHandler) Handle(_ context.Context, sr slog.Record) error {
	w := h.w
	hv := w.hash
	if sr.Level < slog.LevelInfo {
		hv = mix(w.vhash, w.cur)
	}
	hv = h.hashHead(hv, &sr)
	if w.tracer.wants("app", sr.Level) {
		hv = h.write(&sr, hv)
	} else {
		hv = hashAttrs(&sr, hv)
		if ca, ok := h.clockAttr(); ok {
			hv = hashSlogAttr(hv, ca)
		}
	}
	if sr.Level >= slog.LevelInfo {
		w.hash = hv
	} else {
		w.vhash = hv
	}
	return nil
}

// write writes sr into the trace, folding its attributes into hv as it
// formats them, and returns hv. The record is built in the tracer rather
// than on the stack of the task that logs, which stays small.
func (h *logHandler) write(sr *slog.Record, hv uint64) uint64 {
	w := h.w
	tr := &w.tracer
	if tr.busy { // a value of the record being built logs
		return h.writeAside(sr, hv)
	}
	held := tr.held()
	r, q := tr.slot()
	*r = trace.Record{}
	r.Level, r.Kind, r.Msg = sr.Level, trace.KindLog, sr.Message
	w.stamp(r)
	f := &tr.attrFmt
	if q != nil { // the attributes and their values go into the queue
		f.reset(q.attrs, q.strs)
	} else { // into buffers reused by the next record
		f.reset(w.attrBuf[:0], f.buf[:0])
	}
	hv, r.Attrs = h.attrsOf(tr, sr, hv)
	if q != nil {
		q.attrs, q.strs = f.attrs, f.buf
		f.attrs, f.buf = nil, nil
	} else {
		w.attrBuf = f.attrs[:0]
	}
	tr.put(tr.text != nil && tr.showsApp(r.Level), r, held)
	if q == nil {
		*r = trace.Record{} // holds no strings of the record
	}
	if tr.aside != nil {
		tr.writeAside()
	}
	return hv
}

// attrsOf formats sr's attributes with the tracer's attrFormatter, sorted
// by key, and returns hv with them folded in, and them. A record of a
// shape that the tracer knows, of a handler that adds nothing to it, is
// formatted by addShaped; the others by add, and sorted after.
func (h *logHandler) attrsOf(tr *tracer, sr *slog.Record, hv uint64) (uint64, []trace.Attr) {
	f := &tr.attrFmt
	start := len(f.attrs)
	var s *attrShape
	if recordLaidOut && len(h.attrs) == 0 && h.prefix == "" && (h.clock == nil || !h.clock.Skewed()) {
		if tr.shapes == nil {
			tr.shapes = new(attrShapes)
		}
		if s = tr.shapes.find(sr.Message); s != nil && s.n > 0 {
			if hs, ok := f.addShaped(hv, sr, s); ok {
				tr.shapes.hits++
				return hs, f.attrs[start:len(f.attrs):len(f.attrs)]
			}
		}
	}
	if len(h.attrs) > 0 { // seldom: an empty append still costs a call
		f.attrs = append(f.attrs, h.attrs...)
	}
	f.plain = true
	tr.busy = true
	sr.Attrs(func(a slog.Attr) bool {
		hv = f.add(hv, h.prefix, a)
		return true
	})
	if h.clock != nil && h.clock.Skewed() {
		ca, _ := h.clockAttr()
		hv = f.add(hv, h.prefix, ca)
	}
	tr.busy = false
	end := len(f.attrs)
	a := f.attrs[start:end:end]
	if s != nil { // a shape learned is not learned again when a record fails it
		s.learn(a, f.plain && s.n < 0)
	}
	if tr.orders == nil {
		tr.orders = new(attrOrders)
	}
	tr.orders.sort(a)
	return hv, a
}

// writeAside is write for a record logged while another is being built:
// it is formatted into buffers of its own and set aside.
func (h *logHandler) writeAside(sr *slog.Record, hv uint64) uint64 {
	r := trace.Record{Level: sr.Level, Kind: trace.KindLog, Msg: sr.Message}
	h.w.stamp(&r)
	var f attrFormatter
	f.reset(slices.Clone(h.attrs), nil)
	sr.Attrs(func(a slog.Attr) bool {
		hv = f.add(hv, h.prefix, a)
		return true
	})
	if ca, ok := h.clockAttr(); ok {
		hv = f.add(hv, h.prefix, ca)
	}
	r.Attrs = f.attrs
	sortAttrs(r.Attrs)
	h.w.tracer.aside = append(h.w.tracer.aside, asideRecord{"app", r})
	return hv
}

// hashAttrs folds sr's attributes into hv.
func hashAttrs(sr *slog.Record, hv uint64) uint64 {
	sr.Attrs(func(a slog.Attr) bool {
		hv = hashSlogAttr(hv, a)
		return true
	})
	return hv
}

func compareAttrs(a, b trace.Attr) int { return strings.Compare(a.Key, b.Key) }

// keyLess is a < b, comparing the keys' few bytes in place rather than
// calling the runtime's comparison: the keys of a record mostly differ in
// their first byte, or one is the start of the other ("to", "to_balance").
func keyLess(a, b string) bool {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// sortAttrs sorts a record's attributes by key, keeping the order of equal
// keys: by insertion, in one pass when they are sorted already, as the few
// attributes of a log record mostly are or nearly are.
func sortAttrs(a []trace.Attr) {
	if len(a) > 16 {
		slices.SortStableFunc(a, compareAttrs)
		return
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && keyLess(a[j].Key, a[j-1].Key); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// hashHead folds into hv what precedes sr's own attributes: its level and
// message, the handler's attributes and group.
func (h *logHandler) hashHead(hv uint64, sr *slog.Record) uint64 {
	hv = hashString(mix(hv, hashTagLog|uint64(uint32(sr.Level))), sr.Message)
	for _, a := range h.attrs {
		hv = hashString(hashString(hv, a.Key), a.Value)
	}
	if h.prefix == "" { // hashString of "", without the call
		return mix(mix(hv, 0), 0)
	}
	return hashString(hv, h.prefix)
}

// hashSlogAttr folds a log attribute into h by the kind of its value,
// without formatting it; a group folds its members in turn.
func hashSlogAttr(h uint64, a slog.Attr) uint64 {
	v, k := resolve(a.Value)
	h = mix(hashString(h, a.Key), uint64(k))
	if k == slog.KindGroup {
		for _, g := range v.Group() {
			h = hashSlogAttr(h, g)
		}
		return h
	}
	return hashValue(h, v, k)
}

// hashValue folds a value of kind k that is not a group into h by its
// kind.
func hashValue(h uint64, v slog.Value, k slog.Kind) uint64 {
	switch k {
	case slog.KindString:
		return hashString(h, v.String())
	case slog.KindInt64:
		return mix(h, uint64(v.Int64()))
	case slog.KindDuration:
		return mix(h, uint64(v.Duration()))
	case slog.KindUint64:
		return mix(h, v.Uint64())
	case slog.KindFloat64:
		return mix(h, math.Float64bits(v.Float64()))
	case slog.KindBool:
		if v.Bool() {
			return mix(h, 1)
		}
		return mix(h, 0)
	case slog.KindTime:
		return mix(h, uint64(v.Time().UnixNano()))
	}
	return hashString(h, v.String()) // KindAny, as the trace prints it
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = slices.Clone(h.attrs)
	for _, a := range as {
		c.attrs = trace.AppendSlogAttr(c.attrs, h.prefix, a)
	}
	return &c
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + name + "."
	return &c
}
