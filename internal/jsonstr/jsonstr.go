// Package jsonstr quotes strings as JSON, for the trace's JSON lines and the
// HTML trace viewer's embedded data, without encoding/json's reflection.
package jsonstr

import (
	"encoding/binary"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// safe[html][c] says that the byte c is ASCII that stands for itself in a
// quoted string (for html, inside a <script> element too).
var safe = func() (t [2][256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[0][c] = c != '"' && c != '\\'
		t[1][c] = t[0][c] && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// Append appends s quoted as a JSON string: the escapes JSON requires, and
// invalid UTF-8 replaced by U+FFFD as encoding/json does. It copies s as it
// checks it, eight bytes at a time (the last eight again, overlapping, for
// the rest; four and four, overlapping, for a string of four to seven
// bytes; a string of one to three bytes, as a log's numbers mostly are,
// with its quotes at once), and escapes from the first byte that needs it
// on.
func Append(b []byte, s string) []byte {
	if len(s) < 4 && len(s) > 0 { // a short value: a number, a flag
		m := len(s) / 2
		x, y, z := s[0], s[m], s[len(s)-1]
		if plain8(uint64(x) | uint64(y)<<8 | uint64(z)<<16 | 0x2020202020000000) {
			switch len(s) {
			case 1:
				return append(b, '"', x, '"')
			case 2:
				return append(b, '"', x, z, '"')
			}
			return append(b, '"', x, y, z, '"')
		}
	}
	n := len(b)
	if cap(b)-n < len(s)+2 {
		b = append(b, make([]byte, len(s)+2)...)
	}
	b = b[:n+2+len(s)]
	b[n] = '"'
	d := b[n+1 : n+1+len(s)]
	ok := true
	switch {
	case len(s) >= 8:
		ok = copy8(d, s)
	case len(s) >= 4:
		x, y := load4(s), load4(s[len(s)-4:])
		ok = plain8(uint64(x) | uint64(y)<<32)
		binary.LittleEndian.PutUint32(d, x)
		binary.LittleEndian.PutUint32(d[len(d)-4:], y)
	case len(s) > 0:
		m := len(s) / 2
		x, y, z := s[0], s[m], s[len(s)-1]
		ok = plain8(uint64(x) | uint64(y)<<8 | uint64(z)<<16 | 0x2020202020000000)
		d[0], d[m], d[len(s)-1] = x, y, z
	}
	if !ok {
		return appendEscaped(b[:n+1], s, 0, &safe[0])
	}
	b[len(b)-1] = '"'
	return b
}

// copy8 copies s, of eight bytes or more, to d, eight bytes at a time and
// the last eight again, and reports whether none of them needs an escape.
// It copies them all before it tells: the bytes that need an escape are
// rare, and one test at the end costs less than one for every word.
func copy8(d []byte, s string) bool {
	d = d[:len(s)]
	last := len(s) - 8
	var bad uint64
	for i := 0; i < last; i += 8 {
		x := load8(s[i : i+8])
		bad |= escapes8(x)
		binary.LittleEndian.PutUint64(d[i:i+8], x)
	}
	x := load8(s[last:])
	binary.LittleEndian.PutUint64(d[last:], x)
	return (bad|escapes8(x))&highs == 0
}

func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load4(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// AppendScript is Append for a string that is also safe inside an HTML
// <script> element: '<', '>' and '&' are escaped too, so "</script>" or
// "<!--" in a message cannot end the element.
func AppendScript(b []byte, s string) []byte { return appendEscaped(append(b, '"'), s, 0, &safe[1]) }

// appendEscaped appends s, whose first i bytes need no escape, and the
// closing quote: it copies the runs of bytes that need no escape at once,
// and escapes the bytes and runes between them.
func appendEscaped(b []byte, s string, i int, ok *[256]bool) []byte {
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !ok[c] {
				b = appendJSONByte(append(b, s[start:i]...), c)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), `\u202`...)
			b = append(b, hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONByte escapes an ASCII byte that cannot stand for itself.
func appendJSONByte(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain8 reports whether the 8 bytes of x are all ASCII that stands for
// itself in a JSON string: no control byte, quote, backslash or non-ASCII.
func plain8(x uint64) bool { return escapes8(x)&highs == 0 }

// escapes8 has the high bit of a byte set (of the first such byte, and
// perhaps of later ones) when a byte of x needs an escape in a JSON
// string: a control byte, a quote, a backslash or a byte of non-ASCII.
func escapes8(x uint64) uint64 {
	below := x - ones*0x20 // a byte under 0x20 sets its high bit (x's own high bit is or'ed in anyway)
	quote, slash := x^(ones*'"'), x^(ones*'\\')
	zero := (quote-ones)&^quote | (slash-ones)&^slash // a byte that was '"' or '\\'
	return below | zero | x
}
