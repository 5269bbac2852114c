package orrery

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseSeed: a seed printed in hex (as replay commands print it) or in
// decimal parses back to itself, and only those forms parse: what
// ParseSeed accepts is, spaces around it aside, the decimal form of its
// value or 0x and hex digits of its value (case and leading zeros free).
// No input panics.
func FuzzParseSeed(f *testing.F) {
	for _, s := range []string{"0x2a", "42", " 7 ", "0xZZ", "", "-1", "0x10000000000000000",
		"052", "0b101", "0o52", "1_000", "0x_2a", "+42", "0X2A", "0x002a", "00", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSeed(s)
		if err != nil {
			return
		}
		for _, form := range []string{fmt.Sprintf("%#x", v), strconv.FormatUint(v, 10)} {
			if back, err := ParseSeed(form); err != nil || back != v {
				t.Errorf("ParseSeed(%q) = %#x, printed as %s parses back to %#x, %v", s, v, form, back, err)
			}
		}
		if !seedForm(strings.TrimSpace(s), v) {
			t.Errorf("ParseSeed(%q) = %#x: that is neither its decimal nor its 0x hex form", s, v)
		}
	})
}

// seedForm reports whether s is v in decimal, or 0x followed by v's hex
// digits (any case, any leading zeros).
func seedForm(s string, v uint64) bool {
	if s == strconv.FormatUint(v, 10) {
		return true
	}
	hex, ok := strings.CutPrefix(strings.ToLower(s), "0x")
	trimmed := strings.TrimLeft(hex, "0")
	return ok && hex != "" && (trimmed == strconv.FormatUint(v, 16) || (trimmed == "" && v == 0))
}

// TestParseSeedForms: octal, binary, underscores and signs are not seeds.
func TestParseSeedForms(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0x2a", 0x2a, true}, {"42", 42, true}, {"0X2A", 0x2a, true}, {"0x002a", 0x2a, true}, {"0", 0, true},
		{"052", 0, false}, {"0o52", 0, false}, {"0b101010", 0, false}, {"1_000", 0, false},
		{"0x_2a", 0, false}, {"+42", 0, false}, {"0x", 0, false}, {"00", 0, false},
	} {
		got, err := ParseSeed(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSeed(%q) = %#x, %v; want %#x, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
