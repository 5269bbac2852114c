package frame

import "hash/crc32"

// haveCRC32 says that the processor has the CRC32 instruction (SSE4.2).
// bodyChecksum reads it at every call.
var haveCRC32 = hasSSE42()

func hasSSE42() bool

// bodyChecksum is crc32.Checksum(p, castagnoli): by the CRC32 instruction
// for a body of up to 64 bytes when the processor has it (beyond that,
// hash/crc32's interleaved code is faster), else a jump to longChecksum. In assembly from the caller's call on, without a
// frame of Go's between the two.
//
//go:noescape
func bodyChecksum(p []byte) uint32

// longChecksum is bodyChecksum's way for a long body, or a processor
// without the instruction.
//
//lint:ignore U1000 the assembly of bodyChecksum jumps to it
func longChecksum(p []byte) uint32 { return crc32.Checksum(p, castagnoli) }
