package trace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// benchLines is the length of the benchmark traces: a diff of two such
// traces must take at most 5 s, in streaming memory.
const benchLines = 1_000_000

// benchSplit is where the second benchmark trace departs from the first:
// near the end, so that the diff reads almost everything.
const benchSplit = benchLines - 100

// benchFiles are the two benchmark traces, written once per test binary and
// removed by TestMain.
var benchFiles struct {
	once sync.Once
	dir  string
	a, b string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFiles.dir != "" {
		os.RemoveAll(benchFiles.dir)
	}
	os.Exit(code)
}

func benchTraces(b *testing.B) (a, bb string) {
	benchFiles.once.Do(func() {
		start := time.Now()
		benchFiles.dir, benchFiles.err = os.MkdirTemp("", "orrery-trace-bench-")
		if benchFiles.err != nil {
			return
		}
		benchFiles.a = filepath.Join(benchFiles.dir, "a.jsonl")
		benchFiles.b = filepath.Join(benchFiles.dir, "b.jsonl")
		if benchFiles.err = writeTraceFile(benchFiles.a, 0); benchFiles.err == nil {
			benchFiles.err = writeTraceFile(benchFiles.b, benchSplit)
		}
		b.Logf("wrote two %d-line traces in %v", benchLines, time.Since(start).Round(time.Millisecond))
	})
	if benchFiles.err != nil {
		b.Fatal(benchFiles.err)
	}
	return benchFiles.a, benchFiles.b
}

func writeTraceFile(path string, split int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := genTrace(f, benchLines, split); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// peakHeap runs f and returns the largest heap it saw, in MiB: live objects
// and garbage not yet collected, sampled every millisecond.
func peakHeap(f func()) float64 {
	runtime.GC()
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var most uint64
		for {
			metrics.Read(sample)
			most = max(most, sample[0].Value.Uint64())
			select {
			case <-stop:
				peak <- most
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	return float64(<-peak) / (1 << 20)
}

func BenchmarkTraceDiff(b *testing.B) {
	pathA, pathB := benchTraces(b)
	b.ReportAllocs()
	var res DiffResult
	heap := peakHeap(func() {
		for b.Loop() {
			res = diffFiles(b, pathA, pathB)
		}
	})
	if res.Identical || res.Common != benchSplit-1 {
		b.Fatalf("split after %d common records, want %d", res.Common, benchSplit-1)
	}
	b.ReportMetric(float64(2*benchLines*b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(heap, "MiB-heap")
}

func diffFiles(b *testing.B, pathA, pathB string) DiffResult {
	fa, err := os.Open(pathA)
	if err != nil {
		b.Fatal(err)
	}
	defer fa.Close()
	fb, err := os.Open(pathB)
	if err != nil {
		b.Fatal(err)
	}
	defer fb.Close()
	res, err := Diff(fa, fb, DiffOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkTraceWhy explains the failure at the end of a benchmark trace:
// two passes over the file, the first holding every event's cause.
func BenchmarkTraceWhy(b *testing.B) {
	path, _ := benchTraces(b)
	b.ReportAllocs()
	var ch Chain
	heap := peakHeap(func() {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			ch, err = Why(f, 0)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	if ch.Failure == nil || len(ch.Links) == 0 {
		b.Fatalf("no chain: %+v", ch)
	}
	b.ReportMetric(float64(len(ch.Links)), "links")
	b.ReportMetric(float64(2*benchLines*b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(heap, "MiB-heap")
}

// BenchmarkReader decodes a trace held in memory, to separate the decoder
// from the file system.
func BenchmarkReader(b *testing.B) {
	const lines = 100_000
	var buf bytes.Buffer
	if err := genTrace(&buf, lines, 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		rd := NewReader(bytes.NewReader(buf.Bytes()))
		for {
			if _, err := rd.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// TestGeneratedTraces runs the tools on smaller traces of the benchmark's
// kind, so that a plain go test covers what the benchmarks measure.
func TestGeneratedTraces(t *testing.T) {
	const lines, split = 20_000, 19_000
	var a, b bytes.Buffer
	if err := genTrace(&a, lines, 0); err != nil {
		t.Fatal(err)
	}
	if err := genTrace(&b, lines, split); err != nil {
		t.Fatal(err)
	}
	res, err := Diff(bytes.NewReader(a.Bytes()), bytes.NewReader(b.Bytes()), DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Common != split-1 || res.A.Line != split || res.A.RNG+1 != res.B.RNG {
		t.Errorf("common %d, a at line %d rng %d, b rng %d; want %d, %d, one more", res.Common, res.A.Line,
			res.A.RNG, res.B.RNG, split-1, split)
	}
	ch, err := WhyOptions{Max: -1}.Why(bytes.NewReader(a.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	last := ch.Links[len(ch.Links)-1]
	if ch.Broken != 0 || last.Cause != 0 || len(ch.Recent) != 10 || len(ch.Conns) == 0 || ch.Conns[0].Ready == nil {
		t.Errorf("chain of %d links ends with %+v, broken %d; %d recent, conns %+v", len(ch.Links), last,
			ch.Broken, len(ch.Recent), ch.Conns)
	}
}
