package sim

import (
	"strconv"
	"testing"
)

// TestAppendInt: a log attribute's integer is written as strconv writes
// it, on both sides of every shortcut.
func TestAppendInt(t *testing.T) {
	for _, v := range []int64{-1001, -1000, -999, -10, -1, 0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 1 << 62, -1 << 63} {
		if got, want := string(appendInt([]byte("x"), v)), "x"+strconv.FormatInt(v, 10); got != want {
			t.Errorf("appendInt(%d) = %s, want %s", v, got, want)
		}
	}
}
