package frame

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"testing"
)

// TestLengthChecksum: the checksum of a length, by the table of small
// lengths or byte by byte, is crc32's.
func TestLengthChecksum(t *testing.T) {
	for _, n := range []uint32{0, 1, 11, 255, 256, 257, 1 << 16, 1<<20 + 3, 1<<32 - 1} {
		var h [HeaderSize]byte
		binary.BigEndian.PutUint32(h[0:4], n)
		if got, want := lengthChecksum(&h), crc32.Checksum(h[0:4], castagnoli); got != want {
			t.Errorf("length %d: checksum %08x, want %08x", n, got, want)
		}
	}
	for n := range smallLengthSums {
		h := [HeaderSize]byte{3: byte(n)}
		if got, want := lengthChecksum(&h), crc32.Checksum(h[0:4], castagnoli); got != want {
			t.Errorf("length %d: checksum %08x, want %08x", n, got, want)
		}
	}
}

// scripted is a reader that serves data in the chunk sizes of chunks (the
// rest at once after them), ends with end, and records the size of every
// buffer it is given.
type scripted struct {
	data   []byte
	chunks []int
	end    error
	calls  []int
}

func (s *scripted) Read(p []byte) (int, error) {
	s.calls = append(s.calls, len(p))
	if len(s.data) == 0 {
		return 0, s.end
	}
	k := len(s.data)
	if len(s.chunks) > 0 {
		k, s.chunks = min(k, s.chunks[0]), s.chunks[1:]
	}
	k = copy(p, s.data[:k])
	s.data = s.data[k:]
	if len(s.data) == 0 && k == len(p) && s.end != io.EOF {
		return k, s.end // data and an error at once
	}
	return k, nil
}

// readByReadFull is Reader.Read as it was, with io.ReadFull: what Read must
// do, call for call.
func readByReadFull(r io.Reader, max int) ([]byte, error) {
	var h [HeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	if got, want := crc32.Checksum(h[0:4], castagnoli), binary.BigEndian.Uint32(h[4:8]); got != want {
		return nil, fmt.Errorf("frame: header has checksum %08x, want %08x: %w", got, want, ErrCorrupt)
	}
	n := binary.BigEndian.Uint32(h[0:4])
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("frame: length %d: %w (maximum %d)", n, ErrTooLarge, max)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if got, want := crc32.Checksum(body, castagnoli), binary.BigEndian.Uint32(h[8:12]); got != want {
		return nil, fmt.Errorf("frame: body of %d bytes has checksum %08x, want %08x: %w", n, got, want, ErrCorrupt)
	}
	return body, nil
}

// TestReadCallsAsReadFull: Read asks its reader for the same bytes as
// io.ReadFull would, in the same calls, and returns the same bodies and
// errors, whatever the chunks the reader serves and however it ends.
func TestReadCallsAsReadFull(t *testing.T) {
	stream := Append(Append(Append(nil, []byte("first body")), nil), bytes.Repeat([]byte("x"), 40))
	bad := bytes.Clone(stream)
	bad[len(bad)-1] ^= 1
	tooBig := Append(nil, make([]byte, 65))
	flippedLen := bytes.Clone(stream)
	flippedLen[3] ^= 4
	boom := errors.New("boom")
	tests := []struct {
		name   string
		data   []byte
		chunks []int
		end    error
	}{
		{"whole", stream, nil, io.EOF},
		{"byte by byte", stream, slices.Repeat([]int{1}, len(stream)), io.EOF},
		{"odd chunks", stream, []int{5, 7, 3, 12, 1, 30, 2}, io.EOF},
		{"header split", stream, []int{11, 1, 10}, io.EOF},
		{"truncated header", stream[:5], nil, io.EOF},
		{"truncated body", stream[:len(stream)-3], []int{12, 10}, io.EOF},
		{"error with the last bytes", stream, nil, boom},
		{"error in a body", stream[:30], []int{12, 10, 8}, boom},
		{"corrupt body", bad, nil, io.EOF},
		{"corrupt length", flippedLen, nil, io.EOF},
		{"too large", tooBig, nil, io.EOF},
		{"empty", nil, nil, io.EOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := &scripted{data: tc.data, chunks: tc.chunks, end: tc.end}
			got := &scripted{data: tc.data, chunks: tc.chunks, end: tc.end}
			r := NewReader(got, 64)
			for i := 0; ; i++ {
				wb, werr := readByReadFull(want, 64)
				gb, gerr := r.Read()
				if !bytes.Equal(gb, wb) || fmt.Sprint(gerr) != fmt.Sprint(werr) || !sameKind(gerr, werr, boom) {
					t.Fatalf("frame %d: got %q, %v; want %q, %v", i, gb, gerr, wb, werr)
				}
				if fmt.Sprint(got.calls) != fmt.Sprint(want.calls) {
					t.Fatalf("frame %d: reads of %v bytes, want %v", i, got.calls, want.calls)
				}
				if werr != nil {
					return
				}
			}
		})
	}
}

// sameKind reports whether a and b wrap the same of the errors Read tells
// apart.
func sameKind(a, b, other error) bool {
	for _, e := range []error{io.EOF, io.ErrUnexpectedEOF, ErrCorrupt, ErrTooLarge, other} {
		if errors.Is(a, e) != errors.Is(b, e) {
			return false
		}
	}
	return true
}

// TestBodyChecksum: the checksum of a body, by the CRC32 instruction for a
// short one, is crc32's, whatever its length, content and alignment.
func TestBodyChecksum(t *testing.T) {
	data := make([]byte, 4*smallBodyTested+8)
	for i := range data {
		data[i] = byte(i*131 + i>>3)
	}
	for off := range 8 {
		for n := 0; n <= 3*smallBodyTested; n++ {
			p := data[off : off+n]
			if got, want := bodyChecksum(p), crc32.Checksum(p, castagnoli); got != want {
				t.Fatalf("%d bytes at offset %d: checksum %08x, want %08x", n, off, got, want)
			}
		}
	}
	if !haveCRC32 {
		return
	}
	haveCRC32 = false // as on a processor without the instruction
	defer func() { haveCRC32 = true }()
	for n := range 2 * smallBodyTested {
		if got, want := bodyChecksum(data[:n]), crc32.Checksum(data[:n], castagnoli); got != want {
			t.Fatalf("%d bytes without the instruction: checksum %08x, want %08x", n, got, want)
		}
	}
}

// smallBodyTested is past the longest body checksummed apart on any
// architecture.
const smallBodyTested = 64

func BenchmarkBodyChecksum(b *testing.B) {
	body := []byte("11 bytes!!!")
	for b.Loop() {
		bodyChecksum(body)
	}
}
