package trace

import (
	"encoding/binary"
	"log/slog"
	"strconv"
	"time"
)

// AppendText appends the one-line text form of r to b, without a newline.
//
//	t=1.234000s seq=47 rng=1203 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=41
//	t=2.500000s seq=49 rng=1211 Connection{id=5 PartitionRestore 10.0.1.1<->10.0.1.2} cause=12 infra
//	t=1.234000s seq=48 rng=1203 INFO [bank/client-2#12] transfer done amount=5
func AppendText(b []byte, r *Record) []byte {
	b = appendStamp(b, r)
	if r.Kind == KindLog {
		return appendLogText(b, r)
	}
	b = appendBody(b, r)
	if r.IsEvent() {
		b = append(b, " cause="...)
		b = appendUint(b, r.Cause)
		if r.Infra {
			b = append(b, " infra"...)
		}
	}
	return AppendAttrsText(b, r.Attrs)
}

func appendStamp(b []byte, r *Record) []byte {
	b = append(b, "t="...)
	b = AppendSeconds(b, r.At)
	b = append(b, " seq="...)
	b = appendUint(b, r.Seq)
	b = append(b, " rng="...)
	b = appendUint(b, r.RNG)
	return append(b, ' ')
}

// AppendSeconds appends d as seconds with six decimals ("1.234000s"), the
// time format of every trace line.
func AppendSeconds(b []byte, d time.Duration) []byte {
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	if d < 0 { // d was math.MinInt64, which has no positive
		return appendMinSeconds(b, d)
	}
	// As unsigned, the divisions are a multiply each.
	us := uint64(d) / uint64(time.Microsecond)
	s := us / 1e6
	b = appendUint(b, s)
	return binary.LittleEndian.AppendUint64(b, fractionWord(us-s*1e6))
}

// fractionWord is ".123456s" for frac 123,456 (under 1,000,000), as a
// little-endian word.
func fractionWord(frac uint64) uint64 {
	q := frac / 100
	return '.' | digits4(q)<<8 | uint64(pairs[uint8(frac-q*100)])<<40 | 's'<<56
}

// appendMinSeconds is AppendSeconds for math.MinInt64 after its sign, as
// the trace has always written it: the digits of a negative remainder.
func appendMinSeconds(b []byte, d time.Duration) []byte {
	us := int64(d / time.Microsecond)
	b = appendInt(b, us/1e6)
	frac := us % 1e6
	b = append(b, '.')
	for div := int64(1e5); div > 0; div /= 10 {
		b = append(b, byte('0'+frac/div%10))
	}
	return append(b, 's')
}

// appendBody writes Kind{obj=id Op "name" detail}; Op is left out when it
// repeats the kind (Timer{task=12 ...}).
func appendBody(b []byte, r *Record) []byte {
	b = append(b, r.Kind...)
	b = append(b, '{')
	sep := false
	if r.Obj != "" {
		b = append(b, r.Obj...)
		b = append(b, '=')
		b = appendUint(b, r.ID)
		sep = true
	}
	if r.Op != "" && r.Op != r.Kind {
		b = appendSep(b, sep)
		b = append(b, r.Op...)
		sep = true
	}
	if r.Name != "" {
		b = appendSep(b, sep)
		b = appendQuote(b, r.Name)
		sep = true
	}
	if r.Detail != "" {
		b = appendSep(b, sep)
		b = append(b, r.Detail...)
	}
	return append(b, '}')
}

func appendSep(b []byte, sep bool) []byte {
	if sep {
		return append(b, ' ')
	}
	return b
}

func appendLogText(b []byte, r *Record) []byte {
	b = append(b, LevelString(r.Level)...)
	b = append(b, " ["...)
	if r.TaskName != "" {
		b = append(b, r.TaskName...)
	} else {
		b = append(b, "world"...)
	}
	if r.Task != 0 {
		b = append(b, '#')
		b = appendUint(b, r.Task)
	}
	b = append(b, "] "...)
	b = append(b, r.Msg...)
	return AppendAttrsText(b, r.Attrs)
}

// AppendAttrsText appends attrs as a text trace line shows them: " key=value"
// each, with a leading space, values quoted when they hold a space, a quote
// or an equals sign.
func AppendAttrsText(b []byte, attrs []Attr) []byte {
	for _, a := range attrs {
		b = append(b, ' ')
		b = append(b, a.Key...)
		b = append(b, '=')
		if needsQuote(a.Value) {
			b = appendQuote(b, a.Value)
		} else {
			b = append(b, a.Value...)
		}
	}
	return b
}

// appendQuote is strconv.AppendQuote, without its rune decoding for the
// printable ASCII that names and values mostly are.
func appendQuote(b []byte, s string) []byte {
	i := 0
	for ; i+8 <= len(s); i += 8 { // eight bytes at a time
		if !printable8(le64(s[i:])) {
			return strconv.AppendQuote(b, s)
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// printable8 reports whether the eight bytes of x are printable ASCII
// other than a quote and a backslash: what appendQuote copies as it is.
func printable8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - ones*' ') &^ x // a byte under ' ' sets its high bit
	quote, slash, del := x^(ones*'"'), x^(ones*'\\'), x^(ones*0x7f)
	zero := (quote-ones)&^quote | (slash-ones)&^slash | (del-ones)&^del // a byte that was one of them
	return (below|zero|x)&highs == 0
}

// le64 is the first eight bytes of s as a little-endian word.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '"' || c == '=' || c >= 0x7f {
			return true
		}
	}
	return false
}

// LevelString names a level the way trace lines print it: TRACE, DEBUG, INFO,
// WARN, ERROR (with an offset for levels in between, as slog does).
func LevelString(l slog.Level) string {
	if l < slog.LevelDebug && l >= LevelTrace {
		if l == LevelTrace {
			return "TRACE"
		}
		return "TRACE+" + strconv.Itoa(int(l-LevelTrace))
	}
	return l.String()
}
