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
// checks it, eight bytes at a time, and escapes from the first byte that
// needs it on.
func Append(b []byte, s string) []byte {
	n := len(b)
	if cap(b)-n < len(s)+2 {
		b = append(b, make([]byte, len(s)+2)...)
	}
	b = b[:n+1+len(s)]
	b[n] = '"'
	d := b[n+1:]
	i := 0
	for ; i+8 <= len(s) && i+8 <= len(d); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if !plain8(x) {
			break
		}
		binary.LittleEndian.PutUint64(d[i:], x)
	}
	if i+4 <= len(s) && i+4 <= len(d) {
		x := uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
		if plain8(uint64(x) | 0x2020202000000000) { // four spaces above: plain
			binary.LittleEndian.PutUint32(d[i:], x)
			i += 4
		}
	}
	for ; i < len(s) && i < len(d) && safe[0][s[i]]; i++ {
		d[i] = s[i]
	}
	if i < len(s) {
		return appendEscaped(b[:n+1], s, i, &safe[0])
	}
	return append(b, '"')
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
func plain8(x uint64) bool {
	below := (x - ones*0x20) &^ x // a byte under 0x20 sets its high bit
	quote, slash := x^(ones*'"'), x^(ones*'\\')
	zero := (quote-ones)&^quote | (slash-ones)&^slash // a byte that was '"' or '\\'
	return (below|zero|x)&highs == 0
}
