package trace

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// records covers every field of Record and the strings that need escaping.
var records = []struct {
	name string
	rec  Record
}{
	{"timer", Record{At: 1234 * time.Millisecond, Seq: 48, RNG: 1203, Level: LevelTrace, Kind: "Timer", Op: "Timer",
		Obj: "task", ID: 12, Name: "bank/client-2", Cause: 30, Task: 7, TaskName: "bank/main"}},
	{"delivery", Record{At: 1234 * time.Millisecond, Seq: 47, RNG: 1203, Level: LevelTrace, Kind: "Network",
		Op: "DataDelivery", Obj: "conn", ID: 3, Detail: "bytes=64 10.0.0.1:40001->10.0.1.1:7000", Cause: 41}},
	{"infra", Record{At: 2500 * time.Millisecond, Seq: 49, RNG: 1211, Level: LevelTrace, Kind: "Connection",
		Op: "PartitionRestore", Obj: "id", ID: 5, Detail: "10.0.1.1<->10.0.1.2", Cause: 12, Infra: true}},
	{"id zero", Record{Level: LevelTrace, Kind: "Shutdown", Op: "Shutdown", Obj: "task", Seq: 9}},
	{"log", Record{At: time.Second, Seq: 48, RNG: 1203, Level: slog.LevelInfo, Kind: KindLog, Task: 12,
		TaskName: "bank/client-2", Msg: "transfer done", Attrs: []Attr{{"amount", "5"}, {"to", "acct 7"}}}},
	{"fault", Record{At: 3 * time.Second, Seq: 60, RNG: 1300, Level: slog.LevelWarn, Kind: KindFault, Op: "BitFlip",
		Obj: "conn", ID: 3, Detail: "bits=2 offset=17"}},
	{"start", Record{Level: slog.LevelInfo, Kind: KindStart, Attrs: []Attr{{"seed", "0x2a"}, {"sim", "bank"}}}},
	{"quotes and backslashes", Record{Kind: KindLog, Msg: `say "hi" \ \\ \n`, Name: `"quoted"`,
		Attrs: []Attr{{`k"ey`, `va\lue`}}}},
	{"newlines and tabs", Record{Kind: KindLog, Msg: "line one\nline two\r\n\ttabbed", Detail: "a\nb"}},
	{"control characters", Record{Kind: KindLog, Msg: "nul\x00 bell\x07 esc\x1b us\x1f del\x7f", TaskName: "\x01"}},
	{"invalid UTF-8", Record{Kind: KindLog, Msg: "bad \xff\xfe end", Name: "\xc3", Attrs: []Attr{{"k\x80", "\xed\xa0\x80"}}}},
	{"unicode", Record{Kind: KindLog, Msg: "héllo 世界 😀 \u2028\u2029 \ufffd", Detail: "\u00e9"}},
	{"extremes", Record{At: math.MinInt64, Seq: math.MaxUint64, RNG: math.MaxUint64, Level: math.MinInt,
		Kind: "Timer", ID: math.MaxUint64, Cause: math.MaxUint64, Task: math.MaxUint64}},
	{"max time and level", Record{At: math.MaxInt64, Level: math.MaxInt, Kind: "X"}},
	{"levels between", Record{Level: LevelTrace + 2, Kind: KindLog, Attrs: []Attr{{"", ""}}}},
	{"level below trace", Record{Level: LevelTrace - 3, Kind: KindLog}},
	{"level above error", Record{Level: slog.LevelError + 4, Kind: KindLog}},
	{"empty kind", Record{}},
	{"many attrs", Record{Kind: KindLog, Attrs: []Attr{{"a", "1"}, {"a", "2"}, {"b", "="}, {"c", ""}}}},
}

// normalize is what a record becomes through AppendJSON: invalid UTF-8 bytes
// turn into U+FFFD, and no attributes is nil.
func normalize(r Record) Record {
	for _, s := range []*string{&r.Kind, &r.Op, &r.Obj, &r.Name, &r.Detail, &r.TaskName, &r.Msg} {
		*s = fixUTF8(*s)
	}
	attrs := r.Attrs
	r.Attrs = nil
	for _, a := range attrs {
		r.Attrs = append(r.Attrs, Attr{fixUTF8(a.Key), fixUTF8(a.Value)})
	}
	return r
}

// fixUTF8 replaces each byte of invalid UTF-8 with U+FFFD, as AppendJSON
// does (strings.ToValidUTF8 would merge runs of them).
func fixUTF8(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // ranging yields U+FFFD for each bad byte
	}
	return b.String()
}

func decodeOne(t testing.TB, line []byte) Record {
	t.Helper()
	r, err := NewReader(bytes.NewReader(line)).Next()
	if err != nil {
		t.Fatalf("decode %q: %v", line, err)
	}
	return r
}

func TestReaderRoundTrip(t *testing.T) {
	for _, tt := range records {
		t.Run(tt.name, func(t *testing.T) {
			line := AppendJSON(nil, &tt.rec)
			got := decodeOne(t, append(line, '\n'))
			if want := normalize(tt.rec); !reflect.DeepEqual(got, want) {
				t.Errorf("decode(AppendJSON(r)):\n got %#v\nwant %#v\nline %s", got, want, line)
			}
			if !utf8.Valid(line) {
				t.Errorf("AppendJSON wrote invalid UTF-8: %q", line)
			}
			if again := decodeOne(t, AppendJSON(nil, &got)); !reflect.DeepEqual(again, got) {
				t.Errorf("a second round trip changes the record: %#v", again)
			}
		})
	}
}

// TestReaderStream reads all the table's records from one stream, the way a
// trace file holds them, and checks the line numbers.
func TestReaderStream(t *testing.T) {
	var buf []byte
	for _, tt := range records {
		buf = append(AppendJSON(buf, &tt.rec), '\n')
	}
	rd := NewReader(bytes.NewReader(buf))
	for i, tt := range records {
		got, err := rd.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, normalize(tt.rec)) || rd.Line() != i+1 {
			t.Errorf("record %d (line %d): got %#v", i, rd.Line(), got)
		}
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Errorf("after the last record: got %v, want io.EOF", err)
	}
}

// TestReaderLenient checks inputs that AppendJSON does not write but other
// tools may: reordered and unknown fields, spaces, escapes.
func TestReaderLenient(t *testing.T) {
	tests := []struct {
		name, in string
		want     Record
	}{
		{"reordered", `{"kind":"Timer","seq":2,"t":5}`, Record{Kind: "Timer", Seq: 2, At: 5}},
		{"unknown fields", `{"t":1,"x":{"a":[1,2.5e3,{"b":"}"}],"c":null},"seq":1,"y":true,"kind":"K","z":-0.5}`,
			Record{At: 1, Seq: 1, Kind: "K"}},
		{"spaces and CRLF", " { \"t\" : 1 ,\t\"seq\" : 2 , \"kind\" : \"K\" } \r\n", Record{At: 1, Seq: 2, Kind: "K"}},
		{"escapes", `{"t":0,"seq":0,"kind":"a\/b\u00e9\ud83d\ude00\b\f"}`, Record{Kind: "a/bé😀\b\f"}},
		{"lone surrogates", `{"t":0,"seq":0,"kind":"\ud800x\udc00\ud800\u0041"}`, Record{Kind: "\ufffdx\ufffd\ufffdA"}},
		{"level offsets", `{"t":0,"seq":0,"kind":"","level":"INFO+2"}`, Record{Level: 2}},
		{"later key wins", `{"t":1,"t":2,"seq":0,"kind":"K"}`, Record{At: 2, Kind: "K"}},
		{"empty attrs", `{"t":0,"seq":0,"kind":"K","attrs":{}}`, Record{Kind: "K"}},
		{"negative zero", `{"t":-0,"seq":0,"kind":"K"}`, Record{Kind: "K"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeOne(t, []byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestReaderErrors(t *testing.T) {
	good := `{"t":1,"seq":1,"kind":"Timer"}` + "\n"
	tests := []struct {
		name, in string
		want     error
		line     int    // of the error; 0 for none
		good     int    // records read before it
		msg      string // in the error message
	}{
		{"empty", "", ErrEmpty, 0, 0, "empty trace"},
		{"blank lines", "\n \n\t\n", ErrEmpty, 0, 0, "empty trace"},
		{"truncated", good + `{"t":1,"seq":2,"rng":3,"level":"TRACE","kind":"Ti`, ErrTruncated, 2, 1, "trace line 2: truncated record"},
		{"truncated first", `{"t":12`, ErrTruncated, 1, 0, "ends inside it"},
		{"truncated escape", good + `{"t":1,"seq":1,"kind":"\u00`, ErrTruncated, 2, 1, "truncated"},
		{"no closing brace", good + `{"t":1,"seq":2,"kind":"Timer"` + "\n", ErrMalformed, 2, 1, "unexpected end of line"},
		{"json without fields", `{"name":"x","value":3}` + "\n", ErrNotTrace, 1, 0, `trace line 1: not a trace: missing field "t"`},
		{"json without kind", `{"t":1,"seq":3}`, ErrNotTrace, 1, 0, `missing field "kind"`},
		{"json array", "[1,2,3]\n", ErrNotTrace, 1, 0, "want a JSON object, found '['"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00", ErrNotTrace, 1, 0, "found byte 0x89"},
		{"text trace", "t=1.234000s seq=48 rng=1203 Timer{task=12} cause=30\n", ErrNotTrace, 1, 0, "not a trace"},
		{"garbage later", good + "hello\n", ErrMalformed, 2, 1, "trace line 2: malformed record"},
		{"fields missing later", good + `{"t":1,"kind":"Timer"}` + "\n", ErrMalformed, 2, 1, `missing field "seq"`},
		{"trailing data", `{"t":1,"seq":1,"kind":"X"} x` + "\n", ErrNotTrace, 1, 0, "after the record"},
		{"fraction", `{"t":1.5,"seq":1,"kind":"X"}` + "\n", ErrNotTrace, 1, 0, "want an integer"},
		{"negative seq", `{"t":1,"seq":-1,"kind":"X"}` + "\n", ErrNotTrace, 1, 0, "want an unsigned integer"},
		{"overflow", `{"t":1,"seq":18446744073709551616,"kind":"X"}` + "\n", ErrNotTrace, 1, 0, "overflows"},
		{"time overflow", `{"t":9223372036854775808,"seq":1,"kind":"X"}` + "\n", ErrNotTrace, 1, 0, "overflows int64"},
		{"raw invalid UTF-8", "{\"t\":1,\"seq\":1,\"kind\":\"\xff\"}\n", ErrNotTrace, 1, 0, "invalid UTF-8"},
		{"raw control character", "{\"t\":1,\"seq\":1,\"kind\":\"a\tb\"}\n", ErrNotTrace, 1, 0, "control character"},
		{"bad escape", `{"t":1,"seq":1,"kind":"\x"}` + "\n", ErrNotTrace, 1, 0, `invalid escape \x`},
		{"bad level", `{"t":1,"seq":1,"kind":"X","level":"LOUD"}` + "\n", ErrNotTrace, 1, 0, `level "LOUD"`},
		{"level overflow", `{"t":1,"seq":1,"kind":"X","level":"ERROR+9223372036854775807"}` + "\n", ErrNotTrace, 1, 0, "level"},
		{"attr not a string", `{"t":1,"seq":1,"kind":"X","attrs":{"a":1}}` + "\n", ErrNotTrace, 1, 0, `field "attrs": attribute "a": byte 40: want '"'`},
		{"infra not a bool", `{"t":1,"seq":1,"kind":"X","infra":1}` + "\n", ErrNotTrace, 1, 0, "true or false"},
		{"empty unknown value", `{"t":1,"seq":1,"kind":"X","x":}` + "\n", ErrNotTrace, 1, 0, "want a value"},
		{"too long", good + `{"t":1,"seq":1,"kind":"Log","msg":"` + strings.Repeat("x", MaxLineSize) + `"}` + "\n",
			ErrLineTooLong, 2, 1, "trace line 2: line too long: over 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := NewReader(strings.NewReader(tt.in))
			n, err := 0, error(nil)
			for ; err == nil; n++ {
				_, err = rd.Next()
			}
			checkReadError(t, err, n-1, tt.want, tt.line, tt.good, tt.msg)
			if _, again := rd.Next(); again != err {
				t.Errorf("the error is not sticky: then %v", again)
			}
		})
	}
}

func checkReadError(t *testing.T, err error, good int, want error, line, wantGood int, msg string) {
	t.Helper()
	if !errors.Is(err, want) || good != wantGood || !strings.Contains(err.Error(), msg) {
		t.Errorf("after %d records: %v; want %d records then %q (%v)", good, err, wantGood, msg, want)
	}
	var le *LineError
	if errors.As(err, &le) != (line != 0) || (le != nil && le.Line != line) {
		t.Errorf("error %v: want a *LineError at line %d", err, line)
	}
}

// TestReaderMemory checks that reading does not keep what it read: a trace
// of many records allocates a bounded amount per record and holds nothing.
func TestReaderMemory(t *testing.T) {
	var buf bytes.Buffer
	if err := genTrace(&buf, 20000, 0); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		rd := NewReader(bytes.NewReader(buf.Bytes()))
		for {
			if _, err := rd.Next(); err != nil {
				break
			}
		}
	})
	if perLine := allocs / 20000; perLine > 4 {
		t.Errorf("%.1f allocations per line, want at most 4 (strings are shared)", perLine)
	}
}

func FuzzReader(f *testing.F) {
	for _, tt := range records {
		f.Add(append(AppendJSON(nil, &tt.rec), '\n'))
	}
	f.Add([]byte(`{"t":1,"x":[{"y":"\ud83d\ude00"}],"seq":1,"kind":"K","level":"DEBUG-3","attrs":{"a":"b"}}`))
	f.Add([]byte("{\"t\":1,\"seq\":2,\"kind\":\"Timer\"}\n{\"t\":1,\"se"))
	f.Add([]byte("\x89PNG\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data))
		for {
			r, err := rd.Next()
			if err != nil {
				return
			}
			// Whatever the Reader accepts, AppendJSON writes back in a
			// form that reads as the same record.
			line := AppendJSON(nil, &r)
			if got := decodeOne(t, line); !reflect.DeepEqual(got, r) {
				t.Fatalf("re-encoded record differs:\n got %#v\nwant %#v\nline %s", got, r, line)
			}
		}
	})
}

// FuzzRoundTrip builds records field by field: anything AppendJSON writes,
// the Reader returns exactly, up to invalid UTF-8 becoming U+FFFD.
func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(1234), uint64(48), uint64(1203), -8, "Timer", "Timer", "task", uint64(12), "bank/client-2",
		"", uint64(30), false, uint64(7), "bank/main", "", "k", "v")
	f.Add(int64(-1), uint64(0), uint64(0), 8, "Log", "", "", uint64(0), "", "\xff", uint64(0), true, uint64(0),
		"\"", "a\nb\x00", "\u2028", "")
	f.Fuzz(func(t *testing.T, at int64, seq, rng uint64, level int, kind, op, obj string, id uint64, name, detail string,
		cause uint64, infra bool, task uint64, taskName, msg, key, value string) {
		r := Record{At: time.Duration(at), Seq: seq, RNG: rng, Level: slog.Level(level), Kind: kind, Op: op, Obj: obj,
			ID: id, Name: name, Detail: detail, Cause: cause, Infra: infra, Task: task, TaskName: taskName, Msg: msg}
		if key != "" || value != "" {
			r.Attrs = []Attr{{key, value}, {value, key}}
		}
		line := append(AppendJSON(nil, &r), '\n')
		if got := decodeOne(t, line); !reflect.DeepEqual(got, normalize(r)) {
			t.Fatalf("round trip:\n got %#v\nwant %#v\nline %s", got, normalize(r), line)
		}
	})
}
