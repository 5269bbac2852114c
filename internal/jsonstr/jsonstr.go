// Package jsonstr quotes strings as JSON, for the trace's JSON lines and the
// HTML trace viewer's embedded data, without encoding/json's reflection.
package jsonstr

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// Append appends s quoted as a JSON string: the escapes JSON requires, and
// invalid UTF-8 replaced by U+FFFD as encoding/json does.
func Append(b []byte, s string) []byte { return appendQuoted(b, s, false) }

// AppendScript is Append for a string that is also safe inside an HTML
// <script> element: '<', '>' and '&' are escaped too, so "</script>" or
// "<!--" in a message cannot end the element.
func AppendScript(b []byte, s string) []byte { return appendQuoted(b, s, true) }

func appendQuoted(b []byte, s string, html bool) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b = appendJSONByte(b, c, html)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func appendJSONByte(b []byte, c byte, html bool) []byte {
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
	if c < 0x20 || html && (c == '<' || c == '>' || c == '&') {
		return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(b, c)
}
