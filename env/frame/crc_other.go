//go:build !amd64

package frame

import "hash/crc32"

// haveCRC32 is false: bodyChecksum is hash/crc32's.
var haveCRC32 = false

// bodyChecksum is crc32.Checksum(p, castagnoli).
func bodyChecksum(p []byte) uint32 { return crc32.Checksum(p, castagnoli) }
