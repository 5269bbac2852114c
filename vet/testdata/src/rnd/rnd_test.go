package rnd

import (
	crand "crypto/rand"
	"testing"
)

// crypto/rand in a test file is not simulated code.
func TestKey(t *testing.T) {
	var key [16]byte
	crand.Read(key[:])
}
