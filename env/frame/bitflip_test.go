package frame_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/frame"
	"github.com/orrerysim/orrery/netsim"
)

// message is what the sender sends, frame after frame: any other body
// that a reader accepts is a corrupted frame taken for a good one.
var message = bytes.Repeat([]byte("orrery "), 40)

// tally is what the receiver saw, published for the test.
type tally struct{ good, corrupt, wrong int }

// readFunc reads one message body from a connection.
type readFunc func(r io.Reader) ([]byte, error)

func checkedReader(c net.Conn) readFunc {
	fr := frame.NewReader(bufio.NewReader(c), 1024)
	return func(io.Reader) ([]byte, error) { return fr.Read() }
}

// uncheckedReader is the hand-written framing the frame package replaces:
// a length and a body, no checksum.
func uncheckedReader(c net.Conn) readFunc {
	br := bufio.NewReader(c)
	return func(io.Reader) ([]byte, error) {
		var h [4]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return nil, err
		}
		n := binary.BigEndian.Uint32(h[:])
		if n > 1024 {
			return nil, fmt.Errorf("length %d: %w", n, frame.ErrTooLarge)
		}
		body := make([]byte, n)
		_, err := io.ReadFull(br, body)
		return body, err
	}
}

// bitFlips is a receiver process and a sender workload on a network that
// flips bits in 2 % of deliveries; checked says which framing they use.
func bitFlips(checked bool) orrery.Simulation {
	return orrery.Simulation{
		Name:      "frame-bitflip",
		Processes: []orrery.Process{{Name: "receiver", Main: func(e env.Env) error { return receive(e, checked) }}},
		Workloads: []orrery.Workload{{Name: "sender", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return send(e, checked) }}
		}}},
		Chaos: chaos.Config{Net: netsim.Faults{BitFlipP: 0.02}},
	}
}

func receive(e env.Env, checked bool) error {
	t := &tally{}
	orrery.Publish(e.Context(), "tally", t)
	l, err := e.Net().Listen(e.Context(), ":9000")
	if err != nil {
		return err
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return nil
		}
		e.Go("conn", func(ctx context.Context) { receiveConn(c, t, checked) })
	}
}

func receiveConn(c net.Conn, t *tally, checked bool) {
	defer c.Close()
	read := uncheckedReader(c)
	if checked {
		read = checkedReader(c)
	}
	for {
		body, err := read(nil)
		switch {
		case errors.Is(err, frame.ErrCorrupt), errors.Is(err, frame.ErrTooLarge):
			t.corrupt++
			return // the framing is lost: drop the connection
		case err != nil:
			return
		case bytes.Equal(body, message):
			t.good++
		default:
			t.wrong++
		}
	}
}

func send(e env.Env, checked bool) error {
	ctx := e.Context()
	sent := 0
	for sent < 3000 {
		c, err := e.Net().Dial(ctx, "receiver:9000")
		if err != nil {
			return err
		}
		w := frame.NewWriter(c, 0)
		for ; sent < 3000; sent++ {
			if checked {
				err = w.Write(message)
			} else {
				err = writeUnchecked(c, message)
			}
			if err != nil {
				break
			}
			e.Clock().Sleep(ctx, time.Millisecond)
		}
		c.Close()
	}
	return nil
}

func writeUnchecked(w io.Writer, body []byte) error {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	_, err := w.Write(append(b, body...))
	return err
}

// TestBitFlipIsDetected sends 3000 frames through netsim's bit flips:
// with frame's checksums every flip is caught and no wrong body is taken
// for a message; with an unchecked length prefix, wrong bodies get
// through. The seed runs twice with the same trace hash.
func TestBitFlipIsDetected(t *testing.T) {
	for _, checked := range []bool{true, false} {
		t.Run(fmt.Sprintf("checked=%v", checked), func(t *testing.T) {
			got := runTally(t, bitFlips(checked))
			t.Logf("checked=%v: %d good, %d corrupt (dropped), %d wrong bodies accepted", checked, got.good, got.corrupt, got.wrong)
			switch {
			case checked && (got.wrong != 0 || got.corrupt == 0):
				t.Fatalf("checked framing: %+v, want corruption detected and no wrong body", got)
			case !checked && got.wrong == 0:
				t.Fatalf("unchecked framing: %+v, want wrong bodies accepted", got)
			}
		})
	}
}

// runTally runs one seed of s twice, checking determinism, and returns
// the receiver's tally.
func runTally(t *testing.T, s orrery.Simulation) tally {
	var got tally
	s.Workloads[0].New = withCheck(s.Workloads[0].New, &got)
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("report: %+v", rep.Failures)
	}
	return got
}

// withCheck adds a Check that copies the receiver's tally into *dst.
func withCheck(newDriver func() orrery.Driver, dst *tally) func() orrery.Driver {
	return func() orrery.Driver {
		d := newDriver().(orrery.Funcs)
		d.CheckFunc = func(e env.Env) error {
			if v, ok := orrery.Published(e.Context(), "tally"); ok {
				*dst = *v.(*tally)
			}
			return nil
		}
		return d
	}
}
