package check

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/orrerysim/orrery"
)

// op is a test operation: client, input, output, call and return times.
func op(client int, in, out any, call, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}
}

const never = math.MaxInt64

func TestModels(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model porcupine.Model
		ops   []porcupine.Operation
		ok    bool
	}{
		{"kv put then get", KV(), []porcupine.Operation{
			op(0, Put("x", "1"), KVOutput{}, 0, 10), op(1, Get("x"), KVOutput{Value: "1"}, 20, 30)}, true},
		{"kv stale get", KV(), []porcupine.Operation{
			op(0, Put("x", "1"), KVOutput{}, 0, 10), op(1, Get("x"), KVOutput{Value: ""}, 20, 30)}, false},
		{"kv concurrent get may miss", KV(), []porcupine.Operation{
			op(0, Put("x", "1"), KVOutput{}, 0, 25), op(1, Get("x"), KVOutput{Value: ""}, 20, 30)}, true},
		{"kv keys are apart", KV(), []porcupine.Operation{
			op(0, Put("x", "1"), KVOutput{}, 0, 10), op(1, Get("y"), KVOutput{Value: ""}, 20, 30)}, true},
		{"kv append", KV(), []porcupine.Operation{
			op(0, Append("x", "a"), KVOutput{}, 0, 10), op(0, Append("x", "b"), KVOutput{}, 11, 20),
			op(1, Get("x"), KVOutput{Value: "ab"}, 21, 30)}, true},
		{"kv cas", KV(), []porcupine.Operation{
			op(0, Put("x", "1"), KVOutput{}, 0, 10), op(0, CAS("x", "1", "2"), KVOutput{OK: true}, 11, 20),
			op(1, CAS("x", "1", "3"), KVOutput{OK: false}, 21, 30), op(1, Get("x"), KVOutput{Value: "2"}, 31, 40)}, true},
		{"kv cas that cannot succeed", KV(), []porcupine.Operation{
			op(0, CAS("x", "1", "2"), KVOutput{OK: true}, 0, 10)}, false},
		{"kv unknown put may have happened", KV(), []porcupine.Operation{
			op(0, Put("x", "1"), Unknown, 0, never), op(1, Get("x"), KVOutput{Value: "1"}, 20, 30)}, true},
		{"kv unknown put may not have happened", KV(), []porcupine.Operation{
			op(0, Put("x", "1"), Unknown, 0, never), op(1, Get("x"), KVOutput{Value: ""}, 20, 30)}, true},
		{"kv unknown put cannot happen before its call", KV(), []porcupine.Operation{
			op(1, Get("x"), KVOutput{Value: "1"}, 0, 10), op(0, Put("x", "1"), Unknown, 20, never)}, false},
		{"register", Register(0), []porcupine.Operation{
			op(0, Write(1), nil, 0, 10), op(1, Read(), 1, 11, 20), op(1, Read(), Unknown, 21, never)}, true},
		{"register reads its initial value", Register(0), []porcupine.Operation{op(1, Read(), 0, 0, 10)}, true},
		{"register stale read", Register(0), []porcupine.Operation{
			op(0, Write(1), nil, 0, 10), op(1, Read(), 0, 11, 20)}, false},
		{"counter", Counter(), []porcupine.Operation{
			op(0, Add(2), nil, 0, 10), op(1, Add(3), int64(5), 5, 15), op(0, ReadCounter(), int64(5), 16, 20)}, true},
		{"counter lost add", Counter(), []porcupine.Operation{
			op(0, Add(2), nil, 0, 10), op(1, Add(3), nil, 11, 15), op(0, ReadCounter(), int64(3), 16, 20)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(tc.model, tc.ops); got != tc.ok {
				t.Errorf("linearizable = %v, want %v", got, tc.ok)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		model   porcupine.Model
		in, out any
		want    string
	}{
		{KV(), Get("x"), KVOutput{Value: "1"}, `get(x) -> "1"`},
		{KV(), Put("x", "1"), KVOutput{}, `put(x, "1")`},
		{KV(), Append("x", "1"), Unknown, `append(x, "1") -> ?`},
		{KV(), CAS("x", "1", "2"), KVOutput{OK: true}, `cas(x, "1", "2") -> ok`},
		{KV(), CAS("x", "1", "2"), KVOutput{}, `cas(x, "1", "2") -> failed`},
		{Register(0), Write(3), nil, "write(3)"},
		{Register(0), Read(), 3, "read() -> 3"},
		{Register(0), Read(), Unknown, "read() -> ?"},
		{Counter(), Add(2), nil, "add(2)"},
		{Counter(), ReadCounter(), int64(4), "read() -> 4"},
		{Counter(), Add(-1), Unknown, "add(-1) -> ?"},
	} {
		if got := tc.model.DescribeOperation(tc.in, tc.out); got != tc.want {
			t.Errorf("%v %v: %q, want %q", tc.in, tc.out, got, tc.want)
		}
	}
}

// TestShortestBadPrefix: explain's bisection finds the same prefix as
// checking every prefix in turn, on random register histories with a
// stale read or two.
func TestShortestBadPrefix(t *testing.T) {
	o := NewObject("r", Register(0))
	rng := rand.New(rand.NewPCG(1, 2))
	found := 0
	for range 300 {
		ops := randomHistory(rng)
		if porcupine.CheckOperations(o.model, ops) {
			continue
		}
		found++
		v := o.explain(context.Background(), ops)
		returns := returnTimes(ops)
		want := -1
		for i, r := range returns {
			if !porcupine.CheckOperations(o.model, prefix(ops, r)) {
				want = i
				break
			}
		}
		if last := v.Prefix[v.Last]; last.Return != returns[want] {
			t.Fatalf("bad prefix ends at %d, want %d (%s)", last.Return, returns[want], v)
		}
	}
	if found < 20 {
		t.Errorf("only %d of 300 random histories were not linearizable", found)
	}
}

// randomHistory is a history of a register of three clients, each making
// operations one after another, whose reads mostly return the last write.
func randomHistory(rng *rand.Rand) []porcupine.Operation {
	var ops []porcupine.Operation
	value, prev := 0, 0
	for c := range 3 {
		t := int64(rng.IntN(5))
		for range 5 {
			call, ret := t, t+int64(1+rng.IntN(8))
			t = ret + 1 + int64(rng.IntN(3))
			if rng.IntN(2) == 0 {
				prev, value = value, rng.IntN(4)
				ops = append(ops, op(c, Write(value), nil, call, ret))
				continue
			}
			seen := value
			if rng.IntN(6) == 0 {
				seen = prev
			}
			ops = append(ops, op(c, Read(), seen, call, ret))
		}
	}
	return ops
}

// TestViolationMessage: the message names the object, the time of the
// bad return, and lists the operations, the culprit marked and the
// earlier ones left out beyond maxShown.
func TestViolationMessage(t *testing.T) {
	o := NewObject("cell", Register(0))
	var ops []porcupine.Operation
	for i := range 30 {
		ops = append(ops, op(0, Write(i), nil, int64(i)*1e6, int64(i)*1e6+5e5))
	}
	ops = append(ops, op(1, Read(), 3, 40e6, 41e6), op(2, Write(99), Unknown, 40e6, never))
	v := o.explain(context.Background(), ops)
	msg := v.Error()
	for _, want := range []string{
		"not linearizable: no order explains the history of cell up to t=0.041000s, when client 1's read() -> 3 returned (32 of its 32 operations):",
		"\n  ... 12 earlier operations (porcupine's page shows them all)",
		"\n > client 1  [t=0.040000s, t=0.041000s]  read() -> 3",
		"\n   client 2  [t=0.040000s, pending]  write(99)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if !errors.Is(v, ErrNotLinearizable) {
		t.Error("a Violation is not ErrNotLinearizable")
	}
	var page strings.Builder
	if err := v.visualize(&page); err != nil || !strings.Contains(page.String(), "<html") {
		t.Errorf("page: %v, %d bytes", err, page.Len())
	}
	r := &Recorder{obj: o}
	r.ops = []record{{client: 0, input: Write(1), call: 5e6, ret: 6e6, state: returned}, {client: 1, input: Read(), call: 7e6, ret: never}}
	for i, want := range []string{"operation 0, called at t=0.005000s, returned at t=0.006000s", "operation 1, called at t=0.007000s, no answer"} {
		if got := fmt.Sprint(r.Operations()[i].Metadata); got != want {
			t.Errorf("metadata %q, want %q", got, want)
		}
	}
}

// TestRecorderOutsideSimulation: outside a simulation Record returns nil,
// whose methods record nothing.
func TestRecorderOutsideSimulation(t *testing.T) {
	o := NewObject("kv", KV())
	r := o.Record(context.Background())
	if r != nil {
		t.Fatal("a recorder outside a simulation")
	}
	op := r.Call(0, Get("x"))
	op.Return(KVOutput{})
	op.Unknown()
	if r.Len() != 0 || r.Operations() != nil || r.Pending() != nil {
		t.Error("a nil recorder recorded")
	}
}

// TestCheckTimesOut: a check that runs out of time is unknown, never a
// pass.
func TestCheckTimesOut(t *testing.T) {
	slow := Register(0)
	step := slow.Step
	slow.Step = func(s, in, out any) (bool, any) { time.Sleep(time.Millisecond); return step(s, in, out) }
	o := NewObject("slow", slow)
	ops := make([]porcupine.Operation, 0, 200)
	for i := range 200 {
		ops = append(ops, op(i%8, Write(i), nil, 0, 100))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := o.checkOps(ctx, ops)
	if !errors.Is(err, orrery.ErrUnknown) {
		t.Errorf("check: %v, want ErrUnknown", err)
	}
}

// TestNewObjectRefuses: a name that cannot name a file, or a model
// without Init or Step, is a programming mistake that panics at once.
func TestNewObjectRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model porcupine.Model
	}{
		{"", KV()},
		{"a/b", KV()},
		{"kv map", KV()},
		{"kv", porcupine.Model{Init: func() any { return "" }}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewObject(%q) did not panic", tc.name)
				}
			}()
			NewObject(tc.name, tc.model)
		}()
	}
}

// TestModelPanics: a model that panics fails the check with the
// operation it panicked on, where porcupine's goroutines would otherwise
// end the program.
func TestModelPanics(t *testing.T) {
	o := NewObject("cell", Register(0))
	err := o.checkOps(context.Background(), []porcupine.Operation{op(0, Put("x", "1"), KVOutput{}, 0, 10)})
	want := `the model of cell panicked stepping input check.KVInput{Op:0x2, Key:"x", Value:"1", Old:""}, output check.KVOutput{Value:"", OK:false}: interface conversion`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestUnknownReadsAreLeftOut: reads whose answer is unknown change nothing
// and constrain nothing; left in, each open to the end of time, a few
// dozen of them make porcupine's search of a bad history run out of time.
func TestUnknownReadsAreLeftOut(t *testing.T) {
	for _, tc := range []struct {
		name        string
		model       porcupine.Model
		write, read func(i int) any
		bad         any
	}{
		{"kv", KV(), func(i int) any { return Put("x", fmt.Sprint(i)) }, func(int) any { return Get("x") }, KVOutput{Value: "3"}},
		{"register", Register(0), func(i int) any { return Write(i) }, func(int) any { return Read() }, 3},
		{"counter", Counter(), func(int) any { return Add(1) }, func(int) any { return ReadCounter() }, int64(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ops []porcupine.Operation
			for i := range 10 {
				ops = append(ops, op(0, tc.write(i), nil, int64(i)*10, int64(i)*10+5))
			}
			for c := range 40 {
				ops = append(ops, op(1+c, tc.read(c), Unknown, 101+int64(c), never))
			}
			ops = append(ops, op(50, tc.read(0), tc.bad, 200, 210))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := NewObject("x", tc.model).checkOps(ctx, ops)
			if !errors.Is(err, ErrNotLinearizable) {
				t.Fatalf("check: %v, want not linearizable", err)
			}
		})
	}
}
