package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// HeaderSize is the size of a frame's header, in bytes.
const HeaderSize = 12

// DefaultMaxSize is the largest body a Reader or Writer made with a
// maximum of 0 accepts: 1 MiB.
const DefaultMaxSize = 1 << 20

// ErrCorrupt is wrapped by the error of a frame whose length or body does
// not match its checksum.
var ErrCorrupt = errors.New("corrupt frame")

// ErrTooLarge is wrapped by the error of a frame whose body exceeds the
// maximum size.
var ErrTooLarge = errors.New("frame too large")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Append appends body as one frame to dst and returns the extended slice.
// It does not check a maximum size; Writer.Write does.
func Append(dst, body []byte) []byte {
	dst = slices.Grow(dst, HeaderSize+len(body))
	n := len(dst)
	dst = dst[:n+HeaderSize]
	putHeader((*[HeaderSize]byte)(dst[n:]), body)
	return append(dst, body...)
}

func putHeader(h *[HeaderSize]byte, body []byte) {
	binary.BigEndian.PutUint32(h[0:4], uint32(len(body)))
	binary.BigEndian.PutUint32(h[4:8], lengthChecksum(h))
	binary.BigEndian.PutUint32(h[8:12], bodyChecksum(body))
}

// lengthChecksum is crc32.Checksum(h[0:4], castagnoli), the checksum of a
// header's length: from smallLengthSums for a length under 256, by the
// table otherwise (four bytes cost less so than through the package's
// vector code, and the header does not escape to the heap).
func lengthChecksum(h *[HeaderSize]byte) uint32 {
	if h[0]|h[1]|h[2] == 0 {
		return smallLengthSums[h[3]]
	}
	return tableChecksum(h[0:4])
}

// smallLengthSums holds the checksums of the lengths under 256, which most
// frames have: one load instead of four dependent ones per header.
var smallLengthSums = func() (sums [256]uint32) {
	for n := range sums {
		sums[n] = tableChecksum([]byte{0, 0, 0, byte(n)})
	}
	return sums
}()

// tableChecksum is crc32.Checksum(p, castagnoli), one table lookup a byte.
func tableChecksum(p []byte) uint32 {
	crc := ^uint32(0)
	for _, b := range p {
		crc = castagnoli[byte(crc)^b] ^ crc>>8
	}
	return ^crc
}

// Writer writes frames to an io.Writer, each with a single Write call.
type Writer struct {
	w   io.Writer
	max int
	buf []byte
}

// NewWriter returns a Writer of frames of at most maxSize bytes of body
// to w (DefaultMaxSize if maxSize is not positive).
func NewWriter(w io.Writer, maxSize int) *Writer {
	return &Writer{w: w, max: orDefault(maxSize)}
}

// Write writes body as one frame. A body over the maximum size is refused
// with an error wrapping ErrTooLarge and nothing is written.
func (w *Writer) Write(body []byte) error {
	if len(body) > w.max {
		return w.tooLarge(len(body))
	}
	// Append's frame, into the buffer that w keeps for it.
	size := HeaderSize + len(body)
	if cap(w.buf) < size {
		w.buf = make([]byte, size)
	}
	buf := w.buf[:size] // not stored back: its length is the frame's
	putHeader((*[HeaderSize]byte)(buf), body)
	copy(buf[HeaderSize:], body)
	_, err := w.w.Write(buf)
	return err
}

// tooLarge is the error of a write of n bytes over the maximum.
//
//go:noinline
func (w *Writer) tooLarge(n int) error {
	return fmt.Errorf("frame: write of %d bytes: %w (maximum %d)", n, ErrTooLarge, w.max)
}

// Reader reads frames from an io.Reader.
type Reader struct {
	r   io.Reader
	max int
	hdr [HeaderSize]byte
	buf []byte
}

// NewReader returns a Reader of frames of at most maxSize bytes of body
// from r (DefaultMaxSize if maxSize is not positive). Give it a
// bufio.Reader when r is unbuffered and frames are small: it reads each
// frame with two io.ReadFull calls.
func NewReader(r io.Reader, maxSize int) *Reader {
	return &Reader{r: r, max: orDefault(maxSize)}
}

// Read reads the next frame and returns its body, which stays valid until
// the next call of Read. It returns io.EOF when the stream ends between
// frames, io.ErrUnexpectedEOF when it ends inside one, and errors
// wrapping ErrCorrupt or ErrTooLarge for a bad frame (see the package
// documentation).
func (r *Reader) Read() ([]byte, error) {
	// io.ReadFull's calls, its first one made here: it fills the header
	// or body when the bytes are there, without two frames of io on the
	// stack.
	if k, err := r.r.Read(r.hdr[:]); k < HeaderSize {
		if err := r.fillRest(r.hdr[:], k, err); err != nil {
			return nil, err
		}
	}
	n := int(binary.BigEndian.Uint32(r.hdr[0:4]))
	if lengthChecksum(&r.hdr) != binary.BigEndian.Uint32(r.hdr[4:8]) || uint64(n) > uint64(r.max) {
		return nil, r.headerErr()
	}
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	body := r.buf[:n]
	if n > 0 { // io.ReadFull reads nothing into an empty body
		if k, err := r.r.Read(body); k < n {
			if err := r.fillRest(body, k, err); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return nil, err
			}
		}
	}
	if got := bodyChecksum(body); got != binary.BigEndian.Uint32(r.hdr[8:12]) {
		return nil, r.bodyErr(got)
	}
	return body, nil
}

// fillRest is the rest of io.ReadFull(r.r, p) after a first read of n
// bytes of p, which ended with err: the same calls of r.r.Read, the same
// error.
func (r *Reader) fillRest(p []byte, n int, err error) error {
	for n < len(p) && err == nil {
		var k int
		k, err = r.r.Read(p[n:])
		n += k
	}
	switch {
	case n >= len(p):
		return nil
	case n > 0 && err == io.EOF:
		return io.ErrUnexpectedEOF
	}
	return err
}

// headerErr says what is wrong with the header just read: its checksum,
// or else its length. It is out of Read, whose frame on the caller's stack
// it would grow.
//
//go:noinline
func (r *Reader) headerErr() error {
	if got, want := lengthChecksum(&r.hdr), binary.BigEndian.Uint32(r.hdr[4:8]); got != want {
		return fmt.Errorf("frame: header has checksum %08x, want %08x: %w", got, want, ErrCorrupt)
	}
	n := binary.BigEndian.Uint32(r.hdr[0:4])
	return fmt.Errorf("frame: length %d: %w (maximum %d)", n, ErrTooLarge, r.max)
}

// bodyErr is the error of a body, just read, whose checksum is got.
//
//go:noinline
func (r *Reader) bodyErr(got uint32) error {
	n, want := binary.BigEndian.Uint32(r.hdr[0:4]), binary.BigEndian.Uint32(r.hdr[8:12])
	return fmt.Errorf("frame: body of %d bytes has checksum %08x, want %08x: %w", n, got, want, ErrCorrupt)
}

func orDefault(maxSize int) int {
	if maxSize <= 0 {
		return DefaultMaxSize
	}
	return maxSize
}
