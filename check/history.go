package check

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/sim"
)

// Object is something the clients of a simulation operate on, whose
// history must be linearizable with respect to a model: a key-value store,
// a register, a counter. It is a description, shared by every seed (a
// package variable, like the Simulation): each seed records its own
// history of it (Record).
type Object struct {
	name  string
	model porcupine.Model
}

// NewObject returns the object called name (it names the object in
// failures and artifacts: letters, digits, '-', '_' and '.'), whose
// operations are checked against model.
func NewObject(name string, model porcupine.Model) *Object {
	if !nameRE.MatchString(name) {
		panic(fmt.Sprintf("check.NewObject(%q): want a name of letters, digits, '-', '_' and '.'", name))
	}
	if model.Init == nil || (model.Step == nil && model.StepContext == nil) {
		panic(fmt.Sprintf("check.NewObject(%q): the model needs Init and Step", name))
	}
	return &Object{name: name, model: model}
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Name returns the object's name.
func (o *Object) Name() string { return o.name }

// Model returns the model the object's histories are checked against.
func (o *Object) Model() porcupine.Model { return o.model }

// Recorder is one seed's history of an Object, which every task of the
// seed records into. Its methods are safe to call from any simulated task
// (one runs at a time). A nil Recorder, which Record returns outside a
// simulation, records nothing.
type Recorder struct {
	obj  *Object
	w    *sim.World
	ops  []record
	last int64 // the last time stamp handed out
}

// record is one operation of a history.
type record struct {
	client    int
	input     any
	output    any
	call, ret int64 // ret is open (math.MaxInt64) while pending or unknown
	state     opState
}

type opState uint8

const (
	pending opState = iota
	returned
	unknown
)

// recorderKey keys an Object's recorder among a World's values.
type recorderKey struct{ obj *Object }

// Record returns the history of o for the seed ctx belongs to, made on the
// first call of the seed. Outside a simulation it returns nil, whose
// methods do nothing, so that recording can stay in code that ships.
func (o *Object) Record(ctx context.Context) *Recorder {
	w := sim.FromContext(ctx)
	if w == nil {
		return nil
	}
	if r, ok := w.Value(recorderKey{o}).(*Recorder); ok {
		return r
	}
	r := &Recorder{obj: o, w: w}
	w.SetValue(recorderKey{o}, r)
	orrery.TrackRequests(ctx, r.requests)
	return r
}

// recorderOf returns the recorder of o in the seed ctx belongs to, or nil
// when the seed recorded nothing.
func recorderOf(ctx context.Context, o *Object) *Recorder {
	if w := sim.FromContext(ctx); w != nil {
		r, _ := w.Value(recorderKey{o}).(*Recorder)
		return r
	}
	return nil
}

// stamp returns the logical time now, in nanoseconds, nudged past the last
// stamp: two events of one instant keep the order in which they happened.
func (r *Recorder) stamp() int64 {
	t := max(int64(r.w.Now()), r.last+1)
	r.last = t
	return t
}

// Call records that client sent a request with input, now, and returns the
// handle of the operation, on which the client records the answer. client
// numbers the client from 0 (orrery.Instance is a natural choice): an
// operation of a client never overlaps another of the same client in a
// well-formed history, and porcupine's page draws one line per client.
func (r *Recorder) Call(client int, input any) Op {
	if r == nil {
		return Op{}
	}
	r.ops = append(r.ops, record{client: client, input: input, call: r.stamp(), ret: math.MaxInt64})
	return Op{r: r, i: len(r.ops) - 1}
}

// Len returns how many operations were recorded.
func (r *Recorder) Len() int {
	if r == nil {
		return 0
	}
	return len(r.ops)
}

// Operations returns the history as porcupine takes it, in call order: an
// operation pending or unknown returns at the end of time with the output
// Unknown. Times are nanoseconds of logical time; Metadata prints the
// operation's index in the history and its times, for porcupine's page.
func (r *Recorder) Operations() []porcupine.Operation {
	if r == nil {
		return nil
	}
	out := make([]porcupine.Operation, len(r.ops))
	for i, op := range r.ops {
		out[i] = porcupine.Operation{ClientId: op.client, Input: op.input, Call: op.call,
			Output: op.outputOrUnknown(), Return: op.ret, Metadata: opInfo{i, op.call, op.ret}}
	}
	return out
}

// opInfo is an operation's metadata: its place in the history and its
// times, which porcupine's page shows when the pointer rests on it.
type opInfo struct {
	index     int
	call, ret int64
}

func (m opInfo) String() string {
	s := fmt.Sprintf("operation %d, called at t=%.6fs, ", m.index, seconds(m.call))
	if m.ret == math.MaxInt64 {
		return s + "no answer"
	}
	return s + fmt.Sprintf("returned at t=%.6fs", seconds(m.ret))
}

func (op record) outputOrUnknown() any {
	if op.state == returned {
		return op.output
	}
	return Unknown
}

// Pending returns the operations still waiting for their answer, oldest
// first, as the liveness check lists them.
func (r *Recorder) Pending() []orrery.Request {
	if r == nil {
		return nil
	}
	return r.requests()
}

func (r *Recorder) requests() []orrery.Request {
	var out []orrery.Request
	for _, op := range r.ops {
		if op.state == pending {
			out = append(out, orrery.Request{Client: strconv.Itoa(op.client),
				Op: r.obj.name + " " + r.obj.describe(op.input, Unknown), Since: time.Duration(op.call)})
		}
	}
	return out
}

// Op is the handle of one operation of a history, on which its client
// records the answer once: Return or Unknown. The zero Op records
// nothing.
type Op struct {
	r *Recorder
	i int
}

// Return records that the operation returned output, now.
func (op Op) Return(output any) {
	if rec := op.end("Return"); rec != nil {
		rec.output, rec.ret, rec.state = output, op.r.stamp(), returned
	}
}

// Unknown records that the client cannot know whether the operation took
// effect (its request timed out, its connection was reset): it may take
// effect at any time after its call, or never, which porcupine models by
// an operation that returns at the end of time with the output Unknown.
// A read whose answer was lost can be recorded so too; it constrains
// nothing.
func (op Op) Unknown() {
	if rec := op.end("Unknown"); rec != nil {
		rec.state = unknown
	}
}

// end returns the operation's record, or nil for the zero Op; recording a
// second answer is a bug of the workload, which panics.
func (op Op) end(how string) *record {
	if op.r == nil {
		return nil
	}
	rec := &op.r.ops[op.i]
	if rec.state != pending {
		panic(fmt.Sprintf("check: %s of operation %d of %s (%s) after it already ended",
			how, op.i, op.r.obj.name, op.r.obj.describe(rec.input, rec.outputOrUnknown())))
	}
	return rec
}

// describe prints an operation as the model does, or as Go values.
func (o *Object) describe(input, output any) string {
	if o.model.DescribeOperation != nil {
		return o.model.DescribeOperation(input, output)
	}
	if IsUnknown(output) {
		return fmt.Sprintf("%v -> ?", input)
	}
	return fmt.Sprintf("%v -> %v", input, output)
}

// unknownOutput is the output of an operation whose outcome is unknown.
type unknownOutput struct{}

func (unknownOutput) String() string { return "?" }

// Unknown is the output porcupine sees for an operation whose outcome is
// unknown (see Op.Unknown), or that was still pending when the seed ended.
var Unknown any = unknownOutput{}

// IsUnknown reports whether output is that of an operation whose outcome
// is unknown: a model's Step must then accept the operation from any state
// (a write may have taken effect; a read constrains nothing).
func IsUnknown(output any) bool {
	_, ok := output.(unknownOutput)
	return ok
}
