package bank

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The wire protocol: every message is a frame of a 4-byte big-endian
// length, a 4-byte CRC-32 of the body, and the body. A frame whose checksum
// does not match (a bit flipped on the wire) is refused, and the connection
// with it, so that a corrupted request is never applied.

// maxFrame bounds a frame's body: a larger length is corruption.
const maxFrame = 64

// errCorrupt is a frame whose checksum or length is wrong.
var errCorrupt = errors.New("corrupt frame")

// frameBuf holds one frame, header and body, so that a connection reuses
// one buffer for all its frames.
type frameBuf [8 + maxFrame]byte

// writeFrame sends body as one frame, assembled in buf.
func writeFrame(w io.Writer, buf *frameBuf, body []byte) error {
	binary.BigEndian.PutUint32(buf[0:4], uint32(len(body)))
	binary.BigEndian.PutUint32(buf[4:8], crc32.ChecksumIEEE(body))
	n := copy(buf[8:], body)
	_, err := w.Write(buf[:8+n])
	return err
}

// readFrame reads one frame into buf and returns its body.
func readFrame(r io.Reader, buf *frameBuf) ([]byte, error) {
	if _, err := io.ReadFull(r, buf[:8]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(buf[0:4])
	if n > maxFrame {
		return nil, fmt.Errorf("%w: length %d", errCorrupt, n)
	}
	body := buf[8 : 8+n]
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(buf[4:8]) {
		return nil, fmt.Errorf("%w: checksum", errCorrupt)
	}
	return body, nil
}

// A request is op (1 byte), from and to (1 byte each) and amount (8 bytes).
const (
	opTransfer = 1
	opTotal    = 2
)

type request struct {
	op       byte
	from, to int
	amount   int64
}

func (q request) encode() []byte {
	b := []byte{q.op, byte(q.from), byte(q.to), 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint64(b[3:], uint64(q.amount))
	return b
}

func decodeRequest(b []byte) (request, error) {
	if len(b) != 11 {
		return request{}, fmt.Errorf("%w: request of %d bytes", errCorrupt, len(b))
	}
	return request{op: b[0], from: int(b[1]), to: int(b[2]), amount: int64(binary.BigEndian.Uint64(b[3:]))}, nil
}

// A response is a status (1 byte) and a number (8 bytes): the total, for
// opTotal.
const (
	statusOK           = 0
	statusInsufficient = 1
	statusBad          = 2
)

type response struct {
	status byte
	total  int64
}

func (p response) encode() []byte {
	b := []byte{p.status, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint64(b[1:], uint64(p.total))
	return b
}

func decodeResponse(b []byte) (response, error) {
	if len(b) != 9 {
		return response{}, fmt.Errorf("%w: response of %d bytes", errCorrupt, len(b))
	}
	return response{status: b[0], total: int64(binary.BigEndian.Uint64(b[1:]))}, nil
}
