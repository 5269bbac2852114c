package assert

import "fmt"

// Kind is the rule an assertion follows. It decides what fails a seed and
// what fails a multi-seed run (see Missing). The numeric and compound
// functions follow the rule of their family: AlwaysGreaterThan and
// AlwaysSome are Always assertions, SometimesLessThan and SometimesAll are
// Sometimes assertions.
type Kind uint8

// The kinds of assertions. The zero Kind is not a kind.
const (
	// KindAlways must hold every time it is evaluated, and be evaluated at
	// least once across a run.
	KindAlways Kind = iota + 1
	// KindAlwaysOrUnreachable must hold every time it is evaluated; never
	// evaluating it is fine.
	KindAlwaysOrUnreachable
	// KindSometimes must hold at least once across a run.
	KindSometimes
	// KindReachable must be evaluated at least once across a run.
	KindReachable
	// KindUnreachable must never be evaluated.
	KindUnreachable
	// KindSometimesEach must be evaluated at least once across a run, and
	// counts its evaluations per distinct value (one bucket each).
	KindSometimesEach
)

var kindNames = [...]string{"", "Always", "AlwaysOrUnreachable", "Sometimes", "Reachable", "Unreachable", "SometimesEach"}

// String returns the kind's name ("Sometimes").
func (k Kind) String() string {
	if k != 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MarshalText encodes the kind by name, so that JSON reports of sharded
// runs read well and survive a reordering of the constants.
func (k Kind) MarshalText() ([]byte, error) {
	if k == 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("assert: marshal kind: %d is not a kind", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a name that MarshalText wrote.
func (k *Kind) UnmarshalText(b []byte) error {
	for i := 1; i < len(kindNames); i++ {
		if string(b) == kindNames[i] {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("assert: unmarshal kind: unknown kind %q", b)
}

// op describes one exported assertion function: its name (the trace Op),
// the rule it follows, where its message is among the call's arguments (for
// LookupFunc), the relation a numeric assertion wants, and the sign that
// makes sign × (left - right) grow towards flipping it (see OnWatermark;
// 0 for the other assertions).
type op struct {
	name   string
	kind   Kind
	msgArg int
	want   string
	sign   int8
}

var (
	opAlways              = &op{name: "Always", kind: KindAlways, msgArg: 2}
	opAlwaysOrUnreachable = &op{name: "AlwaysOrUnreachable", kind: KindAlwaysOrUnreachable, msgArg: 2}
	opSometimes           = &op{name: "Sometimes", kind: KindSometimes, msgArg: 2}
	opReachable           = &op{name: "Reachable", kind: KindReachable, msgArg: 1}
	opUnreachable         = &op{name: "Unreachable", kind: KindUnreachable, msgArg: 1}

	opAlwaysGT    = &op{name: "AlwaysGreaterThan", kind: KindAlways, msgArg: 3, want: "left > right", sign: -1}
	opAlwaysGE    = &op{name: "AlwaysGreaterThanOrEqualTo", kind: KindAlways, msgArg: 3, want: "left >= right", sign: -1}
	opAlwaysLT    = &op{name: "AlwaysLessThan", kind: KindAlways, msgArg: 3, want: "left < right", sign: 1}
	opAlwaysLE    = &op{name: "AlwaysLessThanOrEqualTo", kind: KindAlways, msgArg: 3, want: "left <= right", sign: 1}
	opSometimesGT = &op{name: "SometimesGreaterThan", kind: KindSometimes, msgArg: 3, want: "left > right", sign: 1}
	opSometimesGE = &op{name: "SometimesGreaterThanOrEqualTo", kind: KindSometimes, msgArg: 3, want: "left >= right", sign: 1}
	opSometimesLT = &op{name: "SometimesLessThan", kind: KindSometimes, msgArg: 3, want: "left < right", sign: -1}
	opSometimesLE = &op{name: "SometimesLessThanOrEqualTo", kind: KindSometimes, msgArg: 3, want: "left <= right", sign: -1}

	opAlwaysSome    = &op{name: "AlwaysSome", kind: KindAlways, msgArg: 2}
	opSometimesAll  = &op{name: "SometimesAll", kind: KindSometimes, msgArg: 2}
	opSometimesEach = &op{name: "SometimesEach", kind: KindSometimesEach, msgArg: 1}
)

// ops lists every assertion function by name, for LookupFunc.
var ops = map[string]*op{}

func init() {
	for _, o := range []*op{opAlways, opAlwaysOrUnreachable, opSometimes, opReachable, opUnreachable,
		opAlwaysGT, opAlwaysGE, opAlwaysLT, opAlwaysLE,
		opSometimesGT, opSometimesGE, opSometimesLT, opSometimesLE,
		opAlwaysSome, opSometimesAll, opSometimesEach} {
		ops[o.name] = o
	}
}

// Func describes an assertion function of this package as tools that read
// source need it (assert/catalog): its name, the rule it follows, and the
// index of its message among the call's arguments.
type Func struct {
	Name   string // "AlwaysLessThan"
	Kind   Kind
	MsgArg int
}

// LookupFunc returns the assertion function of this package called name;
// ok is false for any other name.
func LookupFunc(name string) (f Func, ok bool) {
	o := ops[name]
	if o == nil {
		return Func{}, false
	}
	return Func{Name: o.name, Kind: o.kind, MsgArg: o.msgArg}, true
}
