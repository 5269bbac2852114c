package trace

import (
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/golden"
)

func TestAppendText(t *testing.T) {
	tests := []struct {
		name   string
		rec    Record
		design string // the line as the trace format documents it, when it does
	}{
		{"timer", Record{At: 1234 * time.Millisecond, Seq: 48, RNG: 1203, Level: LevelTrace, Kind: "Timer", Op: "Timer",
			Obj: "task", ID: 12, Name: "bank/client-2", Cause: 30, Task: 7, TaskName: "bank/main"},
			`t=1.234000s seq=48 rng=1203 Timer{task=12 "bank/client-2"} cause=30`},
		{"delivery", Record{At: 1234 * time.Millisecond, Seq: 47, RNG: 1203, Level: LevelTrace, Kind: "Network",
			Op: "DataDelivery", Obj: "conn", ID: 3, Detail: "bytes=64 10.0.0.1:40001->10.0.1.1:7000", Cause: 41},
			`t=1.234000s seq=47 rng=1203 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=41`},
		{"partition restore", Record{At: 2500 * time.Millisecond, Seq: 49, RNG: 1211, Level: LevelTrace,
			Kind: "Connection", Op: "PartitionRestore", Obj: "id", ID: 5, Detail: "10.0.1.1<->10.0.1.2", Cause: 12, Infra: true},
			`t=2.500000s seq=49 rng=1211 Connection{id=5 PartitionRestore 10.0.1.1<->10.0.1.2} cause=12 infra`},
		{"log", Record{At: 1234 * time.Millisecond, Seq: 48, RNG: 1203, Level: slog.LevelInfo, Kind: KindLog, Task: 12,
			TaskName: "bank/client-2", Msg: "transfer done", Attrs: []Attr{{"amount", "5"}}},
			`t=1.234000s seq=48 rng=1203 INFO [bank/client-2#12] transfer done amount=5`},
		{"log quoted attrs", Record{At: time.Second, Level: slog.LevelWarn, Kind: KindLog, Msg: "odd values",
			Attrs: []Attr{{"empty", ""}, {"space", "a b"}, {"eq", "a=b"}, {"nl", "a\nb"}, {"utf8", "é"}}}, ""},
		{"log of the world", Record{At: 5 * time.Millisecond, Seq: 0, Level: slog.LevelDebug + 2, Kind: KindLog,
			Msg: "setup done"}, ""},
		{"failure", Record{At: 30 * time.Second, Seq: 312, RNG: 9000, Level: slog.LevelError, Kind: KindLog, Task: 4,
			TaskName: "bank/checker", Msg: "failure: invariant conservation violated", Attrs: []Attr{{"total", "99"}}}, ""},
		{"fault", Record{At: 3 * time.Second, Seq: 60, RNG: 1300, Level: slog.LevelWarn, Kind: KindFault, Op: "BitFlip",
			Obj: "conn", ID: 3, Detail: "bits=2 offset=17"}, ""},
		{"fault reboot", Record{At: 4 * time.Second, Seq: 61, RNG: 1301, Level: slog.LevelWarn, Kind: KindFault,
			Op: "Crash", Obj: "proc", ID: 2, Name: "bank/server-2"}, ""},
		{"start", Record{Level: slog.LevelInfo, Kind: KindStart, Attrs: []Attr{{"seed", "0x2a"}, {"sim", "bank"}}}, ""},
		{"end", Record{At: 31 * time.Second, Seq: 400, RNG: 9100, Level: slog.LevelInfo, Kind: KindEnd,
			Attrs: []Attr{{"unseed", "0x7f3a"}}}, ""},
		{"shutdown", Record{At: 31 * time.Second, Seq: 399, RNG: 9099, Level: LevelTrace, Kind: "Shutdown",
			Op: "Shutdown", Cause: 398}, ""},
		{"storage", Record{At: 1500 * time.Microsecond, Seq: 7, RNG: 20, Level: LevelTrace, Kind: "Storage",
			Op: "WriteComplete", Obj: "file", ID: 4, Name: "/data/wal", Detail: "bytes=512 off=4096", Cause: 6}, ""},
		{"sub-microsecond time", Record{At: 1999, Seq: 1, Level: LevelTrace, Kind: "Timer", Op: "Timer", Obj: "task", ID: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendText(nil, &tt.rec)
			if tt.design != "" && string(got) != tt.design {
				t.Errorf("not the documented line:\n got %s\nwant %s", got, tt.design)
			}
			file := strings.ReplaceAll(tt.name, " ", "-") + ".golden"
			golden.Check(t, filepath.Join("testdata", "text", file), append(got, '\n'))
		})
	}
}

func TestAppendSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0.000000s"},
		{time.Microsecond, "0.000001s"},
		{999, "0.000000s"}, // truncated, not rounded
		{1234 * time.Millisecond, "1.234000s"},
		{90 * time.Minute, "5400.000000s"},
		{-1500 * time.Millisecond, "-1.500000s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := string(AppendSeconds(nil, tt.d)); got != tt.want {
				t.Errorf("AppendSeconds(%d) = %s, want %s", tt.d, got, tt.want)
			}
		})
	}
}

func TestLevelString(t *testing.T) {
	tests := []struct {
		l    slog.Level
		want string
	}{
		{LevelTrace, "TRACE"}, {LevelTrace + 1, "TRACE+1"}, {LevelTrace - 1, "DEBUG-5"}, {slog.LevelDebug, "DEBUG"},
		{slog.LevelInfo, "INFO"}, {slog.LevelWarn + 1, "WARN+1"}, {slog.LevelError, "ERROR"}, {slog.LevelError + 2, "ERROR+2"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := LevelString(tt.l); got != tt.want {
				t.Errorf("LevelString(%d) = %s, want %s", tt.l, got, tt.want)
			}
			if back, ok := parseLevelString([]byte(tt.want)); !ok || back != tt.l {
				t.Errorf("parseLevelString(%s) = %d, %v", tt.want, back, ok)
			}
		})
	}
}

// TestPrintable8: a word is printable when each of its bytes is, as
// appendQuote checks a byte alone.
func TestPrintable8(t *testing.T) {
	for c := range 256 {
		for at := range 8 {
			w := []byte("abcdefgh")
			w[at] = byte(c)
			want := c >= ' ' && c <= '~' && c != '"' && c != '\\'
			if got := printable8(le64(string(w))); got != want {
				t.Errorf("printable8(%q) = %v, want %v", w, got, want)
			}
		}
	}
}

// FuzzAppendQuote: the text trace's quoting of names and values is
// strconv.AppendQuote's, byte for byte, with or without its shortcut for
// printable ASCII.
func FuzzAppendQuote(f *testing.F) {
	for _, s := range []string{"", "bank/client-2", `say "hi"`, `back\slash`, "tab\there", "é", "\x7f", "\xff",
		"client-12/run\x7f", "12345678\x1f", "bank/conn~!", "abcdefg\x80", `abcdefgh"`, `abcdefgh\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendQuote([]byte("x"), s), strconv.AppendQuote([]byte("x"), s); string(got) != string(want) {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestAppendSecondsEveryFraction: the six decimals, written as one word,
// are those the digit-at-a-time formatting wrote, for every fraction of
// a second in microseconds.
func TestAppendSecondsEveryFraction(t *testing.T) {
	b := make([]byte, 0, 32)
	for us := range time.Duration(1e6) {
		d := 7*time.Second + us*time.Microsecond + 999
		if got, want := AppendSeconds(b[:0], d), referenceSeconds(nil, d); string(got) != string(want) {
			t.Fatalf("AppendSeconds(%d) = %s, want %s", d, got, want)
		}
	}
}
