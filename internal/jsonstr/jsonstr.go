// Package jsonstr quotes strings as JSON, for the trace's JSON lines and the
// HTML trace viewer's embedded data, without encoding/json's reflection.
package jsonstr

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// safe[html][c] says that the ASCII byte c stands for itself in a quoted
// string (for html, inside a <script> element too).
var safe = func() (t [2][utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[0][c] = c != '"' && c != '\\'
		t[1][c] = t[0][c] && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// Append appends s quoted as a JSON string: the escapes JSON requires, and
// invalid UTF-8 replaced by U+FFFD as encoding/json does.
func Append(b []byte, s string) []byte { return appendQuoted(b, s, &safe[0], false) }

// AppendScript is Append for a string that is also safe inside an HTML
// <script> element: '<', '>' and '&' are escaped too, so "</script>" or
// "<!--" in a message cannot end the element.
func AppendScript(b []byte, s string) []byte { return appendQuoted(b, s, &safe[1], true) }

// appendQuoted copies the runs of bytes that need no escape at once, and
// escapes the bytes and runes between them. Outside HTML, it skips eight
// plain bytes at a time.
func appendQuoted(b []byte, s string, ok *[utf8.RuneSelf]bool, html bool) []byte {
	i := 0
	if !html {
		for i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
		}
	}
	for i < len(s) && s[i] < utf8.RuneSelf && ok[s[i]] {
		i++
	}
	b = append(b, '"')
	if i == len(s) { // the usual string, which needs no escape
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for i < len(s) {
		if !html && i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
			continue
		}
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

// plain8 reports whether the 8 bytes of s are all ASCII that stands for
// itself in a JSON string: no control byte, quote, backslash or non-ASCII.
func plain8(s string) bool {
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	below := (x - ones*0x20) &^ x // a byte under 0x20 sets its high bit
	quote, slash := x^(ones*'"'), x^(ones*'\\')
	zero := (quote-ones)&^quote | (slash-ones)&^slash // a byte that was '"' or '\\'
	return (below|zero|x)&highs == 0
}
