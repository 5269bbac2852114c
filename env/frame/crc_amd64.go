package frame

import "hash/crc32"

// smallBody is the longest body whose checksum castagnoliSmall computes:
// below it, hash/crc32's layers of calls cost more than the bytes.
const smallBody = 64

// haveCRC32 says that the processor has the CRC32 instruction (SSE4.2).
var haveCRC32 = hasSSE42()

func hasSSE42() bool

func castagnoliSmall(p []byte) uint32

// bodyChecksum is crc32.Checksum(p, castagnoli).
func bodyChecksum(p []byte) uint32 {
	if len(p) <= smallBody && haveCRC32 {
		return castagnoliSmall(p)
	}
	return crc32.Checksum(p, castagnoli)
}
