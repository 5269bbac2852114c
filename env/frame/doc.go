// Package frame reads and writes checksummed, length-prefixed messages
// over any byte stream (a net.Conn, a file, a bytes.Buffer): the framing
// that a hand-written protocol needs and that is easy to get subtly wrong.
//
// A frame is a 12-byte header and a body:
//
//	length      uint32, big-endian: the body's size in bytes
//	header CRC  uint32: CRC-32C (Castagnoli) of the 4 length bytes
//	body CRC    uint32: CRC-32C of the body
//	body        length bytes
//
// The length has a checksum of its own, so that a flipped bit in it is
// reported at once as corruption, rather than making the reader wait for
// bytes that will never come or allocate for a frame that was never sent.
// Every frame also has a maximum size (DefaultMaxSize unless the Reader or
// Writer is given another), checked on both sides.
//
// Reader.Read returns one body at a time and tells the ways a stream can
// be wrong apart:
//
//   - io.EOF: the stream ended cleanly, between two frames;
//   - io.ErrUnexpectedEOF: it ended inside a frame (a truncated frame);
//   - ErrCorrupt: a checksum does not match (a bit flipped on the wire or
//     on disk);
//   - ErrTooLarge: the length, intact, exceeds the maximum.
//
// After ErrCorrupt the stream has lost its framing: the only safe course
// is to drop the connection (or stop reading the file there), which is what
// a simulation with bit flips (netsim.Faults.BitFlipP) checks that code
// does. A Reader and a Writer are not safe for concurrent use.
package frame
