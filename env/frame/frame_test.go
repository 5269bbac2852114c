package frame_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/env/frame"
)

func TestReadWrite(t *testing.T) {
	bodies := [][]byte{{}, []byte("a"), []byte("hello, frames"), bytes.Repeat([]byte{0xff}, 1000)}
	var buf bytes.Buffer
	w := frame.NewWriter(&buf, 0)
	for _, b := range bodies {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	r := frame.NewReader(&buf, 0)
	for i, want := range bodies {
		got, err := r.Read()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: got %q, %v; want %q", i, got, err, want)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

// frameOf returns the encoding of body.
func frameOf(body string) []byte { return frame.Append(nil, []byte(body)) }

func flip(b []byte, bit int) []byte {
	c := bytes.Clone(b)
	c[bit/8] ^= 1 << (bit % 8)
	return c
}

func TestBadFrames(t *testing.T) {
	good := frameOf("twelve bytes")
	big := frame.Append(nil, make([]byte, 65))
	tests := []struct {
		name  string
		input []byte
		want  error
		text  string
	}{
		{"empty stream", nil, io.EOF, "EOF"},
		{"truncated header", good[:5], io.ErrUnexpectedEOF, "unexpected EOF"},
		{"truncated body", good[:len(good)-1], io.ErrUnexpectedEOF, "unexpected EOF"},
		{"flipped length", flip(good, 30), frame.ErrCorrupt, "frame: header has checksum"},
		{"flipped header checksum", flip(good, 40), frame.ErrCorrupt, "frame: header has checksum"},
		{"flipped body checksum", flip(good, 70), frame.ErrCorrupt, "frame: body of 12 bytes has checksum"},
		{"flipped body", flip(good, 8*frame.HeaderSize+3), frame.ErrCorrupt, "frame: body of 12 bytes has checksum"},
		{"oversized", big, frame.ErrTooLarge, "frame: length 65: frame too large (maximum 64)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := frame.NewReader(bytes.NewReader(tc.input), 64).Read()
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.text) {
				t.Fatalf("got %v, want %v starting %q", err, tc.want, tc.text)
			}
		})
	}
}

// TestEveryBitFlipIsCaught flips each bit of a frame in turn: no flip
// yields a body, whether it hits the length, a checksum or the body.
func TestEveryBitFlipIsCaught(t *testing.T) {
	good := frameOf("a frame whose every bit matters")
	for bit := range 8 * len(good) {
		body, err := frame.NewReader(bytes.NewReader(flip(good, bit)), 0).Read()
		if err == nil {
			t.Fatalf("bit %d flipped: read %q without error", bit, body)
		}
		if !errors.Is(err, frame.ErrCorrupt) {
			t.Fatalf("bit %d flipped: %v, want ErrCorrupt", bit, err)
		}
	}
}

func TestWriteRefusesOversized(t *testing.T) {
	var buf bytes.Buffer
	err := frame.NewWriter(&buf, 4).Write([]byte("too long"))
	if !errors.Is(err, frame.ErrTooLarge) || buf.Len() != 0 {
		t.Fatalf("got %v and %d bytes written, want ErrTooLarge and none", err, buf.Len())
	}
	if err := frame.NewWriter(&buf, 4).Write([]byte("fits")); err != nil {
		t.Fatal(err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(frameOf("seed"))
	f.Add(append(frameOf(""), frameOf("two")...))
	f.Add(flip(frameOf("x"), 3))
	f.Add([]byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := frame.NewReader(bytes.NewReader(data), 1<<10)
		consumed := 0
		for {
			body, err := r.Read()
			if err != nil {
				if errors.Is(err, frame.ErrCorrupt) || errors.Is(err, frame.ErrTooLarge) ||
					err == io.EOF || err == io.ErrUnexpectedEOF {
					return
				}
				t.Fatalf("unexpected error %v", err)
			}
			// A body read back is exactly a frame of the input.
			enc := frame.Append(nil, body)
			if !bytes.Equal(enc, data[consumed:consumed+len(enc)]) {
				t.Fatalf("read %q, which is not the frame at offset %d", body, consumed)
			}
			consumed += len(enc)
		}
	})
}

func BenchmarkReadWrite(b *testing.B) {
	body := make([]byte, 256)
	var buf bytes.Buffer
	w, r := frame.NewWriter(&buf, 0), frame.NewReader(&buf, 0)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := w.Write(body); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFormat: a frame is the body's length, the CRC-32C of those four
// bytes and the CRC-32C of the body, big-endian, then the body.
func TestFormat(t *testing.T) {
	tab := crc32.MakeTable(crc32.Castagnoli)
	for _, body := range []string{"", "a", "hello, frames", strings.Repeat("x", 70000)} {
		want := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		want = binary.BigEndian.AppendUint32(want, crc32.Checksum(want, tab))
		want = binary.BigEndian.AppendUint32(want, crc32.Checksum([]byte(body), tab))
		want = append(want, body...)
		if got := frame.Append([]byte("dst"), []byte(body)); !bytes.Equal(got, append([]byte("dst"), want...)) {
			t.Errorf("frame of %d bytes: % x, want % x", len(body), got[:min(len(got), 20)], want[:min(len(want), 17)])
		}
	}
}

// TestWriteAllocs: writing and reading frames of a size seen before
// allocates nothing.
func TestWriteAllocs(t *testing.T) {
	var buf bytes.Buffer
	w, r := frame.NewWriter(&buf, 0), frame.NewReader(&buf, 0)
	body := []byte("a request of some bytes")
	if n := testing.AllocsPerRun(100, func() {
		buf.Reset()
		if err := w.Write(body); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}); n > 0 {
		t.Errorf("a frame written and read: %.1f allocations, want none", n)
	}
}
