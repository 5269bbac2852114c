package main

import (
	"bytes"
	"testing"
)

func TestSameSeedSameTrace(t *testing.T) {
	for seed := range uint64(20) {
		var a, b bytes.Buffer
		h1, err := run(seed, 5, &a, "trace", nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		h2, _ := run(seed, 5, &b, "", nil)
		if h1 != h2 {
			t.Errorf("seed %d: hash %#x with a trace, %#x without", seed, h1, h2)
		}
		var c bytes.Buffer
		run(seed, 5, &c, "trace", nil)
		if a.String() != c.String() {
			t.Errorf("seed %d: two runs printed different traces", seed)
		}
	}
}
