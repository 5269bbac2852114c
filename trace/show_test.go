package trace

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/golden"
)

func TestShow(t *testing.T) {
	tests := []struct {
		name string
		opts ShowOptions
	}{
		{"all", ShowOptions{}},
		{"around", ShowOptions{Around: 5, Before: 2, After: 2}},
		{"around with logs", ShowOptions{Around: 7, Before: 1, After: 1}},
		{"around only", ShowOptions{Around: 2}},
		{"around filtered", ShowOptions{Around: 5, Before: 1, After: 1, Kind: "Timer"}},
		{"from to seq", ShowOptions{FromSeq: 4, ToSeq: 5}},
		{"from to time", ShowOptions{FromTime: ms(30), ToTime: ms(50)}},
		{"no infra", ShowOptions{NoInfra: true, FromSeq: 5, ToSeq: 7}},
		{"kind", ShowOptions{Kind: "Network"}},
		{"op", ShowOptions{Kind: "DataDelivery"}},
		{"logs", ShowOptions{Kind: KindLog}},
		{"proc task", ShowOptions{Proc: "bank/client-2"}},
		{"proc prefix", ShowOptions{Proc: "bank"}},
		{"conn", ShowOptions{Conn: 3}},
		{"min level", ShowOptions{MinLevel: slog.LevelWarn}},
		{"min level debug", ShowOptions{MinLevel: slog.LevelDebug, Kind: KindLog}},
	}
	trace := jsonl(scenario)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Show(strings.NewReader(trace), &out, tt.opts); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "show", strings.ReplaceAll(tt.name, " ", "-")+".golden"), out.Bytes())
		})
	}
}

// TestShowStops checks that Show stops reading once nothing more can match:
// the garbage after the window is never read.
func TestShowStops(t *testing.T) {
	trace := jsonl(scenario) + "garbage\n"
	tests := []struct {
		name  string
		opts  ShowOptions
		lines int
	}{
		{"around", ShowOptions{Around: 4, After: 1}, 2},
		{"to seq", ShowOptions{ToSeq: 3}, 6},
		{"to time", ShowOptions{ToTime: 20 * time.Millisecond}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Show(strings.NewReader(trace), &out, tt.opts); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(out.String(), "\n"); n != tt.lines {
				t.Errorf("%d lines, want %d:\n%s", n, tt.lines, out.String())
			}
		})
	}
}

func TestShowErrors(t *testing.T) {
	full := jsonl(scenario)
	lines := strings.SplitAfter(full, "\n")
	cut := strings.Join(lines[:2], "") + lines[2][:30] + "\n" + strings.Join(lines[3:], "")
	tests := []struct {
		name  string
		trace string
		opts  ShowOptions
		want  error
		msg   string
		lines int // printed before the error
	}{
		{"no such seq", full, ShowOptions{Around: 99}, ErrNoSuchSeq, "show: seq=99: no such seq", 0},
		{"malformed", cut, ShowOptions{}, ErrMalformed, "show: trace line 3: malformed", 2},
		{"empty", "", ShowOptions{}, ErrEmpty, "show: empty trace", 0},
		{"write", full, ShowOptions{}, errWrite, "show: write: disk full", 0},
		{"unknown kind", full, ShowOptions{Kind: "Bogus"}, ErrNothingShown, `show: nothing to show: no record in the range has kind or op "Bogus"`, 0},
		{"seq range ends before it starts", full, ShowOptions{FromSeq: 5, ToSeq: 2}, ErrNothingShown, "show: nothing to show: the range ends before it starts", 0},
		{"time range ends before it starts", full, ShowOptions{FromTime: ms(60), ToTime: ms(20)}, ErrNothingShown, "the range ends before it starts", 0},
		{"from no such seq", full, ShowOptions{FromSeq: 99}, ErrNoSuchSeq, "show: from seq=99: no such seq", 0},
		{"range after the end", full, ShowOptions{FromTime: time.Second}, ErrNothingShown, "the range holds no record", 0},
		{"proc not a prefix of a name", full, ShowOptions{Proc: "bank/client"}, ErrNothingShown, `no record in the range is by or about "bank/client"`, 0},
		{"no such conn", full, ShowOptions{Conn: 9}, ErrNothingShown, "no record in the range is about conn=9", 0},
		{"level", full, ShowOptions{FromSeq: 2, ToSeq: 4, MinLevel: slog.LevelError}, ErrNothingShown, "no record in the range is at level ERROR or above", 0},
		{"filters together", full, ShowOptions{Kind: "Timer", MinLevel: slog.LevelError}, ErrNothingShown, "no record in the range passes every filter at once", 0},
		{"around filtered out", full, ShowOptions{Around: 5, Kind: "Bogus"}, ErrNothingShown, `has kind or op "Bogus"`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var w io.Writer = &out
			if tt.want == errWrite {
				w = failWriter{}
			}
			err := Show(strings.NewReader(tt.trace), w, tt.opts)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v, want %q (%v)", err, tt.msg, tt.want)
			}
			if n := strings.Count(out.String(), "\n"); n != tt.lines {
				t.Errorf("%d lines before the error, want %d", n, tt.lines)
			}
		})
	}
}

var errWrite = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }
