package trace

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// The decoder's strings: JSON's escapes, and UTF-8 checked, since a trace
// holds only valid UTF-8 (AppendJSON replaces invalid bytes with U+FFFD).

// str parses a JSON string. The result aliases the line or d.tmp: it is
// valid until the next call.
func (d *decoder) str() ([]byte, error) {
	if err := d.expect('"'); err != nil {
		return nil, err
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return s, d.validUTF8(s, start)
		case c == '\\':
			d.tmp = append(d.tmp[:0], d.b[start:d.i]...)
			return d.escaped(start)
		case c < 0x20:
			return nil, fmt.Errorf("byte %d: control character 0x%02x in string", d.i+1, c)
		}
		d.i++
	}
	return nil, errEOL
}

// escaped finishes a string that has escapes, unescaping into d.tmp.
func (d *decoder) escaped(start int) ([]byte, error) {
	if err := d.validUTF8(d.tmp, start); err != nil {
		return nil, err
	}
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return d.tmp, nil
		case c == '\\':
			if err := d.escape(); err != nil {
				return nil, err
			}
			continue
		case c < 0x20:
			return nil, fmt.Errorf("byte %d: control character 0x%02x in string", d.i+1, c)
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.b[d.i:])
			if r == utf8.RuneError && size == 1 {
				return nil, fmt.Errorf("byte %d: invalid UTF-8 in string", d.i+1)
			}
			d.tmp = append(d.tmp, d.b[d.i:d.i+size]...)
			d.i += size
			continue
		}
		d.tmp = append(d.tmp, c)
		d.i++
	}
	return nil, errEOL
}

func (d *decoder) validUTF8(s []byte, start int) error {
	if utf8.Valid(s) {
		return nil
	}
	for i := 0; ; {
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("byte %d: invalid UTF-8 in string", start+i+1)
		}
		i += size
	}
}

// escape decodes one backslash escape into d.tmp.
func (d *decoder) escape() error {
	if d.i+1 >= len(d.b) {
		return errEOL
	}
	c := d.b[d.i+1]
	if c == 'u' {
		return d.unicodeEscape()
	}
	pos := d.i + 1 // of the backslash, counting from 1
	d.i += 2
	switch c {
	case '"', '\\', '/':
		d.tmp = append(d.tmp, c)
	case 'b':
		d.tmp = append(d.tmp, '\b')
	case 'f':
		d.tmp = append(d.tmp, '\f')
	case 'n':
		d.tmp = append(d.tmp, '\n')
	case 'r':
		d.tmp = append(d.tmp, '\r')
	case 't':
		d.tmp = append(d.tmp, '\t')
	default:
		return fmt.Errorf("byte %d: invalid escape \\%c", pos, c)
	}
	return nil
}

// unicodeEscape decodes \uXXXX, or a surrogate pair of them. A lone
// surrogate becomes U+FFFD, as in encoding/json.
func (d *decoder) unicodeEscape() error {
	r, err := d.hex4()
	if err != nil {
		return err
	}
	if utf16.IsSurrogate(r) {
		r2 := rune(-1)
		if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
			save := d.i
			if r2, err = d.hex4(); err != nil {
				return err
			}
			if utf16.DecodeRune(r, r2) == utf8.RuneError {
				d.i = save // r2 starts a pair of its own, or is a character
			}
		}
		r = utf16.DecodeRune(r, r2)
	}
	d.tmp = utf8.AppendRune(d.tmp, r)
	return nil
}

// hex4 decodes the \uXXXX at d.i.
func (d *decoder) hex4() (rune, error) {
	if len(d.b)-d.i < 6 {
		return 0, errEOL
	}
	var r rune
	for _, c := range d.b[d.i+2 : d.i+6] {
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, fmt.Errorf("byte %d: invalid escape \\%s", d.i+1, d.b[d.i+1:d.i+6])
		}
		r = r<<4 | rune(v)
	}
	d.i += 6
	return r, nil
}
