package trace

import (
	"math"
	"strconv"
	"testing"
	"time"
)

// TestAppendUint: the trace's number formatting writes what strconv
// writes, at every length and at the edges, and for every number under
// 20,000.
func TestAppendUint(t *testing.T) {
	vals := []uint64{0, 9, 10, 99, 100, math.MaxUint64, math.MaxInt64, 1<<63 + 1}
	for v := range uint64(20000) {
		vals = append(vals, v)
	}
	for p := uint64(1); p < math.MaxUint64/10; p *= 10 {
		vals = append(vals, p-1, p, p+1, 3*p, 9*p+7)
	}
	for _, v := range vals {
		if got, want := string(appendUint([]byte("x"), v)), strconv.AppendUint([]byte("x"), v, 10); got != string(want) {
			t.Errorf("appendUint(%d) = %s, want %s", v, got, want)
		}
		if got, want := string(appendUintLong([]byte("x"), v)), strconv.AppendUint([]byte("x"), v, 10); got != string(want) {
			t.Errorf("appendUintLong(%d) = %s, want %s", v, got, want)
		}
		for _, i := range []int64{int64(v), -int64(v), math.MinInt64, math.MaxInt64} {
			if got, want := string(appendInt(nil, i)), strconv.FormatInt(i, 10); got != want {
				t.Errorf("appendInt(%d) = %s, want %s", i, got, want)
			}
		}
	}
}

// FuzzAppendUint: the same for any number, into a buffer of any room.
func FuzzAppendUint(f *testing.F) {
	f.Add(uint64(12345), uint8(0))
	f.Fuzz(func(t *testing.T, v uint64, room uint8) {
		b := make([]byte, 1, 1+int(room%32))
		if got, want := appendUint(b, v), strconv.AppendUint([]byte{0}, v, 10); string(got) != string(want) {
			t.Errorf("appendUint(%d) = %q, want %q", v, got, want)
		}
		if got, want := appendInt(b, int64(v)), strconv.AppendInt([]byte{0}, int64(v), 10); string(got) != string(want) {
			t.Errorf("appendInt(%d) = %q, want %q", int64(v), got, want)
		}
	})
}

// FuzzAppendSeconds: trace times are written as the digit-at-a-time
// formatting of earlier versions wrote them, for any duration.
func FuzzAppendSeconds(f *testing.F) {
	for _, d := range []int64{0, 1, 999, 1000, -1500000000, math.MaxInt64, math.MinInt64, 5400e9 + 123456789} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d int64) {
		if got, want := AppendSeconds(nil, time.Duration(d)), referenceSeconds(nil, time.Duration(d)); string(got) != string(want) {
			t.Errorf("AppendSeconds(%d) = %s, want %s", d, got, want)
		}
	})
}

func referenceSeconds(b []byte, d time.Duration) []byte {
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	us := int64(d / time.Microsecond)
	b = strconv.AppendInt(b, us/1e6, 10)
	b = append(b, '.')
	frac := us % 1e6
	for div := int64(1e5); div > 0; div /= 10 {
		b = append(b, byte('0'+frac/div%10))
	}
	return append(b, 's')
}
