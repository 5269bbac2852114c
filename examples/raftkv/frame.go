package raftkv

import (
	"hash/crc32"
	"io"

	"github.com/orrerysim/orrery/env/frame"
)

// Frames of package env/frame carry the transport's raft messages, the
// clients' requests and the snapshot files: a length and two CRC-32Cs
// (of the length and of the body), then the body. A frame whose checksums
// do not match (a bit flipped on the wire or on disk) is refused with
// errCorrupt, and the connection with it.

// maxFrame bounds a frame's body: a snapshot of the store fits many times
// over; a larger length is refused.
const maxFrame = 4 << 20

// errCorrupt is a frame or record whose length or checksum is wrong.
var errCorrupt = frame.ErrCorrupt

// castagnoli is the CRC-32C table of the WAL's records.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeFrame sends body as one frame in one Write.
func writeFrame(w io.Writer, body []byte) error {
	return frame.NewWriter(w, maxFrame).Write(body)
}

// readFrame reads one frame and returns its body.
func readFrame(r io.Reader) ([]byte, error) {
	return frame.NewReader(r, maxFrame).Read()
}
