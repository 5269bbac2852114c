package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWantColor(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	tests := []struct {
		mode    string
		noColor string
		out     io.Writer
		want    bool
	}{
		{mode: "always", out: &bytes.Buffer{}, want: true},
		{mode: "always", noColor: "1", out: file, want: true}, // the flag wins over the environment
		{mode: "never", out: &bytes.Buffer{}, want: false},
		{mode: "auto", out: &bytes.Buffer{}, want: false},
		{mode: "auto", out: file, want: false}, // a file is not a terminal
		{mode: "auto", noColor: "1", out: file, want: false},
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k == "NO_COLOR" {
				return tt.noColor
			}
			return ""
		}
		if got := wantColor(tt.mode, tt.out, getenv); got != tt.want {
			t.Errorf("wantColor(%q, %T, NO_COLOR=%q) = %v, want %v", tt.mode, tt.out, tt.noColor, got, tt.want)
		}
	}
}

// TestColorFlag checks that the output to a buffer has no colour unless
// --color=always asks for it.
func TestColorFlag(t *testing.T) {
	for _, tt := range []struct {
		flag string
		want bool
	}{{"", false}, {"--color=auto", false}, {"--color=never", false}, {"--color=always", true}} {
		args := strings.Fields("trace show testdata/run.jsonl " + tt.flag)
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("orrery %s: exit code %d: %s", args, code, stderr.String())
		}
		if got := bytes.Contains(stdout.Bytes(), []byte("\x1b[")); got != tt.want {
			t.Errorf("orrery %s: colour %v, want %v", args, got, tt.want)
		}
	}
}

func TestColorLine(t *testing.T) {
	tests := []struct{ line, want string }{
		{"t=1.000000s seq=4 rng=9 Timer{task=1} cause=2",
			dim + "t=1.000000s seq=4 rng=9" + reset + " Timer{task=1} cause=2"},
		{"t=1.000000s seq=4 rng=9 ERROR [a#1] failure: x",
			dim + "t=1.000000s seq=4 rng=9" + reset + " " + red + "ERROR [a#1] failure: x" + reset},
		{"t=1.000000s seq=4 rng=9 WARN [a#1] slow",
			dim + "t=1.000000s seq=4 rng=9" + reset + " " + yellow + "WARN [a#1] slow" + reset},
		{"t=1.000000s seq=4 rng=9 Connection{id=5 CutRestore} cause=3 infra",
			dim + "t=1.000000s seq=4 rng=9" + reset + " " + cyan + "Connection{id=5 CutRestore} cause=3 infra" + reset},
		{"t=1.000000s seq=4 rng=9 INFO [a#1] msg=infra", // a log that mentions infra is not infra
			dim + "t=1.000000s seq=4 rng=9" + reset + " INFO [a#1] msg=infra"},
		{"+ t=1.000000s seq=4 rng=9 Timer{task=1} cause=2",
			green + "+ " + reset + dim + "t=1.000000s seq=4 rng=9" + reset + " Timer{task=1} cause=2"},
		{"traces are identical: 3 records", bold + "traces are identical: 3 records" + reset},
		{"  (scheduled during setup)", "  (scheduled during setup)"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(colorLine(nil, []byte(tt.line))); got != tt.want {
			t.Errorf("colorLine(%q) =\n%q\nwant\n%q", tt.line, got, tt.want)
		}
	}
}

// TestColorWriterSplitsLines checks that lines split across writes are
// coloured whole, and that Flush writes a last line with no newline.
func TestColorWriterSplitsLines(t *testing.T) {
	in := "t=1.000000s seq=4 rng=9 ERROR [a#1] x\nheading\nt=2.000000s seq=5 rng=9 WARN [a#1] y"
	var whole bytes.Buffer
	for _, line := range strings.SplitAfter(in, "\n") {
		whole.Write(colorLine(nil, []byte(strings.TrimSuffix(line, "\n"))))
		if strings.HasSuffix(line, "\n") {
			whole.WriteByte('\n')
		}
	}
	for size := 1; size <= len(in); size++ {
		var out bytes.Buffer
		cw := newColorWriter(&out)
		for i := 0; i < len(in); i += size {
			n, err := cw.Write([]byte(in[i:min(i+size, len(in))]))
			if err != nil || n != min(size, len(in)-i) {
				t.Fatalf("Write: %d, %v", n, err)
			}
		}
		if err := cw.Flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != whole.String() {
			t.Fatalf("writes of %d bytes give\n%q\nwant\n%q", size, out.String(), whole.String())
		}
	}
}
