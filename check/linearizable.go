package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/orrerysim/orrery"
)

// Linearizable returns the seed check that the history of o recorded in
// a seed is linearizable with respect to o's model (add it to
// Simulation.SeedChecks). A history that is not fails the seed with the
// shortest prefix of it that no order explains, and attaches porcupine's
// page of the history (linearizability-NAME.html; see orrery.AddArtifact).
// A check that runs out of time leaves the seed unknown. A seed that
// recorded no operation of o fails too: its check would prove nothing.
func (o *Object) Linearizable() orrery.SeedCheck {
	return orrery.SeedCheck{Name: "linearizable " + o.name, Check: o.check}
}

// ErrNotLinearizable is wrapped by the error of a history that is not
// linearizable.
var ErrNotLinearizable = errors.New("not linearizable")

func (o *Object) check(ctx context.Context) error {
	r := recorderOf(ctx, o)
	if r.Len() == 0 {
		return fmt.Errorf("no operation of %s was recorded: the check would prove nothing", o.name)
	}
	return o.checkOps(ctx, r.Operations())
}

// checkOps checks a history within the time ctx leaves. A model that
// panics (porcupine steps it on goroutines of its own, where a panic would
// end the program) fails the check with the operation it panicked on.
func (o *Object) checkOps(ctx context.Context, ops []porcupine.Operation) error {
	g, panicked := o.guarded()
	err := g.decide(ctx, ops)
	if p := panicked(); p != nil {
		return p
	}
	return err
}

// decide checks a history with the model as it is.
func (o *Object) decide(ctx context.Context, ops []porcupine.Operation) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%d operations of %s: no time left to check them: %w", len(ops), o.name, orrery.ErrUnknown)
	}
	switch porcupine.CheckOperationsTimeout(o.model, ops, timeLeft(ctx)) {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("%d operations of %s: porcupine ran out of time: %w", len(ops), o.name, orrery.ErrUnknown)
	}
	v := o.explain(ctx, ops)
	v.healedAt, v.healed = orrery.Healed(ctx)
	orrery.AddArtifact(ctx, "linearizability-"+o.name+".html", v.visualize)
	return v
}

// timeLeft is the time ctx leaves porcupine, at least a millisecond (0
// would mean no limit).
func timeLeft(ctx context.Context) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	return max(time.Until(dl), time.Millisecond)
}

// Violation is the error of a history that is not linearizable: the
// shortest prefix of it, in one partition of the model (a key of KV),
// that no order of its operations explains.
type Violation struct {
	Object string
	// Prefix is the operations of the shortest bad prefix, in call order:
	// those called by the time the last of them returned. An operation
	// that had not returned by then is open-ended (Return is MaxInt64,
	// Output is Unknown). Metadata prints the operation's index in the
	// whole history and its times.
	Prefix []porcupine.Operation
	// Last is the index in Prefix of the operation whose return made the
	// prefix impossible.
	Last int
	// Total is how many operations the partition holds.
	Total int

	model     porcupine.Model
	partition []porcupine.Operation
	healedAt  time.Duration // when the faults healed, marked on the page
	healed    bool
}

// Unwrap makes a Violation match ErrNotLinearizable.
func (v *Violation) Unwrap() error { return ErrNotLinearizable }

// maxShown bounds the operations a Violation's message lists.
const maxShown = 20

// Error lists the operations of the shortest bad prefix, the last ones
// when there are many, the one whose return no order explains marked.
func (v *Violation) Error() string {
	var b strings.Builder
	last := v.Prefix[v.Last]
	fmt.Fprintf(&b, "not linearizable: no order explains the history of %s up to t=%.6fs, when client %d's %s returned (%d of its %d operations):",
		v.Object, seconds(last.Return), last.ClientId, v.describe(last), len(v.Prefix), v.Total)
	from := max(len(v.Prefix)-maxShown, 0)
	if from > 0 {
		fmt.Fprintf(&b, "\n  ... %d earlier operations (porcupine's page shows them all)", from)
	}
	for i, op := range v.Prefix[from:] {
		mark := " "
		if from+i == v.Last {
			mark = ">"
		}
		fmt.Fprintf(&b, "\n %s client %d  [%s, %s]  %s", mark, op.ClientId, stamp(op.Call), stamp(op.Return), v.describe(op))
	}
	return b.String()
}

func (v *Violation) describe(op porcupine.Operation) string {
	if v.model.DescribeOperation != nil {
		return v.model.DescribeOperation(op.Input, op.Output)
	}
	return fmt.Sprintf("%v -> %v", op.Input, op.Output)
}

func seconds(t int64) float64 { return time.Duration(t).Seconds() }

func stamp(t int64) string {
	if t == math.MaxInt64 {
		return "pending"
	}
	return fmt.Sprintf("t=%.6fs", seconds(t))
}

// explain finds the partition that is not linearizable and its shortest
// bad prefix: a prefix only gains constraints as it grows, so the first
// return that makes one impossible is found by bisection.
func (o *Object) explain(ctx context.Context, ops []porcupine.Operation) *Violation {
	part := ops
	if o.model.Partition != nil {
		for _, p := range o.model.Partition(ops) {
			if porcupine.CheckOperationsTimeout(o.model, p, timeLeft(ctx)) == porcupine.Illegal {
				part = p
				break
			}
		}
	}
	v := &Violation{Object: o.name, Total: len(part), model: o.model, partition: part}
	returns := returnTimes(part)
	if len(returns) == 0 { // a model that refuses open-ended operations
		v.Prefix = part
		return v
	}
	bad := len(returns) - 1
	i, j := 0, bad
	for i < j && ctx.Err() == nil {
		m := (i + j) / 2
		if porcupine.CheckOperationsTimeout(o.model, prefix(part, returns[m]), timeLeft(ctx)) == porcupine.Illegal {
			j = m
		} else {
			i = m + 1
		}
	}
	if ctx.Err() == nil {
		bad = j
	}
	v.Prefix = prefix(part, returns[bad])
	v.Last = slices.IndexFunc(v.Prefix, func(op porcupine.Operation) bool { return op.Return == returns[bad] })
	return v
}

// returnTimes returns the times operations returned, in order.
func returnTimes(ops []porcupine.Operation) []int64 {
	var out []int64
	for _, op := range ops {
		if op.Return != math.MaxInt64 {
			out = append(out, op.Return)
		}
	}
	slices.Sort(out)
	return out
}

// prefix returns the history as it stood at time t: the operations called
// by then, those that had not returned made open-ended.
func prefix(ops []porcupine.Operation, t int64) []porcupine.Operation {
	var out []porcupine.Operation
	for _, op := range ops {
		if op.Call > t {
			continue
		}
		if op.Return > t {
			op.Return, op.Output = math.MaxInt64, Unknown
		}
		out = append(out, op)
	}
	return out
}

// pageTimeout bounds the search for the orders porcupine's page shows.
const pageTimeout = 30 * time.Second

// visualize writes porcupine's page of the partition that is not
// linearizable, or, when its search runs out of time, of the shortest bad
// prefix alone.
func (v *Violation) visualize(w io.Writer) error {
	res, info := porcupine.CheckOperationsVerbose(v.model, v.partition, pageTimeout)
	if res == porcupine.Unknown {
		_, info = porcupine.CheckOperationsVerbose(v.model, v.Prefix, pageTimeout)
	}
	if v.healed {
		info.AddAnnotations([]porcupine.Annotation{{Tag: "orrery", Start: int64(v.healedAt),
			Description: "faults healed", Details: fmt.Sprintf("the chaos phase ended at t=%.6fs", v.healedAt.Seconds()),
			BackgroundColor: "#d8f0d8"}})
	}
	return porcupine.Visualize(v.model, info, w)
}

// guarded returns o with a model whose steps recover from a panic, and a
// function that returns the first panic as an error.
func (o *Object) guarded() (*Object, func() error) {
	var mu sync.Mutex
	var first error
	catch := func(in, out any) {
		if v := recover(); v != nil {
			mu.Lock()
			defer mu.Unlock()
			if first == nil {
				first = fmt.Errorf("the model of %s panicked stepping input %#v, output %#v: %v", o.name, in, out, v)
			}
		}
	}
	m := o.model
	if step := m.Step; step != nil {
		m.Step = func(state, in, out any) (ok bool, next any) {
			ok, next = false, state
			defer catch(in, out)
			return step(state, in, out)
		}
	}
	if step := m.StepContext; step != nil {
		m.StepContext = func(ctx context.Context, state, in, out any) (ok bool, next any) {
			ok, next = false, state
			defer catch(in, out)
			return step(ctx, state, in, out)
		}
	}
	return &Object{name: o.name, model: m}, func() error {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
}
