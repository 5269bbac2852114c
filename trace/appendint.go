package trace

import "math/bits"

// digitPairs holds "00" to "99", two digits written at a time.
const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" +
	"60616263646566676869" + "70717273747576777879" + "80818283848586878889" + "90919293949596979899"

// pow10s are the powers of ten a uint64 holds.
var pow10s = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// decimalLen is how many decimal digits v has (1 for 0).
func decimalLen(v uint64) int {
	n := (bits.Len64(v) * 1233) >> 12 // about log10(v)
	if n < len(pow10s) && v >= pow10s[n] {
		n++
	}
	return max(n, 1)
}

// appendUint is strconv.AppendUint(b, v, 10), the digits written in place
// rather than into a buffer and copied, as every field of every record
// needs.
func appendUint(b []byte, v uint64) []byte {
	if v < 10 {
		return append(b, byte('0'+v))
	}
	n := decimalLen(v)
	l := len(b)
	if cap(b)-l < n {
		b = append(b, make([]byte, n)...)
	} else {
		b = b[:l+n]
	}
	d := b[l:]
	i := n
	for v >= 100 {
		q := v / 100
		r := 2 * (v - q*100)
		i -= 2
		d[i], d[i+1] = digitPairs[r], digitPairs[r+1]
		v = q
	}
	if v >= 10 {
		d[0], d[1] = digitPairs[2*v], digitPairs[2*v+1]
	} else {
		d[0] = byte('0' + v)
	}
	return b
}

// appendInt is strconv.AppendInt(b, v, 10).
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendUint(append(b, '-'), uint64(-v)) // -MinInt64 is MinInt64, as a uint64 its magnitude
	}
	return appendUint(b, uint64(v))
}
