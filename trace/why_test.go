package trace

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/golden"
)

// scenario is a small failing run: client-2 sends on conn 3, the delivery
// wakes the checker, which finds the invariant broken. Client-3's timer and a
// partition ending happen meanwhile.
var scenario = []Record{
	{Kind: KindStart, Level: slog.LevelInfo, Attrs: []Attr{{"seed", "0x2a"}, {"sim", "bank"}}},
	ev(10, 1, 1, "Connection", "ConnectionReady", "conn", 3, "", "10.0.0.1:40001->10.0.1.1:7000", 0),
	ev(20, 2, 2, "Timer", "Timer", "task", 12, "bank/client-2", "", 0),
	{At: ms(20), Seq: 2, RNG: 2, Kind: KindLog, Level: slog.LevelInfo, Task: 12, TaskName: "bank/client-2",
		Msg: "sending", Attrs: []Attr{{"amount", "5"}}},
	ev(30, 4, 3, "Network", "ProcessSendBuffer", "conn", 3, "", "", 2),
	ev(40, 3, 5, "Timer", "Timer", "task", 13, "bank/client-3", "", 0),
	ev(50, 5, 6, "Network", "DataDelivery", "conn", 3, "", "bytes=64 10.0.0.1:40001->10.0.1.1:7000", 4),
	{At: ms(60), Seq: 6, RNG: 6, Level: LevelTrace, Kind: "Connection", Op: "PartitionRestore", Obj: "id", ID: 5,
		Detail: "10.0.1.1<->10.0.1.2", Infra: true},
	ev(70, 7, 7, "Timer", "Timer", "task", 20, "bank/checker", "", 5),
	{At: ms(70), Seq: 7, RNG: 7, Kind: KindLog, Level: slog.LevelWarn, Task: 20, TaskName: "bank/checker",
		Msg: "balance low"},
	{At: ms(70), Seq: 7, RNG: 7, Kind: KindLog, Level: slog.LevelError, Task: 20, TaskName: "bank/checker",
		Msg: "failure: invariant conservation violated", Attrs: []Attr{{"total", "99"}}},
	ev(80, 8, 8, "Shutdown", "Shutdown", "", 0, "", "", 7),
	{At: ms(80), Seq: 8, RNG: 8, Kind: KindLog, Level: slog.LevelError, Task: 12, TaskName: "bank/client-2",
		Msg: "connection reset"},
	{At: ms(80), Seq: 8, RNG: 9, Kind: KindEnd, Level: slog.LevelInfo, Attrs: []Attr{{"unseed", "0x7f"}}},
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// ev makes an event record at n milliseconds.
func ev(n int, seq, rng uint64, kind, op, obj string, id uint64, name, detail string, cause uint64) Record {
	return Record{At: ms(n), Seq: seq, RNG: rng, Level: LevelTrace, Kind: kind, Op: op, Obj: obj, ID: id,
		Name: name, Detail: detail, Cause: cause}
}

// jsonl encodes records as a trace file.
func jsonl(recs []Record) string {
	var b []byte
	for i := range recs {
		b = append(AppendJSON(b, &recs[i]), '\n')
	}
	return string(b)
}

// without returns recs without the records of the given seqs.
func without(recs []Record, seqs ...uint64) []Record {
	return slices.DeleteFunc(slices.Clone(recs), func(r Record) bool {
		return r.IsEvent() && slices.Contains(seqs, r.Seq)
	})
}

func seqsOf(recs []Record) []uint64 {
	var s []uint64
	for _, r := range recs {
		s = append(s, r.Seq)
	}
	return s
}

func TestWhy(t *testing.T) {
	tests := []struct {
		name    string
		trace   []Record
		seq     uint64
		opts    WhyOptions
		links   []uint64
		broken  uint64
		conns   []uint64
		recent  []uint64
		onChain []uint64
	}{
		{"failure", scenario, 0, WhyOptions{}, []uint64{7, 5, 4, 2}, 0, []uint64{3}, []uint64{1, 2, 4, 3, 5, 6}, []uint64{2, 4, 5}},
		{"delivery", scenario, 5, WhyOptions{Recent: 2}, []uint64{5, 4, 2}, 0, []uint64{3}, []uint64{4, 3}, []uint64{4}},
		{"setup event", scenario, 3, WhyOptions{Recent: -1}, []uint64{3}, 0, nil, nil, nil},
		{"ready on the chain", scenario, 1, WhyOptions{}, []uint64{1}, 0, []uint64{3}, nil, nil},
		{"broken chain", without(scenario, 2), 5, WhyOptions{}, []uint64{5, 4}, 2, []uint64{3}, []uint64{1, 4, 3}, []uint64{4}},
		{"never established", without(scenario, 1), 5, WhyOptions{}, []uint64{5, 4, 2}, 0, []uint64{3}, []uint64{2, 4, 3}, []uint64{2, 4}},
		{"capped", scenario, 0, WhyOptions{Max: 2}, []uint64{7, 5}, 0, []uint64{3}, []uint64{1, 2, 4, 3, 5, 6}, []uint64{2, 4, 5}},
		{"uncapped", scenario, 0, WhyOptions{Max: -1}, []uint64{7, 5, 4, 2}, 0, []uint64{3}, []uint64{1, 2, 4, 3, 5, 6}, []uint64{2, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := tt.opts.Why(strings.NewReader(jsonl(tt.trace)), tt.seq)
			if err != nil {
				t.Fatal(err)
			}
			var conns, recent, onChain []uint64
			for _, c := range ch.Conns {
				conns = append(conns, c.ID)
				if c.Ready != nil && (c.Ready.Op != "ConnectionReady" || c.Ready.ID != c.ID) {
					t.Errorf("conn %d: established by %+v", c.ID, c.Ready)
				}
			}
			for _, r := range ch.Recent {
				recent = append(recent, r.Record.Seq)
				if r.OnChain {
					onChain = append(onChain, r.Record.Seq)
				}
			}
			got := [][]uint64{seqsOf(ch.Links), {ch.Broken}, conns, recent, onChain}
			want := [][]uint64{tt.links, {tt.broken}, tt.conns, tt.recent, tt.onChain}
			for i, name := range []string{"links", "broken", "conns", "recent", "on chain"} {
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("%s: got %v, want %v", name, got[i], want[i])
				}
			}
		})
	}
}

func TestWhyFormat(t *testing.T) {
	tests := []struct {
		name  string
		trace []Record
		seq   uint64
	}{
		{"failure", scenario, 0},
		{"broken", without(scenario, 2, 1), 7},
		{"capped", scenario, 0},
		{"capped-broken", without(scenario, 2, 1), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := WhyOptions{}
			if strings.HasPrefix(tt.name, "capped") {
				opts.Max = 1
			}
			ch, err := opts.Why(strings.NewReader(jsonl(tt.trace)), tt.seq)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := ch.Format(&out); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "why", tt.name+".golden"), out.Bytes())
		})
	}
}

// TestWhyFailurePick checks which record Why takes for the failure.
func TestWhyFailurePick(t *testing.T) {
	plainError := slices.Clone(scenario)
	plainError[10].Msg = "oops" // the "failure:" record: now the last error wins
	tests := []struct {
		name  string
		trace []Record
		want  uint64
		msg   string
	}{
		{"failure prefix wins over a later error", scenario, 7, "failure: invariant conservation violated"},
		{"else the last error", plainError, 8, "connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := Why(strings.NewReader(jsonl(tt.trace)), 0)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Seq != tt.want || ch.Failure == nil || ch.Failure.Msg != tt.msg {
				t.Errorf("explained seq=%d, failure %+v; want seq=%d, %q", ch.Seq, ch.Failure, tt.want, tt.msg)
			}
		})
	}
}

func TestWhyErrors(t *testing.T) {
	setupFailure := slices.Clone(scenario)
	setupFailure[10].Seq = 0
	noErrors := slices.DeleteFunc(slices.Clone(scenario), func(r Record) bool { return r.Level >= slog.LevelError })
	badCause := slices.Clone(scenario)
	badCause[4].Cause = 9
	full := jsonl(scenario)
	tests := []struct {
		name  string
		trace string
		seq   uint64
		want  error
		msg   string
	}{
		{"no such seq", jsonl(scenario), 99, ErrNoSuchSeq, "why seq=99: no such seq in the trace"},
		{"log seq is not an event", jsonl(without(scenario, 2)), 2, ErrNoSuchSeq, "why seq=2"},
		{"no failure", jsonl(noErrors), 0, ErrNoFailure, "why: no failure in the trace"},
		{"failure during setup", jsonl(setupFailure), 0, ErrNoSuchSeq, "line 11 names seq=0"},
		{"cause after the event", jsonl(badCause), 7, ErrMalformed, "event seq=4 has cause=9"},
		{"empty", "", 1, ErrEmpty, "why: empty trace"},
		{"truncated", full[:strings.IndexByte(full, '\n')+50], 0, ErrTruncated, "why: trace line 2: truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Why(strings.NewReader(tt.trace), tt.seq)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want %q (%v)", err, tt.msg, tt.want)
			}
		})
	}
}

// TestWhyUnseekable checks that a pipe gives the same answer as a file, and
// that Why starts where a file is positioned.
func TestWhyUnseekable(t *testing.T) {
	want, err := Why(strings.NewReader(jsonl(scenario)), 0)
	if err != nil {
		t.Fatal(err)
	}
	pipe := io.MultiReader(strings.NewReader(jsonl(scenario)))
	got, err := Why(pipe, 0)
	if err != nil {
		t.Fatal(err)
	}
	positioned := strings.NewReader("garbage\n" + jsonl(scenario))
	positioned.Seek(int64(len("garbage\n")), io.SeekStart)
	got2, err := Why(positioned, 0)
	if err != nil {
		t.Fatal(err)
	}
	var a, b, c bytes.Buffer
	want.Format(&a)
	got.Format(&b)
	got2.Format(&c)
	if a.String() != b.String() || a.String() != c.String() {
		t.Errorf("file:\n%s\npipe:\n%s\npositioned:\n%s", a.String(), b.String(), c.String())
	}
}

// TestWhyCapsLongChains checks the default cap on a chain longer than it:
// the newest DefaultMaxLinks links, and the count of those left out.
func TestWhyCapsLongChains(t *testing.T) {
	const n = DefaultMaxLinks + 50
	recs := []Record{{Kind: KindStart, Level: slog.LevelInfo}}
	for i := uint64(1); i <= n; i++ {
		recs = append(recs, ev(int(i), i, i, "Timer", "Timer", "task", 1, "t", "", i-1))
	}
	ch, err := Why(strings.NewReader(jsonl(recs)), n)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Links) != DefaultMaxLinks || ch.Omitted != 50 || ch.Links[0].Seq != n || ch.Links[DefaultMaxLinks-1].Seq != 51 {
		t.Fatalf("%d links from seq %d, %d omitted; want %d from seq %d, 50 omitted", len(ch.Links), ch.Links[0].Seq,
			ch.Omitted, DefaultMaxLinks, n)
	}
	var out bytes.Buffer
	if err := ch.Format(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"why seq=250: 250 events on the chain", "  ... 50 older events of the chain left out, back to the first, scheduled during setup"} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("format lacks %q:\n%s", want, out.String())
		}
	}
}

// TestWhyOfTheFailingSeq: a why of the seq that a failure names, as a
// failing seed prints it, shows the failure as a why of the failure does;
// a why of another event shows none, not even a later failure.
func TestWhyOfTheFailingSeq(t *testing.T) {
	for _, tc := range []struct {
		seq  uint64
		want string
	}{
		{7, "failure: invariant conservation violated"},
		{5, ""},
		{8, ""}, // an error at seq 8, not a failure
	} {
		ch, err := Why(strings.NewReader(jsonl(scenario)), tc.seq)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if ch.Failure != nil {
			got = ch.Failure.Msg
		}
		if got != tc.want {
			t.Errorf("why seq=%d: failure %q, want %q", tc.seq, got, tc.want)
		}
	}
}

// TestWhyCountsOneEvent: the header of a chain of one event says so in the
// singular.
func TestWhyCountsOneEvent(t *testing.T) {
	ch, err := Why(strings.NewReader(jsonl(scenario)), 3)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := ch.Format(&out); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(out.String(), "\n"); first != "why seq=3: 1 event on the chain" {
		t.Errorf("header %q", first)
	}
}
