package trace

import (
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestJSONEncoder: an encoder writes what AppendJSON writes, whether it
// has seen a record's head before or not, whether equal heads come in
// strings of one place or of several, and when heads share a slot.
func TestJSONEncoder(t *testing.T) {
	net, op := "Network", "DataDelivery"
	copied := func(s string) string { return strings.Clone(s) }
	recs := []Record{
		{At: 1234000000, Seq: 48, RNG: 1203, Level: LevelTrace, Kind: "Timer", Op: "Timer", Obj: "task", ID: 12, Name: "bank/client-2", Cause: 30, Task: 7},
		{At: 5, Level: LevelTrace, Kind: net, Op: op, Obj: "conn", ID: 3, Detail: "bytes=64 10.0.0.1:40001->10.0.1.1:7000"},
		{At: 6, Level: LevelTrace, Kind: copied(net), Op: copied(op), Obj: "conn", ID: 4},
		{At: 7, Level: slog.LevelDebug, Kind: net, Op: op, Obj: "conn", ID: 5},
		{At: 8, Level: LevelTrace, Kind: net, Op: op, Obj: "", ID: 0, Infra: true},
		{At: -9, Level: slog.LevelInfo, Kind: KindLog, Task: 1, TaskName: "orrery/conductor", Msg: "setup", Attrs: []Attr{{"a", "1"}, {"b\n", "\xff"}}},
		{Level: slog.Level(3), Kind: "K\"", Op: "\u2028", Obj: "<o>"},
		{Level: LevelTrace, Kind: net, Op: op, Obj: "conn", ID: 3},
		{Level: slog.LevelError, Kind: KindLog, Msg: "failure"},
		{At: math.MinInt64, Level: slog.LevelError, Kind: KindLog, Msg: "failure"},
		{At: math.MinInt64, Level: LevelTrace, Kind: net, Op: op, Obj: "conn", ID: 3},
		{At: math.MaxInt64, Level: LevelTrace, Kind: net, Op: op, Obj: "conn", ID: 3},
	}
	var e JSONEncoder
	for round := range 3 {
		for i := range recs {
			if got, want := string(e.Append([]byte("x"), &recs[i])), "x"+string(AppendJSON(nil, &recs[i])); got != want {
				t.Errorf("round %d, record %d: Append =\n%s\nwant\n%s", round, i, got, want)
			}
		}
	}
}

// TestJSONEncoderDetails: details an encoder keeps quoted come out as
// AppendJSON writes them: repeated in one place, equal in other places,
// other bytes written in the place of one quoted before (as a record's
// detail may be a string over bytes written again), needing escapes,
// longer than it keeps, and more than it has slots for.
func TestJSONEncoderDetails(t *testing.T) {
	buf := []byte("bytes=23 10.0.0.2:55337->10.0.1.1:7000")
	over := unsafe.String(&buf[0], len(buf))
	kept := "bytes=21 10.0.1.1:7000->10.0.0.2:55337"
	details := []struct {
		detail func() string
		kept   bool // said kept (Record.DetailKept) on every other round
	}{
		{func() string { return kept }, true},
		{func() string { return strings.Clone(kept) }, true}, // the same bytes, another place
		{func() string { return strings.Clone(kept) }, false},
		{func() string { return over }, false},
		{func() string { buf[6] = '2' + buf[6]%8; return over }, false}, // the same place, other bytes
		{func() string { return kept }, false},
		{func() string { return "a \"quoted\"\n\xff detail" }, true},
		{func() string { return strings.Repeat("d", maxDetail+1) }, true},
		{func() string { return "" }, false},
	}
	var e JSONEncoder
	for i := range 3 * len(e.details) {
		dt := details[i%len(details)]
		d, keptNow := dt.detail(), dt.kept && i/len(details)%2 == 0
		if i%5 == 4 {
			d, keptNow = fmt.Sprintf("bytes=%d 10.0.0.1:1->10.0.0.2:2", i), i%2 == 0
		}
		r := Record{At: time.Duration(i), Seq: uint64(i), Level: LevelTrace, Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: 3, Detail: d, DetailKept: keptNow}
		if got, want := string(e.Append(nil, &r)), string(AppendJSON(nil, &r)); got != want {
			t.Fatalf("record %d (kept %v): Append =\n%s\nwant\n%s", i, keptNow, got, want)
		}
	}
}

// TestJSONEncoderKeptDetail: a detail said kept (Record.DetailKept) is
// found by where it lies, its bytes not compared: bytes changed under it,
// against that rule, still give the form quoted before, while a detail not
// said kept is compared and quoted anew.
func TestJSONEncoderKeptDetail(t *testing.T) {
	for _, kept := range []bool{true, false} {
		buf := []byte("bytes=64 10.0.0.1:1->10.0.0.2:2")
		d := unsafe.String(&buf[0], len(buf))
		var e JSONEncoder
		r := Record{Level: LevelTrace, Kind: "Network", Op: "DataDelivery", Obj: "conn", Detail: d, DetailKept: kept}
		first := string(e.Append(nil, &r))
		buf[6] = '9'
		got := string(e.Append(nil, &r))
		want := strings.Replace(first, "bytes=64", "bytes=94", 1)
		if kept {
			want = first
		}
		if got != want {
			t.Errorf("kept %v: after the bytes changed, Append =\n%s\nwant\n%s", kept, got, want)
		}
	}
}

// TestJSONEncoderSlots: records of more heads than the encoder has slots,
// each written twice, come out as AppendJSON writes them.
func TestJSONEncoderSlots(t *testing.T) {
	var e JSONEncoder
	var ops []string
	for i := range 3 * len(e.heads) {
		ops = append(ops, "Op"+strings.Repeat("x", i%7)+string(rune('A'+i%26))+time.Duration(i).String())
	}
	for range 2 {
		for i, op := range ops {
			r := Record{At: time.Duration(i), Level: slog.Level(i % 3), Kind: "Kind", Op: op, Obj: ops[(i+1)%len(ops)]}
			if got, want := string(e.Append(nil, &r)), string(AppendJSON(nil, &r)); got != want {
				t.Fatalf("record %d: Append =\n%s\nwant\n%s", i, got, want)
			}
		}
	}
}

// TestJSONEncoderKnownStrings: the names, task names, messages and keys
// an encoder keeps quoted come out as AppendJSON writes them, with more
// strings than it has slots, of equal lengths (which share slots), in one
// place or copied, longer than it keeps, and needing escapes.
func TestJSONEncoderKnownStrings(t *testing.T) {
	var e JSONEncoder
	var strs []string
	for i := range 3 * len(e.known) {
		s := fmt.Sprintf("s%03d", i)
		switch i % 5 {
		case 1:
			s = strings.Clone(strs[i-1])
		case 2:
			s += "\"\n\u2028\xff"
		case 3:
			s += strings.Repeat("x", maxKnown)
		}
		strs = append(strs, s)
	}
	for round := range 2 {
		for i, s := range strs {
			u := strs[(i*7+round)%len(strs)]
			r := Record{Seq: uint64(i), Level: slog.LevelDebug, Kind: KindLog, Name: s, TaskName: u, Msg: s,
				Attrs: []Attr{{Key: u, Value: s}, {Key: s, Value: u}}}
			if got, want := string(e.Append(nil, &r)), string(AppendJSON(nil, &r)); got != want {
				t.Fatalf("round %d, record %d: Append =\n%s\nwant\n%s", round, i, got, want)
			}
		}
	}
}

// TestJSONEncoderShapes: log records whose task names, messages and keys
// an encoder keeps encoded (see jsonShape) come out as AppendJSON writes
// them: with more shapes than it has slots, shapes that differ in one key,
// in the number of keys, in the task name alone, equal strings in other
// places, strings that need escapes, shapes too long to keep, and more
// keys than a shape holds.
func TestJSONEncoderShapes(t *testing.T) {
	var e JSONEncoder
	msgs := []string{"transfer read", "transfer written", "a \"quoted\"\n msg", strings.Repeat("m", 600)}
	keys := []string{"amount", "from", "from_balance", "to", "to_balance", "k\u2028", "\xff", strings.Repeat("k", 300)}
	var recs []Record
	for i := range 4 * len(e.shapes) {
		n := 1 + i%(maxShapeKeys+2)
		attrs := make([]Attr, n)
		for j := range attrs {
			attrs[j] = Attr{Key: keys[(i+j*3)%len(keys)], Value: fmt.Sprint(i * j)}
		}
		msg := msgs[i%len(msgs)]
		if i%5 == 0 {
			msg = strings.Clone(msg)
		}
		if i%7 == 0 {
			msg = fmt.Sprintf("msg %d", i)
		}
		task := []string{"bank/conn", "", "client-1/run"}[i%3]
		recs = append(recs, Record{At: time.Duration(i), Seq: uint64(i), Level: slog.LevelDebug, Kind: KindLog,
			Task: uint64(i % 4), TaskName: task, Msg: msg, Attrs: attrs})
	}
	for round := range 3 {
		for i := range recs {
			r := &recs[(i*5+round)%len(recs)]
			if got, want := string(e.Append(nil, r)), string(AppendJSON(nil, r)); got != want {
				t.Fatalf("round %d, record %d: Append =\n%s\nwant\n%s", round, i, got, want)
			}
		}
	}
}

// TestJSONEncoderKeepsCollidingEntries: two heads, two known strings and
// two shapes that are looked for first in one slot are kept both, so that
// records of the two in turn are encoded from what the encoder keeps,
// and come out as AppendJSON writes them. Each table is tried with a
// fresh encoder and records that put nothing else in it, so that no
// third entry, wherever its strings lie, can fall in the same two slots.
func TestJSONEncoderKeepsCollidingEntries(t *testing.T) {
	// pair makes strings in new places until two fall in one slot.
	pair := func(slot func(string) uintptr) (string, string) {
		seen := map[uintptr]string{}
		for i := 0; ; i++ {
			s := fmt.Sprintf("s%04d", i)
			if o, ok := seen[slot(s)]; ok {
				return o, s
			}
			seen[slot(s)] = s
		}
	}
	tests := []struct {
		name string
		// records returns two records whose entries in one table are
		// looked for first in one slot, the strings that tell those
		// entries apart, and what that table's two slots hold.
		records func(e *JSONEncoder) (recs []Record, a, b string, kept func() []string)
	}{
		{"heads", func(e *JSONEncoder) ([]Record, string, string, func() []string) {
			op1, op2 := pair(func(s string) uintptr { return e.headSlot(&Record{Level: LevelTrace, Kind: "K", Op: s}) })
			recs := []Record{{Level: LevelTrace, Kind: "K", Op: op1}, {Level: LevelTrace, Kind: "K", Op: op2}}
			i := e.headSlot(&recs[0])
			return recs, op1, op2, func() []string { return []string{e.heads[i].op, e.heads[nextSlot(i)].op} }
		}},
		{"known strings", func(e *JSONEncoder) ([]Record, string, string, func() []string) {
			name1, name2 := pair(e.knownSlot)
			recs := []Record{{Level: LevelTrace, Kind: "K", Op: "o", Name: name1}, {Level: LevelTrace, Kind: "K", Op: "o", Name: name2}}
			j := e.knownSlot(name1)
			return recs, name1, name2, func() []string { return []string{e.known[j].s, e.known[nextSlot(j)].s} }
		}},
		{"shapes", func(e *JSONEncoder) ([]Record, string, string, func() []string) {
			msg1, msg2 := pair(func(s string) uintptr { return e.shapeSlot(&Record{Msg: s, Attrs: make([]Attr, 1)}) })
			recs := []Record{
				{Level: slog.LevelDebug, Kind: KindLog, Msg: msg1, Attrs: []Attr{{"k", "1"}}},
				{Level: slog.LevelDebug, Kind: KindLog, Msg: msg2, Attrs: []Attr{{"k", "2"}}},
			}
			k := e.shapeSlot(&recs[0])
			return recs, msg1, msg2, func() []string { return []string{e.shapes[k].msg, e.shapes[nextSlot(k)].msg} }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e JSONEncoder
			recs, a, b, kept := tt.records(&e)
			for round := range 3 {
				for i := range recs {
					if got, want := string(e.Append(nil, &recs[i])), string(AppendJSON(nil, &recs[i])); got != want {
						t.Fatalf("round %d, record %d: Append =\n%s\nwant\n%s", round, i, got, want)
					}
				}
			}
			got := kept()
			if !(got[0] == a && got[1] == b || got[0] == b && got[1] == a) {
				t.Errorf("%q and %q not kept both: the two slots hold %q", a, b, got)
			}
		})
	}
}

// TestJSONEncoderWritesOnlyWhatItAppends: Append writes no byte of b's
// spare room beyond the record it appends, as append would not, whatever
// the record's shape.
func TestJSONEncoderWritesOnlyWhatItAppends(t *testing.T) {
	var e JSONEncoder
	keys := []string{"a", "to", "from", "amount", "from_balance", "0123456789abcdefghij"}
	for round := range 3 {
		for n := 1; n <= len(keys); n++ {
			r := Record{Level: slog.LevelDebug, Kind: KindLog, Msg: "m", Attrs: make([]Attr, n)}
			for i := range n {
				r.Attrs[i] = Attr{Key: keys[(i+round)%len(keys)], Value: "1"}
			}
			buf := make([]byte, 4096)
			for i := range buf {
				buf[i] = 0xee
			}
			got := e.Append(buf[:1], &r)
			if want := AppendJSON(buf[:1:1], &r); string(got) != string(want) {
				t.Fatalf("round %d, %d keys: Append =\n%s\nwant\n%s", round, n, got, want)
			}
			for i := len(got); i < len(buf); i++ {
				if buf[i] != 0xee {
					t.Fatalf("round %d, %d keys: byte %d beyond the %d appended was written: %q", round, n, i, len(got), buf[len(got):i+1])
				}
			}
		}
	}
}

// TestShortPiece: a piece of four to sixteen bytes is appended as it is,
// and a shorter or longer one is not kept.
func TestShortPiece(t *testing.T) {
	for n := range 20 {
		piece := []byte("0123456789abcdefghij"[:n])
		p := newShortPiece(piece)
		if keep := n >= 4 && n <= 16; (p.n != 0) != keep {
			t.Errorf("piece of %d bytes kept: %v, want %v", n, p.n != 0, keep)
			continue
		}
		if p.n == 0 {
			continue
		}
		b := make([]byte, 3, 64)
		copy(b, "xyz")
		if got := p.append(b); string(got) != "xyz"+string(piece) {
			t.Errorf("piece of %d bytes appended as %q", n, got)
		}
	}
}

// FuzzJSONEncoder: for any records in turn, an encoder writes what
// AppendJSON writes.
func FuzzJSONEncoder(f *testing.F) {
	f.Add(int64(1234), uint64(48), -8, "Timer", "Timer", "task", uint64(12), "bank/client-2", "k", "v", 2, "Log")
	f.Add(int64(-1), uint64(0), 8, "Log", "", "", uint64(0), "\xff", "", "", 0, "\"")
	f.Fuzz(func(t *testing.T, at int64, seq uint64, level int, kind, op, obj string, id uint64, name, key, value string, n int, kind2 string) {
		var e JSONEncoder
		r := Record{At: time.Duration(at), Seq: seq, RNG: seq / 3, Level: slog.Level(level), Kind: kind, Op: op, Obj: obj,
			ID: id, Name: name, Cause: id / 2, Task: id % 5, TaskName: name, Msg: value, Attrs: []Attr{{key, value}}}
		for i := range 1 + n%4 {
			if i == 2 {
				r.Kind, r.Obj = kind2, op
			}
			if got, want := string(e.Append(nil, &r)), string(AppendJSON(nil, &r)); got != want {
				t.Fatalf("record %d: Append =\n%s\nwant\n%s", i, got, want)
			}
		}
	})
}

// BenchmarkJSONEncoder encodes the records of a bank seed's trace: events
// and Debug log records of five attributes, as a traced seed does.
func BenchmarkJSONEncoder(b *testing.B) {
	recs := []Record{
		{At: 36276553, Seq: 98, RNG: 255, Level: LevelTrace, Kind: "Timer", Op: "Timer", Obj: "task", ID: 15, Name: "bank/conn", Cause: 96, Task: 15},
		{At: 36276553, Seq: 98, RNG: 255, Level: slog.LevelDebug, Kind: KindLog, Task: 15, TaskName: "bank/conn", Msg: "transfer read",
			Attrs: []Attr{{"amount", "29"}, {"from", "1"}, {"from_balance", "149"}, {"to", "2"}, {"to_balance", "94"}}},
		{At: 36276553, Seq: 98, RNG: 255, Level: slog.LevelDebug, Kind: KindLog, Task: 15, TaskName: "bank/conn", Msg: "transfer written",
			Attrs: []Attr{{"from", "1"}, {"from_balance", "120"}, {"to", "2"}, {"to_balance", "123"}}},
		{At: 36276553, Seq: 104, RNG: 256, Level: LevelTrace, Kind: "Network", Op: "ProcessSendBuffer", Obj: "conn", ID: 5,
			Detail: "bytes=21 10.0.1.1:7000->10.0.0.4:38077", Cause: 98, Task: 15},
		{At: 36680092, Seq: 107, RNG: 261, Level: LevelTrace, Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: 3,
			Detail: "bytes=21 10.0.1.1:7000->10.0.0.3:40081", Cause: 106},
	}
	var e JSONEncoder
	buf := make([]byte, 0, 64<<10)
	for b.Loop() {
		buf = buf[:0]
		for i := range recs {
			recs[i].At += time.Duration(1 + i/3) // two times a round, as steps share theirs
			buf = append(e.Append(buf, &recs[i]), '\n')
		}
	}
}
