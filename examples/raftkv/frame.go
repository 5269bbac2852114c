package raftkv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Frames carry the transport's raft messages and the clients' requests: a
// 4-byte big-endian length, a 4-byte CRC-32C of the body, and the body. A
// frame whose length or checksum is wrong (a bit flipped on the wire) is
// refused with errCorrupt, and the connection with it.

// maxFrame bounds a frame's body: a snapshot of the store fits many times
// over; a larger length is corruption.
const maxFrame = 4 << 20

// errCorrupt is a frame or record whose length or checksum is wrong.
var errCorrupt = errors.New("corrupt frame")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendFrame appends body's frame to b.
func appendFrame(b, body []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(body, castagnoli))
	return append(b, body...)
}

// writeFrame sends body as one frame in one Write.
func writeFrame(w io.Writer, body []byte) error {
	_, err := w.Write(appendFrame(make([]byte, 0, 8+len(body)), body))
	return err
}

// readFrame reads one frame and returns its body.
func readFrame(r io.Reader) ([]byte, error) {
	var head [8]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[0:4])
	if n > maxFrame {
		return nil, fmt.Errorf("%w: length %d", errCorrupt, n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(head[4:8]) {
		return nil, fmt.Errorf("%w: checksum", errCorrupt)
	}
	return body, nil
}
