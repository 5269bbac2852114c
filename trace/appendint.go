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
// needs: numbers under 10,000 (most seqs, tasks and ids) directly, longer
// ones (times in nanoseconds) four digits at a time.
func appendUint(b []byte, v uint64) []byte {
	if v < 10 { // inline: many causes, tasks and ids
		return append(b, byte('0'+v))
	}
	return appendUintSlow(b, v)
}

// appendUintSlow is appendUint for v of 10 and more: two to four digits,
// as the seqs, RNG counts and causes of most records have, at once; up to
// sixteen (a trace's times in nanoseconds, mostly eight or nine) in groups
// of four, without a loop; longer ones four digits at a time.
func appendUintSlow(b []byte, v uint64) []byte {
	if v < 100 {
		return append(b, digitPairs[2*v], digitPairs[2*v+1])
	}
	if v < 10000 {
		q := v / 100
		r := 2 * (v - q*100)
		if q < 10 {
			return append(b, byte('0'+q), digitPairs[r], digitPairs[r+1])
		}
		return append(b, digitPairs[2*q], digitPairs[2*q+1], digitPairs[r], digitPairs[r+1])
	}
	if v < 1e8 {
		q := v / 10000
		return append4Full(append4(b, q), v-q*10000)
	}
	if v < 1e16 {
		q := v / 1e8
		r := v - q*1e8
		if q < 10000 {
			b = append4(b, q)
		} else {
			p := q / 10000
			b = append4Full(append4(b, p), q-p*10000)
		}
		p := r / 10000
		return append4Full(append4Full(b, p), r-p*10000)
	}
	return appendUintLong(b, v)
}

// append4Full appends v, which is under 10,000, in four digits, with
// leading zeros.
func append4Full(b []byte, v uint64) []byte {
	q := v / 100
	r := 2 * (v - q*100)
	return append(b, digitPairs[2*q], digitPairs[2*q+1], digitPairs[r], digitPairs[r+1])
}

// appendUintLong is appendUint for any v, four digits at a time.
func appendUintLong(b []byte, v uint64) []byte {
	n := decimalLen(v)
	l := len(b)
	if cap(b)-l < n {
		b = append(b, make([]byte, n)...)
	} else {
		b = b[:l+n]
	}
	d := b[l:]
	i := n
	for v >= 10000 {
		q := v / 10000
		r := v - q*10000
		hi, lo := 2*(r/100), 2*(r%100)
		i -= 4
		d[i], d[i+1], d[i+2], d[i+3] = digitPairs[hi], digitPairs[hi+1], digitPairs[lo], digitPairs[lo+1]
		v = q
	}
	return append4(b[:l], v)[:l+n]
}

// append4 appends v, which is under 10,000, in one to four digits.
func append4(b []byte, v uint64) []byte {
	if v < 100 {
		if v < 10 {
			return append(b, byte('0'+v))
		}
		return append(b, digitPairs[2*v], digitPairs[2*v+1])
	}
	q := v / 100
	r := 2 * (v - q*100)
	if q < 10 {
		return append(b, byte('0'+q), digitPairs[r], digitPairs[r+1])
	}
	return append(b, digitPairs[2*q], digitPairs[2*q+1], digitPairs[r], digitPairs[r+1])
}

// appendInt is strconv.AppendInt(b, v, 10).
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendUint(append(b, '-'), uint64(-v)) // -MinInt64 is MinInt64, as a uint64 its magnitude
	}
	return appendUint(b, uint64(v))
}

// pairs holds the two digits of 0 to 99 as little-endian words, pairs[v]
// the digits of v; indexed by a byte, it needs no bounds check.
var pairs = func() (t [256]uint16) {
	for i := range 100 {
		t[i] = uint16(digitPairs[2*i]) | uint16(digitPairs[2*i+1])<<8
	}
	return t
}()

// digits4 is v, under 10,000, as four digits with leading zeros: a
// little-endian word whose first byte is the first digit.
func digits4(v uint64) uint64 {
	q := v / 100
	return uint64(pairs[uint8(q)]) | uint64(pairs[uint8(v-q*100)])<<16
}
