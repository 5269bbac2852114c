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
	binary.BigEndian.PutUint32(h[8:12], crc32.Checksum(body, castagnoli))
}

// lengthChecksum is crc32.Checksum(h[0:4], castagnoli), the checksum of a
// header's length, by the table: four bytes cost less so than through the
// package's vector code, and the header does not escape to the heap.
func lengthChecksum(h *[HeaderSize]byte) uint32 {
	crc := ^uint32(0)
	for _, b := range h[0:4] {
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
		return fmt.Errorf("frame: write of %d bytes: %w (maximum %d)", len(body), ErrTooLarge, w.max)
	}
	w.buf = Append(w.buf[:0], body)
	_, err := w.w.Write(w.buf)
	return err
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
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return nil, err
	}
	n, err := r.length()
	if err != nil {
		return nil, err
	}
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	body := r.buf[:n]
	if _, err := io.ReadFull(r.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if got, want := crc32.Checksum(body, castagnoli), binary.BigEndian.Uint32(r.hdr[8:12]); got != want {
		return nil, fmt.Errorf("frame: body of %d bytes has checksum %08x, want %08x: %w", n, got, want, ErrCorrupt)
	}
	return body, nil
}

// length checks the header just read and returns the body's length.
func (r *Reader) length() (int, error) {
	got, want := lengthChecksum(&r.hdr), binary.BigEndian.Uint32(r.hdr[4:8])
	if got != want {
		return 0, fmt.Errorf("frame: header has checksum %08x, want %08x: %w", got, want, ErrCorrupt)
	}
	n := binary.BigEndian.Uint32(r.hdr[0:4])
	if uint64(n) > uint64(r.max) {
		return 0, fmt.Errorf("frame: length %d: %w (maximum %d)", n, ErrTooLarge, r.max)
	}
	return int(n), nil
}

func orDefault(maxSize int) int {
	if maxSize <= 0 {
		return DefaultMaxSize
	}
	return maxSize
}
