package orrery

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Request is a client request in flight, as the liveness check names it
// (see Simulation.Liveness and TrackRequests).
type Request struct {
	Client string // who sent it ("client-2", "3")
	Op     string // what it asks ("put(x, 1)")
	// Since is when it was sent, in logical time: the true time of the
	// run (sim.FromContext(ctx).Now()), which a host's clock equals
	// unless Simulation.Clocks skews it.
	Since time.Duration
}

// String prints the request as the liveness check lists it.
func (r Request) String() string {
	return fmt.Sprintf("client %s: %s since t=%.6fs", r.Client, r.Op, r.Since.Seconds())
}

// TrackRequests registers pending as a source of the requests in flight
// of the seed ctx belongs to: the liveness check (Simulation.Liveness)
// calls it, from the simulation, to find the requests that stay pending
// too long once the faults have healed. Package check registers every
// history recorder this way; a workload that records no history can
// register its own. Outside a simulation it does nothing.
func TrackRequests(ctx context.Context, pending func() []Request) {
	if w := sim.FromContext(ctx); w != nil {
		l := livenessOf(w)
		l.sources = append(l.sources, pending)
	}
}

// Healed reports when the faults of the seed ctx belongs to healed (the
// end of the chaos phase, in logical time), and false before they have,
// or outside a simulation. A seed check uses it to mark the healing on
// what it draws (package check marks porcupine's page).
func Healed(ctx context.Context) (time.Duration, bool) {
	w := sim.FromContext(ctx)
	if w == nil {
		return 0, false
	}
	l, _ := w.Value(livenessKey{}).(*liveness)
	if l == nil || !l.healed {
		return 0, false
	}
	return l.healedAt, true
}

// liveness is a seed's liveness check: the sources of pending requests,
// and the tasks that wait for the faults to heal.
type liveness struct {
	sources  []func() []Request
	healed   bool
	healedAt time.Duration
	waiting  sim.WaitQueue
}

type livenessKey struct{}

func livenessOf(w *sim.World) *liveness {
	l, _ := w.Value(livenessKey{}).(*liveness)
	if l == nil {
		l = &liveness{}
		w.SetValue(livenessKey{}, l)
	}
	return l
}

// heal starts the liveness window: from now on, every request must
// complete within the bound.
func (l *liveness) heal(now time.Duration) {
	l.healed, l.healedAt = true, now
	l.waiting.WakeAll()
}

// pending returns the requests in flight, oldest first.
func (l *liveness) pending() []Request {
	var out []Request
	for _, src := range l.sources {
		out = append(out, src()...)
	}
	slices.SortStableFunc(out, func(a, b Request) int { return int(a.Since - b.Since) })
	return out
}

// watchLiveness is the daemon that fails the seed when a request is still
// pending Liveness after the faults healed (or after it was sent, if
// later). It wakes at the earliest deadline of a request in flight, or a
// bound later when none is: its timers keep no run alive.
func (c *cluster) watchLiveness(ctx context.Context) {
	l, bound := livenessOf(c.w), c.sim.Liveness
	for !l.healed {
		if l.waiting.Wait(ctx, "the faults to heal") != nil {
			return
		}
	}
	next := l.healedAt + bound
	for {
		if sim.Sleep(ctx, next-c.w.Now()) != nil {
			return
		}
		late, soonest := l.overdue(c.w.Now(), bound)
		if len(late) > 0 {
			c.w.Fail(sim.FailStall, c.livenessMessage(late, bound))
			return
		}
		next = soonest
	}
}

// overdue returns the requests past their deadline at now, and when the
// next deadline falls (now plus bound when nothing is in flight).
func (l *liveness) overdue(now, bound time.Duration) (late []Request, next time.Duration) {
	next = now + bound
	for _, r := range l.pending() {
		deadline := max(r.Since, l.healedAt) + bound
		if deadline <= now {
			late = append(late, r)
		} else {
			next = min(next, deadline)
		}
	}
	return late, next
}

// maxValue bounds how much of a published value a liveness failure shows.
const maxValue = 300

// livenessMessage names the requests still pending and the state of each
// node: whether it is up, and what the processes published.
func (c *cluster) livenessMessage(late []Request, bound time.Duration) string {
	var b strings.Builder
	what := "requests"
	if len(late) == 1 {
		what = "request"
	}
	fmt.Fprintf(&b, "liveness: %d %s still pending %v after the faults healed at t=%.6fs (or after they were sent):",
		len(late), what, bound, livenessOf(c.w).healedAt.Seconds())
	for _, r := range late {
		fmt.Fprintf(&b, "\n  %s", r)
	}
	b.WriteString("\nnodes:")
	for _, h := range c.hosts {
		if h.proc == nil {
			continue
		}
		state := "up"
		if !h.up {
			state = "down"
		}
		fmt.Fprintf(&b, "\n  %s: %s", h.name, state)
	}
	if keys := c.state.Keys(""); len(keys) > 0 {
		b.WriteString("\npublished:")
		for _, k := range keys {
			v, _ := c.state.Get(k)
			fmt.Fprintf(&b, "\n  %s = %s", k, describe(v))
		}
	}
	return b.String()
}

// describe prints a published value in one bounded line, as %+v does but
// following pointers (a map of *Status shows the statuses) and with no
// address in it, so that the message repeats from run to run.
func describe(v any) string {
	var b strings.Builder
	printValue(&b, reflect.ValueOf(v), 0)
	s := b.String()
	if len(s) > maxValue {
		s = s[:maxValue] + "..."
	}
	return s
}

// maxDepth bounds how deep describe follows pointers and containers.
const maxDepth = 4

// printValue writes v to b; a dispatcher, one case per kind of value.
func printValue(b *strings.Builder, v reflect.Value, depth int) {
	if b.Len() > maxValue {
		return
	}
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	if v.Kind() != reflect.Interface && v.CanInterface() && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		if s, ok := v.Interface().(fmt.Stringer); ok {
			b.WriteString(s.String())
			return
		}
	}
	if depth > maxDepth {
		b.WriteString("...")
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		printValue(b, v.Elem(), depth+1)
	case reflect.Struct:
		printStruct(b, v, depth)
	case reflect.Map:
		printMap(b, v, depth)
	case reflect.Slice, reflect.Array:
		printList(b, v, depth)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		b.WriteString(v.Type().String())
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

func printStruct(b *strings.Builder, v reflect.Value, depth int) {
	b.WriteString("{")
	for i := range v.NumField() {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(v.Type().Field(i).Name + ":")
		printValue(b, v.Field(i), depth+1)
	}
	b.WriteString("}")
}

// printMap writes a map with its keys in order, as fmt does.
func printMap(b *strings.Builder, v reflect.Value, depth int) {
	type entry struct {
		key    string
		k, val reflect.Value
	}
	var es []entry
	for it := v.MapRange(); it.Next(); {
		var k strings.Builder
		printValue(&k, it.Key(), depth+1)
		es = append(es, entry{k.String(), it.Key(), it.Value()})
	}
	slices.SortFunc(es, func(a, b entry) int {
		switch {
		case a.k.CanInt():
			return cmp.Compare(a.k.Int(), b.k.Int())
		case a.k.CanUint():
			return cmp.Compare(a.k.Uint(), b.k.Uint())
		}
		return strings.Compare(a.key, b.key)
	})
	b.WriteString("map[")
	for i, e := range es {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(e.key + ":")
		printValue(b, e.val, depth+1)
	}
	b.WriteString("]")
}

func printList(b *strings.Builder, v reflect.Value, depth int) {
	b.WriteString("[")
	for i := range v.Len() {
		if i > 0 {
			b.WriteString(" ")
		}
		printValue(b, v.Index(i), depth+1)
	}
	b.WriteString("]")
}
