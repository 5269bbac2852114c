package assert

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unsafe"

	"github.com/orrerysim/orrery/internal/callsite"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// recordKind is the Kind of the trace records assertions write.
const recordKind = "Assert"

// registryKey keys the per-run registry among the World's values.
type registryKey struct{}

// registry is one run's assertions, keyed by message: a message is an
// assertion's identity, wherever it is called from.
type registry struct {
	w       *sim.World
	entries map[string]*entry
	recent  [recentSlots]*entry             // entries by their message's address: see lookup
	onHit   func(msg, bucket string)        // see OnFirstHit
	onMark  func(msg string, score float64) // see OnWatermark
}

// recentSlots is how many entries a registry finds without hashing their
// message.
const recentSlots = 16

// lookup returns the entry of msg, or nil. An entry found is kept in the
// slot its message's address picks, so that the next call with the same
// string (a constant message, whose bytes do not move) compares the
// message with the entry's, most often by address, instead of hashing it.
// The slot only saves the map's lookup: a message is still compared whole.
func (r *registry) lookup(msg string) *entry {
	slot := &r.recent[uintptr(unsafe.Pointer(unsafe.StringData(msg)))/8%recentSlots]
	if e := *slot; e != nil && e.msg == msg {
		return e
	}
	e := r.entries[msg]
	if e != nil {
		*slot = e
	}
	return e
}

// entry is what a run knows of one assertion.
type entry struct {
	msg       string
	kind      Kind
	fn        string // the function first called with the message
	location  string // its call site
	evaluated uint64
	passed    uint64
	failed    bool
	details   string // of the first failure

	// SometimesEach: buckets by label, and values is a map[T]*bucket for
	// the value type T of the first call, which spares formatting a value
	// seen before.
	buckets map[string]*bucket
	values  any

	// mark is a numeric assertion's watermark while OnWatermark's
	// function is set, nil otherwise.
	mark *watermark
	// closest is a numeric Sometimes form's evaluation nearest to holding
	// while it has not held, nil before one.
	closest *closest
}

// bucket counts the evaluations of a SometimesEach with one value.
type bucket struct {
	label string
	hits  uint64
}

// registryOf returns w's registry, made on first use.
func registryOf(w *sim.World) *registry {
	if r, ok := w.Value(registryKey{}).(*registry); ok {
		return r
	}
	r := &registry{w: w, entries: make(map[string]*entry)}
	w.SetValue(registryKey{}, r)
	return r
}

// site returns the entry of msg, creating it on the assertion's first
// evaluation in the run. It returns nil, failing the seed, when msg already
// names an assertion of another kind. Like report, it must be called
// directly by the helper that an exported function calls: callerLocation
// counts frames.
//
//go:noinline
func site(w *sim.World, o *op, msg string) *entry {
	r := registryOf(w)
	e := r.lookup(msg)
	if e == nil {
		e = &entry{msg: msg, kind: o.kind, fn: o.name, location: callerLocation(), mark: r.newMark(o)}
		if o.kind == KindSometimesEach {
			e.buckets = make(map[string]*bucket)
		}
		r.entries[msg] = e
		return e
	}
	if e.kind != o.kind {
		w.Fail(sim.FailAssertion, fmt.Sprintf("assert: message %q names both %s at %s and %s at %s; "+
			"a message is an assertion's identity: give each assertion its own", msg, e.fn, e.location, o.name, callerLocation()))
		return nil
	}
	return e
}

// observe counts one evaluation and reports whether it must be recorded:
// a failure, or the first pass of an assertion that must pass sometimes.
func (e *entry) observe(ok bool) bool {
	e.evaluated++
	if ok {
		e.passed++
	}
	switch e.kind {
	case KindAlways, KindAlwaysOrUnreachable:
		return !ok
	case KindUnreachable:
		return true
	}
	return ok && e.passed == 1
}

// report writes an assertion's record into the trace and, when ok is false,
// fails the seed. Failures are ERROR records with the detail "failed"; the
// first pass of a Sometimes-family assertion in a seed is a DEBUG record
// with the detail "first hit". The message goes into Name, which the text
// trace shows, and into Msg.
//
//go:noinline
func report(w *sim.World, o *op, e *entry, ok bool, msg string, details []any, extra []trace.Attr) {
	attrs := appendDetails(extra, details)
	slices.SortStableFunc(attrs, func(a, b trace.Attr) int { return strings.Compare(a.Key, b.Key) })
	level, what := slog.LevelDebug, "first hit"
	if !ok {
		level, what = slog.LevelError, "failed"
	}
	w.Record("assert", trace.Record{Level: level, Kind: recordKind, Op: o.name, Name: msg, Detail: what, Msg: msg, Attrs: attrs})
	if ok {
		firstHit(w, msg, extra)
		return
	}
	text := formatAttrs(attrs)
	if !e.failed {
		e.failed, e.details = true, text
	}
	w.Fail(sim.FailAssertion, failureMessage(o, msg, callerLocation(), text))
}

// failureMessage reads "AlwaysLessThan "latency bounded" failed at
// bank/server.go:42: want left < right: left=250ms right=200ms node=3".
func failureMessage(o *op, msg, loc, details string) string {
	var b strings.Builder
	verb := "failed"
	if o.kind == KindUnreachable {
		verb = "reached"
	}
	fmt.Fprintf(&b, "%s %q %s at %s", o.name, msg, verb, loc)
	if o.want != "" {
		b.WriteString(": want ")
		b.WriteString(o.want)
	}
	if details != "" {
		b.WriteString(": ")
		b.WriteString(details)
	}
	return b.String()
}

// appendDetails turns slog-style details (key, value pairs and slog.Attr
// values) into trace attributes, as slog does: a key without a value, or a
// value without a key, gets the key "!BADKEY"; groups flatten to "g.key".
func appendDetails(out []trace.Attr, details []any) []trace.Attr {
	if len(details) == 0 {
		return out
	}
	var r slog.Record
	r.Add(details...)
	r.Attrs(func(a slog.Attr) bool {
		out = trace.AppendSlogAttr(out, "", a)
		return true
	})
	return out
}

// formatAttrs writes attributes as the trace does: "key=value ...".
func formatAttrs(attrs []trace.Attr) string {
	return strings.TrimPrefix(string(trace.AppendAttrsText(nil, attrs)), " ")
}

// callerDepth is how many frames separate callsite.CallerPC in
// callerLocation from the user's call: callerLocation, site or report, the
// helper, the exported function.
const callerDepth = 4

// callerLocation returns the user's call site as "dir/file.go:line". It,
// site, report and the helpers are not inlined: the frames that CallerPC
// reads through are then the package's own, up to the exported function's
// (or, where that is inlined, its caller's).
//
//go:noinline
func callerLocation() string { return callsite.Location(callsite.CallerPC(callerDepth)) }
