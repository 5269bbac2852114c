package sim_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// cryptoRun is what one run of drawRun drew and how it traced.
type cryptoRun struct {
	direct, viaInt, stray []byte // a task's crypto/rand.Read and rand.Int, a raw goroutine's Read
	after                 uint64 // the main stream's draw after them
	hash                  uint64
	reads, bytes          uint64
	log                   string
}

// drawRun runs a task that reads crypto/rand directly and through
// crypto/rand.Int, starts a raw goroutine that reads it too, then draws
// from the main stream.
func drawRun(t *testing.T, seed uint64, capture bool) cryptoRun {
	t.Helper()
	var log bytes.Buffer
	w := sim.New(sim.Config{Seed: seed, Log: &log, LogFilter: "debug"})
	w.SetCryptoRandCapture(capture)
	var r cryptoRun
	w.Spawn("node-1/main", func(ctx context.Context) {
		r.direct = make([]byte, 12)
		rand.Read(r.direct)
		n, err := rand.Int(rand.Reader, big.NewInt(1<<40))
		if err != nil {
			t.Errorf("rand.Int: %v", err)
			return
		}
		r.viaInt = n.Bytes()
		done := make(chan []byte)
		go func() { // not a task: the operating system serves it
			b := make([]byte, 16)
			rand.Read(b)
			done <- b
		}()
		r.stray = <-done
		sim.Sleep(ctx, time.Millisecond)
		r.after = w.Rand().Uint64()
	})
	if err := w.Run(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	r.hash = w.TraceHash()
	r.reads, r.bytes = w.CryptoRandReads()
	r.log = log.String()
	return r
}

func TestCryptoRandFollowsTheSeed(t *testing.T) {
	a, b := drawRun(t, 7, true), drawRun(t, 7, true)
	if !bytes.Equal(a.direct, b.direct) || !bytes.Equal(a.viaInt, b.viaInt) {
		t.Errorf("a seed drew %x %x, then %x %x", a.direct, a.viaInt, b.direct, b.viaInt)
	}
	if a.hash != b.hash {
		t.Errorf("trace hashes %#x and %#x", a.hash, b.hash)
	}
	if bytes.Equal(a.stray, b.stray) {
		t.Errorf("a raw goroutine drew %x twice: it must read the operating system", a.stray)
	}
	if other := drawRun(t, 8, true); bytes.Equal(a.direct, other.direct) {
		t.Errorf("seeds 7 and 8 both drew %x", a.direct)
	}
	if a.reads != 2 || a.bytes != 12+5 { // rand.Int(1<<40) reads 5 bytes once
		t.Errorf("CryptoRandReads = %d, %d; want 2 reads of 17 bytes", a.reads, a.bytes)
	}
	for _, want := range []string{
		"DEBUG [node-1/main#1] crypto/rand read bytes=12 draw=1 from=seed sum=",
		"DEBUG [node-1/main#1] crypto/rand read bytes=5 draw=2 from=seed sum=",
	} {
		if !strings.Contains(a.log, want) {
			t.Errorf("trace lacks %q:\n%s", want, a.log)
		}
	}
}

// TestCryptoRandLeavesTheMainStream: the draws come from a stream of their
// own, so that code reading crypto/rand does not shift the main stream's.
func TestCryptoRandLeavesTheMainStream(t *testing.T) {
	a := drawRun(t, 7, true)
	w := sim.New(sim.Config{Seed: 7})
	var after uint64
	w.Spawn("node-1/main", func(ctx context.Context) {
		sim.Sleep(ctx, time.Millisecond)
		after = w.Rand().Uint64()
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if after != a.after {
		t.Errorf("the main stream drew %#x after crypto/rand reads, %#x without", a.after, after)
	}
}

func TestCryptoRandCaptureOff(t *testing.T) {
	a, b := drawRun(t, 7, false), drawRun(t, 7, false)
	if bytes.Equal(a.direct, b.direct) {
		t.Errorf("with the capture off a seed drew %x twice", a.direct)
	}
	if a.hash == b.hash {
		t.Errorf("with the capture off two runs have the trace hash %#x", a.hash)
	}
	if !strings.Contains(a.log, "crypto/rand read bytes=12 draw=1 from=os") {
		t.Errorf("trace lacks the read from the operating system:\n%s", a.log)
	}
}

// TestCryptoRandParallelWorlds runs seeds on several goroutines at once:
// each World serves its own stream, as the same seed run alone does.
func TestCryptoRandParallelWorlds(t *testing.T) {
	want := map[uint64]string{}
	for seed := range uint64(4) {
		want[seed] = fmt.Sprintf("%x", drawRun(t, seed, true).direct)
	}
	var wg sync.WaitGroup
	got := make([]string, 16)
	for i := range got {
		wg.Go(func() { got[i] = fmt.Sprintf("%x", drawRun(t, uint64(i%4), true).direct) })
	}
	wg.Wait()
	for i, g := range got {
		if g != want[uint64(i%4)] {
			t.Errorf("seed %d drew %s in parallel, %s alone", i%4, g, want[uint64(i%4)])
		}
	}
}

// TestCryptoRandOutsideARun: code that is no task reads the operating
// system, before, between and after runs.
func TestCryptoRandOutsideARun(t *testing.T) {
	a, b := make([]byte, 16), make([]byte, 16)
	rand.Read(a)
	drawRun(t, 1, true)
	rand.Read(b)
	if bytes.Equal(a, b) || bytes.Equal(a, make([]byte, 16)) {
		t.Errorf("outside a run crypto/rand.Read gave %x and %x", a, b)
	}
}
