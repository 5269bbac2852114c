package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		in, plain, script string
	}{
		{"plain", `"plain"`, `"plain"`},
		{"q\"b\\", `"q\"b\\"`, `"q\"b\\"`},
		{"\n\r\t\x01", `"\n\r\t\u0001"`, `"\n\r\t\u0001"`},
		{"</script><!--&", `"</script><!--&"`, `"\u003c/script\u003e\u003c!--\u0026"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`, `"bad\ufffdutf8"`},
		{"line\u2028para\u2029", `"line\u2028para\u2029"`, `"line\u2028para\u2029"`},
		{"héllo", `"héllo"`, `"héllo"`},
		{"", `""`, `""`},
		{"7", `"7"`, `"7"`},
		{"42", `"42"`, `"42"`},
		{"999", `"999"`, `"999"`},
		{"\"", `"\""`, `"\""`},
		{"a\n", `"a\n"`, `"a\n"`},
		{"é", `"é"`, `"é"`},
		{"\xff", `"\ufffd"`, `"\ufffd"`},
		{"<a", `"<a"`, `"\u003ca"`},
		{"0123456789abcdefg", `"0123456789abcdefg"`, `"0123456789abcdefg"`},
		{"0123456789abcdef\"", `"0123456789abcdef\""`, `"0123456789abcdef\""`},
	}
	for _, tt := range tests {
		if got := string(Append([]byte("x"), tt.in)); got != "x"+tt.plain {
			t.Errorf("Append(%q) = %s, want %s", tt.in, got, "x"+tt.plain)
		}
		if got := string(AppendScript(nil, tt.in)); got != tt.script {
			t.Errorf("AppendScript(%q) = %s, want %s", tt.in, got, tt.script)
		}
		var back string
		if err := json.Unmarshal(AppendScript(nil, tt.in), &back); err != nil {
			t.Errorf("AppendScript(%q) is not JSON: %v", tt.in, err)
		}
	}
}

// FuzzAppendAsBefore: the quoting that copies runs of plain bytes at once
// writes the same bytes as the quoting one byte at a time it replaced
// (kept below as the reference), for every string.
func FuzzAppendAsBefore(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"b\\", "\n\r\t\x01\x1f\x7f", "</script><!--&",
		"bad\xffutf8", "line\u2028para\u2029", "héllo", "\xe2\x80", "a\x00b"} {
		f.Add(s)
	}
	// Every length the quoting takes a different way for (one to three
	// bytes, four to seven, eight and more with a rest), with a byte to
	// escape first, in the middle or last.
	for n := 1; n <= 17; n++ {
		for _, at := range []int{0, n / 2, n - 1} {
			b := []byte(strings.Repeat("abcdefgh", 3)[:n])
			b[at] = '"'
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{false, true} {
			got, want := Append(nil, s), referenceQuote(nil, s, html)
			if html {
				got = AppendScript(nil, s)
			}
			if string(got) != string(want) {
				t.Errorf("html %v: quoted %q as %s, want %s", html, s, got, want)
			}
		}
		for room := range 10 { // after other bytes, into a buffer of any room
			b := append(make([]byte, 0, 1+len(s)*room/4), 'x')
			if got, want := Append(b, s), referenceQuote([]byte("x"), s, false); string(got) != string(want) {
				t.Errorf("room %d: quoted %q as %s, want %s", room, s, got, want)
			}
		}
	})
}

// referenceQuote is the byte-at-a-time quoting of earlier versions.
func referenceQuote(b []byte, s string, html bool) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || html && (c == '<' || c == '>' || c == '&'):
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
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

// TestAppendWords: a byte that needs an escape, or one at the edge of
// those that do not, in any word of a string of eight bytes or more
// (and in the last one, that overlaps), is quoted as the byte-at-a-time
// reference quotes it.
func TestAppendWords(t *testing.T) {
	for n := 8; n <= 25; n++ {
		for at := range n {
			for _, c := range []byte{0x00, 0x1f, ' ', '"', '\\', '~', 0x7f, 0x80, 0xff} {
				b := []byte(strings.Repeat("abcdefgh", 4)[:n])
				b[at] = c
				if got, want := Append(nil, string(b)), referenceQuote(nil, string(b), false); string(got) != string(want) {
					t.Fatalf("quoted %q as %s, want %s", b, got, want)
				}
			}
		}
	}
}
