package html

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// small is a four-record trace: a timer on client-2 sends on conn 3, the
// delivery wakes the checker, which fails. Its message holds "</script>".
func small(t testing.TB) string {
	t.Helper()
	recs := []trace.Record{
		{Kind: trace.KindStart, Attrs: []trace.Attr{{Key: "seed", Value: "0x2a"}}},
		{At: 1e6, Seq: 1, Level: trace.LevelTrace, Kind: "Timer", Op: "Timer", Obj: "task", ID: 12, Name: "bank/client-2"},
		{At: 2e6, Seq: 2, Level: trace.LevelTrace, Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: 3, Cause: 1, Detail: "bytes=64"},
		{At: 3e6, Seq: 3, Level: trace.LevelTrace, Kind: "Timer", Op: "Timer", Obj: "task", ID: 20, Name: "bank/checker", Cause: 2},
		{At: 3e6, Seq: 3, Level: slog.LevelError, Kind: trace.KindLog, Task: 20, TaskName: "bank/checker",
			Msg: "failure: total </script><script>alert(1)</script> & <!-- x"},
	}
	var b []byte
	for i := range recs {
		b = append(trace.AppendJSON(b, &recs[i]), '\n')
	}
	return string(b)
}

func write(t testing.TB, in string, opts Options) string {
	t.Helper()
	var out bytes.Buffer
	if err := Write(strings.NewReader(in), &out, opts); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return out.String()
}

// scriptBody returns the content of the <script> element with the given id.
func scriptBody(t *testing.T, page, id string) string {
	t.Helper()
	open := `<script type="application/json" id="` + id + `">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatalf("no %s element", open)
	}
	body := page[i+len(open):]
	j := strings.Index(body, "</script>")
	if j < 0 {
		t.Fatalf("%s is not closed", id)
	}
	return body[:j]
}

func TestWriteStructure(t *testing.T) {
	page := write(t, small(t), Options{Title: "bank <seed 42>"})
	for _, want := range []string{
		"<!DOCTYPE html>", "<title>bank &lt;seed 42&gt;</title>", `<canvas id="canvas">`,
		`<input id="search"`, `<pre id="selftest" hidden>`, "</html>\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"{{", "http://", "https://", "<link", " src="} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q: placeholder left or not self-contained", bad)
		}
	}
	// Three script elements (meta, data, code), each opened and closed once.
	if n, m := strings.Count(page, "<script"), strings.Count(page, "</script>"); n != 3 || m != 3 {
		t.Errorf("page has %d <script and %d </script>, want 3 and 3", n, m)
	}
}

func TestWriteData(t *testing.T) {
	page := write(t, small(t), Options{})
	var recs [][]any
	if err := json.Unmarshal([]byte(scriptBody(t, page, "trace-data")), &recs); err != nil {
		t.Fatalf("trace-data is not JSON: %v", err)
	}
	if len(recs) != 5 {
		t.Fatalf("got %d records, want 5", len(recs))
	}
	last := recs[4][6].(string)
	if !strings.Contains(last, "failure: total </script><script>alert(1)</script> & <!-- x") {
		t.Errorf("failure text did not survive the round trip: %q", last)
	}
	var meta struct {
		Title          string
		Count          int
		Focus, Failure int
		Lanes          []string
		Order          []int
	}
	if err := json.Unmarshal([]byte(scriptBody(t, page, "trace-meta")), &meta); err != nil {
		t.Fatalf("trace-meta is not JSON: %v", err)
	}
	if meta.Count != 5 || meta.Focus != 4 || meta.Failure != 4 || meta.Title != "orrery trace" {
		t.Errorf("meta = %+v, want count 5, focus and failure 4", meta)
	}
	var names []string
	for _, id := range meta.Order {
		names = append(names, meta.Lanes[id])
	}
	if got, want := strings.Join(names, " "), "world bank conn=3"; got != want {
		t.Errorf("lanes in order: %q, want %q", got, want)
	}
}

func TestWriteEscapes(t *testing.T) {
	page := write(t, small(t), Options{Title: "</script><b>"})
	data := scriptBody(t, page, "trace-data") + scriptBody(t, page, "trace-meta")
	for _, bad := range []string{"<", ">", "&"} {
		if strings.Contains(data, bad) {
			t.Errorf("embedded JSON holds a raw %q", bad)
		}
	}
	if !strings.Contains(data, `\u003c/script\u003e`) {
		t.Errorf("embedded JSON lacks the escaped </script>")
	}
	if strings.Contains(pageJS, "</script") || strings.Contains(pageJS, "<!--") {
		t.Errorf("page.js holds </script or <!--, which would end its element")
	}
}

func TestWriteFocus(t *testing.T) {
	tests := []struct {
		focus uint64
		want  string
	}{
		{0, `"focus":4`}, // the failure record
		{2, `"focus":2`}, // the event of seq 2
		{3, `"focus":3`}, // the event, not the log, of seq 3
	}
	for _, tt := range tests {
		page := write(t, small(t), Options{Focus: tt.focus})
		if !strings.Contains(page, tt.want) {
			t.Errorf("Focus %d: page lacks %s", tt.focus, tt.want)
		}
	}
	err := Write(strings.NewReader(small(t)), &bytes.Buffer{}, Options{Focus: 99})
	if !errors.Is(err, trace.ErrNoSuchSeq) {
		t.Errorf("Focus 99: got %v, want ErrNoSuchSeq", err)
	}
}

func TestWriteBadInput(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", trace.ErrEmpty},
		{"blank lines", "\n\n", trace.ErrEmpty},
		{"not a trace", "<html>hello</html>\n", trace.ErrNotTrace},
		{"truncated", small(t)[:40], trace.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Write(strings.NewReader(tt.in), &out, Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %d bytes on error", out.Len())
			}
		})
	}
}

func TestWriteLarge(t *testing.T) {
	var in bytes.Buffer
	if err := genTrace(&in, 100_000); err != nil {
		t.Fatal(err)
	}
	size := in.Len()
	start := time.Now()
	var out bytes.Buffer
	if err := Write(&in, &out, Options{}); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("100,000 records: %d bytes in, %d bytes of page, in %v", size, out.Len(), took)
	if took > 3*time.Second && !raceEnabled {
		t.Errorf("Write took %v, want under 3s", took)
	}
	if n := strings.Count(out.String(), "],\n["); n != 100_000-1 {
		t.Errorf("page holds %d records, want 100000", n+1)
	}
}

func TestNaturalCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int // sign
	}{
		{"client-2", "client-10", -1},
		{"client-10", "client-2", 1},
		{"a", "a", 0},
		{"a", "ab", -1},
		{"node-02", "node-2", 0},
		{"bank/x", "kv/x", -1},
	}
	for _, tt := range tests {
		got := naturalCompare(tt.a, tt.b)
		if sign(got) != tt.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func BenchmarkWrite(b *testing.B) {
	var in bytes.Buffer
	if err := genTrace(&in, 100_000); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(in.Len()))
	for b.Loop() {
		if err := Write(bytes.NewReader(in.Bytes()), &bytes.Buffer{}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
