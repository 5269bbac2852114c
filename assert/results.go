package assert

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/sim"
)

// Result is what a seed, or a merged run of many seeds, knows of one
// assertion: how often it was evaluated and passed, and whether it failed.
// A SometimesEach gives one Result per bucket.
type Result struct {
	Message string // the assertion's identity
	// Bucket is, for a SometimesEach, the value (as %v prints it) that this
	// row counts; "" for the other kinds.
	Bucket   string
	Kind     Kind
	Location string // the call site first evaluated, "dir/file.go:line"
	// Evaluated counts the evaluations: how often the call was reached.
	Evaluated uint64
	// Passed counts the evaluations whose condition held (for Reachable
	// and SometimesEach, every evaluation; for Unreachable, none).
	Passed uint64
	// Failed is set when an Always-kind condition was false or an
	// Unreachable was reached: the seed failed.
	Failed bool
	// Details of the first failure, "key=value ..." sorted by key: in a
	// merged run, of the lowest failing seed.
	Details string
	// Seed is the seed whose run gave Details, when Failed: Results leaves
	// it 0, and a runner of many seeds sets it before merging. The JSON
	// form writes it as a hex string.
	Seed uint64
	// Closest is, for a numeric Sometimes form (SometimesGreaterThan ...)
	// that never held, its evaluation nearest to holding, as the trace
	// writes attributes: "left=7 right=10". Gap is how far that was from
	// holding (right - left for the GreaterThan forms, left - right for
	// the LessThan ones; 0 when a strict form missed by being equal), and
	// ClosestSeed the seed that came nearest (set as Seed is; the lowest
	// of those as near). A run that misses such an assertion then says
	// how near it came and which seed to replay to see it. All three are
	// empty once the assertion held, and for other kinds.
	Closest     string  `json:",omitempty"`
	Gap         float64 `json:",omitempty"`
	ClosestSeed uint64
}

// MarshalJSON writes the result with its seed as a hex string, or without
// one when it did not fail.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	v := struct {
		plain
		Seed        string `json:",omitempty"`
		ClosestSeed string `json:",omitempty"`
	}{plain: plain(r)}
	if r.Failed {
		v.Seed = fmt.Sprintf("%#x", r.Seed)
	}
	if r.Closest != "" {
		v.ClosestSeed = fmt.Sprintf("%#x", r.ClosestSeed)
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads a result that MarshalJSON wrote.
func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result
	v := struct {
		*plain
		Seed        string `json:",omitempty"`
		ClosestSeed string `json:",omitempty"`
	}{plain: (*plain)(r)}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	var err error
	if r.Seed, err = parseSeed(v.Seed); err != nil {
		return fmt.Errorf("assertion %q: seed %q: %w", r.Message, v.Seed, err)
	}
	if r.ClosestSeed, err = parseSeed(v.ClosestSeed); err != nil {
		return fmt.Errorf("assertion %q: closest seed %q: %w", r.Message, v.ClosestSeed, err)
	}
	return nil
}

// parseSeed reads a seed that MarshalJSON wrote, "" as 0.
func parseSeed(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	digits, ok := strings.CutPrefix(s, "0x")
	seed, err := strconv.ParseUint(digits, 16, 64)
	if !ok || err != nil {
		return 0, errors.New(`want a 64-bit hex string such as "0x2a"`)
	}
	return seed, nil
}

// String gives one line for a report:
// `Sometimes "leader elected" passed 12 of 40 at raft/node.go:88`.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q", r.Kind, r.Message)
	if r.Kind == KindSometimesEach {
		fmt.Fprintf(&b, " [%s]", r.Bucket)
	}
	fmt.Fprintf(&b, " passed %d of %d", r.Passed, r.Evaluated)
	if r.Failed {
		b.WriteString(" FAILED")
	}
	if r.Closest != "" {
		b.WriteString(", nearest ")
		b.WriteString(r.Closest)
	}
	if r.Location != "" {
		b.WriteString(" at ")
		b.WriteString(r.Location)
	}
	if r.Details != "" {
		b.WriteString(": ")
		b.WriteString(r.Details)
	}
	return b.String()
}

// Results returns the assertions evaluated so far in w's run, sorted by
// message (then bucket), so that the table does not depend on the order in
// which the assertions were first met. It returns nil when w is nil or
// evaluated no assertion.
func Results(w *sim.World) []Result {
	if w == nil {
		return nil
	}
	r, _ := w.Value(registryKey{}).(*registry)
	if r == nil {
		return nil
	}
	var out []Result
	for msg, e := range r.entries { // any order: sorted below
		out = e.appendResults(out, msg)
	}

	sortResults(out)
	return out
}

func (e *entry) appendResults(out []Result, msg string) []Result {
	r := Result{Message: msg, Kind: e.kind, Location: e.location, Evaluated: e.evaluated,
		Passed: e.passed, Failed: e.failed, Details: e.details}
	e.setClosest(&r)
	if e.kind != KindSometimesEach {
		return append(out, r)
	}
	for _, b := range e.buckets {
		r.Bucket, r.Evaluated, r.Passed = b.label, b.hits, b.hits
		out = append(out, r)
	}
	return out
}

func sortResults(rs []Result) {
	slices.SortFunc(rs, func(a, b Result) int {
		return cmp.Or(strings.Compare(a.Message, b.Message), strings.Compare(a.Bucket, b.Bucket))
	})
}

// Merge adds up the results of many seeds (or of shards of a run) into one
// table, sorted by message and bucket. Counts add up and Failed is set if
// any seed failed; Details (and Seed) come from the failing run of the
// lowest Seed, so that the table does not depend on the order in which
// workers or shards are merged. The other fields do not depend on it
// either: the
// Location kept is the smallest, and should two runs disagree on a
// message's Kind (two versions of the code), the smallest Kind. A
// SometimesEach row without a bucket and never evaluated (from the catalog)
// is dropped once a bucket of the same message was hit.
func Merge(runs ...[]Result) []Result {
	type key struct{ msg, bucket string }
	byKey := make(map[key]*Result)
	for _, run := range runs {
		for _, r := range run {
			k := key{r.Message, r.Bucket}
			if m := byKey[k]; m != nil {
				m.add(r)
			} else {
				byKey[k] = &r
			}
		}
	}
	out := make([]Result, 0, len(byKey))
	for _, r := range byKey { // any order: sorted below
		out = append(out, *r)
	}
	sortResults(out)
	return dropPlaceholders(out)
}

func (m *Result) add(r Result) {
	m.Evaluated += r.Evaluated
	m.Passed += r.Passed
	if r.Failed && (!m.Failed || r.Seed < m.Seed) {
		m.Failed, m.Details, m.Seed = true, r.Details, r.Seed
	}
	if m.Location == "" || (r.Location != "" && r.Location < m.Location) {
		m.Location = r.Location
	}
	if m.Kind == 0 || (r.Kind != 0 && r.Kind < m.Kind) {
		m.Kind = r.Kind
	}
	m.addClosest(r)
}

// dropPlaceholders removes the never-evaluated rows of SometimesEach
// assertions that have a real bucket. rs is sorted by message.
func dropPlaceholders(rs []Result) []Result {
	hit := make(map[string]bool)
	for _, r := range rs {
		if r.Kind == KindSometimesEach && r.Evaluated > 0 {
			hit[r.Message] = true
		}
	}
	return slices.DeleteFunc(rs, func(r Result) bool {
		return r.Kind == KindSometimesEach && r.Evaluated == 0 && hit[r.Message]
	})
}

// Missing returns the assertions of a merged run that the run never
// exercised, which must fail it: a Sometimes (numeric forms and
// SometimesAll included) whose condition never held, a Reachable or
// SometimesEach never evaluated, and, as in Antithesis, an Always never
// evaluated. AlwaysOrUnreachable and Unreachable are never missing.
// Assertions that no seed evaluated are not in Results at all: merge the
// results of catalog.Results (package assert/catalog) in to see them.
func Missing(merged []Result) []Result {
	var out []Result
	for _, r := range merged {
		if r.missing() {
			out = append(out, r)
		}
	}
	return out
}

func (r Result) missing() bool {
	switch r.Kind {
	case KindAlways, KindReachable, KindSometimesEach:
		return r.Evaluated == 0
	case KindSometimes:
		return r.Passed == 0
	}
	return false
}
