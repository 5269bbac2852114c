package bank

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The wire protocol: every message is a frame of package env/frame, whose
// checksums refuse a frame with a bit flipped on the wire; the connection is
// dropped with it, so that a corrupted request is never applied.

// maxFrame bounds a frame's body: a larger length is corruption.
const maxFrame = 64

// errMalformed is a message of the wrong size in an intact frame.
var errMalformed = errors.New("malformed message")

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

// encode appends q's encoding to dst: a caller that passes the last
// message's buffer, emptied, allocates nothing.
func (q request) encode(dst []byte) []byte {
	dst = append(dst, q.op, byte(q.from), byte(q.to))
	return binary.BigEndian.AppendUint64(dst, uint64(q.amount))
}

func decodeRequest(b []byte) (request, error) {
	if len(b) != 11 {
		return request{}, fmt.Errorf("%w: request of %d bytes", errMalformed, len(b))
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

// encode appends p's encoding to dst, as request.encode does.
func (p response) encode(dst []byte) []byte {
	dst = append(dst, p.status)
	return binary.BigEndian.AppendUint64(dst, uint64(p.total))
}

func decodeResponse(b []byte) (response, error) {
	if len(b) != 9 {
		return response{}, fmt.Errorf("%w: response of %d bytes", errMalformed, len(b))
	}
	return response{status: b[0], total: int64(binary.BigEndian.Uint64(b[1:]))}, nil
}
