package check

import (
	"fmt"
	"hash/fnv"

	"github.com/anishathalye/porcupine"
)

// KVOp is an operation on a key-value map (KV).
type KVOp uint8

// The operations of KV.
const (
	OpGet    KVOp = iota + 1 // read a key's value ("" for a missing key)
	OpPut                    // set a key's value
	OpAppend                 // append to a key's value
	OpCAS                    // set a key's value if it is Old
)

var kvOpNames = [...]string{"", "get", "put", "append", "cas"}

// String returns the operation's name ("put").
func (o KVOp) String() string {
	if int(o) < len(kvOpNames) && o != 0 {
		return kvOpNames[o]
	}
	return fmt.Sprintf("KVOp(%d)", uint8(o))
}

// KVInput is a request to a key-value map: the input of an operation of
// KV.
type KVInput struct {
	Op    KVOp
	Key   string
	Value string // Put, Append: the value; CAS: the new value
	Old   string // CAS: the value the key must have
}

// KVOutput is the answer of a key-value map: the output of an operation of
// KV. Put and Append answer the zero KVOutput.
type KVOutput struct {
	Value string // Get: the value read, "" for a missing key
	OK    bool   // CAS: whether the value was swapped
}

// Get returns the input of a read of key.
func Get(key string) KVInput { return KVInput{Op: OpGet, Key: key} }

// Put returns the input of a write of value to key.
func Put(key, value string) KVInput { return KVInput{Op: OpPut, Key: key, Value: value} }

// Append returns the input of an append of value to key's value.
func Append(key, value string) KVInput { return KVInput{Op: OpAppend, Key: key, Value: value} }

// CAS returns the input of a compare-and-swap of key from old to value.
func CAS(key, old, value string) KVInput {
	return KVInput{Op: OpCAS, Key: key, Value: value, Old: old}
}

// KV returns the model of a key-value map of strings, where a missing key
// reads as "": inputs are KVInput, outputs KVOutput. Its histories are
// checked key by key (porcupine's partitions), which keeps long histories
// cheap.
func KV() porcupine.Model {
	return porcupine.Model{
		Partition: partitionByKey,
		Init:      func() any { return "" },
		Step: func(state, input, output any) (bool, any) {
			return kvStep(state.(string), input.(KVInput), output)
		},
		Equal:             func(a, b any) bool { return a == b },
		Hash:              hashString,
		DescribeOperation: describeKV,
		DescribeState:     func(state any) string { return fmt.Sprintf("%q", state) },
	}
}

// kvStep is one step of a key's value.
func kvStep(v string, in KVInput, output any) (bool, any) {
	out, _ := output.(KVOutput)
	known := !IsUnknown(output)
	switch in.Op {
	case OpGet:
		return !known || out.Value == v, v
	case OpPut:
		return true, in.Value
	case OpAppend:
		return true, v + in.Value
	case OpCAS:
		if known && out.OK != (v == in.Old) {
			return false, v
		}
		if v == in.Old {
			return true, in.Value
		}
		return true, v
	}
	panic(fmt.Sprintf("check: KV: unknown operation %v", in.Op))
}

// partitionByKey splits a history of KV by key, keys in order of first
// call, leaving out the reads whose answer is unknown (see knownOnly).
func partitionByKey(ops []porcupine.Operation) [][]porcupine.Operation {
	index := map[string]int{}
	var out [][]porcupine.Operation
	for _, op := range ops {
		if op.Input.(KVInput).Op == OpGet && IsUnknown(op.Output) {
			continue // see knownOnly
		}
		k := op.Input.(KVInput).Key
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], op)
	}
	return out
}

func hashString(state any) uint64 {
	h := fnv.New64a()
	h.Write([]byte(state.(string)))
	return h.Sum64()
}

// describeKV prints an operation of KV: put(x, "1"), get(x) -> "1",
// cas(x, "1", "2") -> ok, and ? for an unknown output.
func describeKV(input, output any) string {
	in := input.(KVInput)
	out, _ := output.(KVOutput)
	var call, ret string
	switch in.Op {
	case OpGet:
		call, ret = fmt.Sprintf("get(%s)", in.Key), fmt.Sprintf(" -> %q", out.Value)
	case OpPut, OpAppend:
		call = fmt.Sprintf("%s(%s, %q)", in.Op, in.Key, in.Value)
	case OpCAS:
		call, ret = fmt.Sprintf("cas(%s, %q, %q)", in.Key, in.Old, in.Value), " -> failed"
		if out.OK {
			ret = " -> ok"
		}
	default:
		call = fmt.Sprintf("%v(%s)", in.Op, in.Key)
	}
	if IsUnknown(output) {
		ret = " -> ?"
	}
	return call + ret
}

// RegisterInput is a request to a register: the input of an operation of
// Register.
type RegisterInput struct {
	Write bool // a write of Value; otherwise a read
	Value any
}

// Read returns the input of a read of a register, whose output is the
// value read.
func Read() RegisterInput { return RegisterInput{} }

// Write returns the input of a write of v to a register; its output is
// ignored (record nil).
func Write(v any) RegisterInput { return RegisterInput{Write: true, Value: v} }

// Register returns the model of one register holding comparable values,
// initial at first: inputs are RegisterInput, and a read's output is the
// value read.
func Register(initial any) porcupine.Model {
	return porcupine.Model{
		Partition: knownOnly(func(in any) bool { r, ok := in.(RegisterInput); return ok && !r.Write }),
		Init:      func() any { return initial },
		Step: func(state, input, output any) (bool, any) {
			in := input.(RegisterInput)
			if in.Write {
				return true, in.Value
			}
			return IsUnknown(output) || output == state, state
		},
		Equal: func(a, b any) bool { return a == b },
		DescribeOperation: func(input, output any) string {
			in := input.(RegisterInput)
			switch {
			case in.Write:
				return fmt.Sprintf("write(%v)", in.Value)
			case IsUnknown(output):
				return "read() -> ?"
			}
			return fmt.Sprintf("read() -> %v", output)
		},
		DescribeState: func(state any) string { return fmt.Sprint(state) },
	}
}

// CounterInput is a request to a counter: the input of an operation of
// Counter.
type CounterInput struct {
	Read  bool  // a read of the count; otherwise an addition of Delta
	Delta int64 // what an addition adds (negative to subtract)
}

// Add returns the input of an addition of delta to a counter. Its output
// is ignored (record nil), or, as an int64, is the count after it.
func Add(delta int64) CounterInput { return CounterInput{Delta: delta} }

// ReadCounter returns the input of a read of a counter, whose output is
// the count as an int64.
func ReadCounter() CounterInput { return CounterInput{Read: true} }

// Counter returns the model of a counter starting at 0: inputs are
// CounterInput, outputs int64 (or nil for an addition that answers
// nothing).
func Counter() porcupine.Model {
	return porcupine.Model{
		Partition: knownOnly(func(in any) bool { c, ok := in.(CounterInput); return ok && c.Read }),
		Init:      func() any { return int64(0) },
		Step: func(state, input, output any) (bool, any) {
			n, in := state.(int64), input.(CounterInput)
			got, answered := output.(int64)
			if in.Read {
				return !answered || got == n, n
			}
			return !answered || got == n+in.Delta, n + in.Delta
		},
		Equal: func(a, b any) bool { return a == b },
		DescribeOperation: func(input, output any) string {
			in := input.(CounterInput)
			call := fmt.Sprintf("add(%d)", in.Delta)
			if in.Read {
				call = "read()"
			}
			switch v := output.(type) {
			case int64:
				return fmt.Sprintf("%s -> %d", call, v)
			case unknownOutput:
				return call + " -> ?"
			}
			return call
		},
		DescribeState: func(state any) string { return fmt.Sprint(state) },
	}
}

// knownOnly returns a partition of a history into one part, without the
// reads (as isRead tells them) whose answer is unknown. Such a read changes
// nothing and constrains nothing, yet, open until the end of time, it
// multiplies the orders porcupine must try: a few dozen of them can turn a
// check of milliseconds into one that runs out of time.
func knownOnly(isRead func(input any) bool) func([]porcupine.Operation) [][]porcupine.Operation {
	return func(ops []porcupine.Operation) [][]porcupine.Operation {
		known := make([]porcupine.Operation, 0, len(ops))
		for _, op := range ops {
			if !isRead(op.Input) || !IsUnknown(op.Output) {
				known = append(known, op)
			}
		}
		return [][]porcupine.Operation{known}
	}
}
