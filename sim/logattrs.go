package sim

import (
	"log/slog"
	"strconv"
	"unsafe"

	"github.com/orrerysim/orrery/trace"
)

// attrFormatter turns a log record's slog attributes into trace attributes,
// as trace.AppendSlogAttr does (groups flattened into dotted keys, values
// resolved, empty keys dropped), appending them to attrs, and formats the
// numbers and booleans of a record into buf, which their strings share,
// instead of a string each. A buffer that grows leaves the strings made
// before in its old array, which they keep: the strings are valid until
// the bytes they hold are written again.
type attrFormatter struct {
	attrs []trace.Attr
	buf   []byte
}

// reset starts a record whose attributes are appended to attrs, and its
// numbers to buf.
func (f *attrFormatter) reset(attrs []trace.Attr, buf []byte) {
	f.attrs, f.buf = attrs, buf
}

// add appends a, formatted as slog.Value.String formats it, and returns h
// with a folded in as hashSlogAttr folds it: one pass over a record's
// attributes both hashes and formats them.
func (f *attrFormatter) add(h uint64, prefix string, a slog.Attr) uint64 {
	v, k := a.Value, a.Value.Kind() // resolve, inlined: most values are not LogValuers
	if k == slog.KindLogValuer {
		v = v.Resolve()
		k = v.Kind()
	}
	h = mix(hashString(h, a.Key), uint64(k))
	if k == slog.KindInt64 && a.Key != "" { // the usual number, formatted and hashed at once
		n := int64Of(v)
		var b []byte
		switch {
		case uint64(n) < 10: // most log numbers: appended here, without a call
			b = append(f.buf, byte('0'+n))
		case uint64(n) < 100:
			b = append(f.buf, byte('0'+n/10), byte('0'+n%10))
		default:
			b = appendInt(f.buf, n)
		}
		f.number(prefix, a.Key, b)
		return mix(h, uint64(n))
	}
	if k == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			h = f.add(h, p, g)
		}
		return h
	}
	if a.Key != "" {
		f.format(prefix, a.Key, v, k)
	}
	return hashValue(h, v, k)
}

// int64Of is v.Int64() for a value of kind Int64, read in place: Int64,
// which checks the kind again, is not inlined, and cost a call per number.
// It reads the value's first word, which holds the number (see
// TestInt64Of).
func int64Of(v slog.Value) int64 { return *(*int64)(unsafe.Pointer(&v)) }

// resolve returns v.Resolve() and its kind, calling Resolve, which defers
// a recover, only for a LogValuer, which log values seldom are.
func resolve(v slog.Value) (slog.Value, slog.Kind) {
	k := v.Kind()
	if k == slog.KindLogValuer {
		v = v.Resolve()
		k = v.Kind()
	}
	return v, k
}

// format appends the attribute key with prefix and the value v, of kind k.
func (f *attrFormatter) format(prefix, key string, v slog.Value, k slog.Kind) {
	switch k {
	case slog.KindInt64:
		f.number(prefix, key, appendInt(f.buf, v.Int64()))
	case slog.KindUint64:
		f.number(prefix, key, strconv.AppendUint(f.buf, v.Uint64(), 10))
	case slog.KindFloat64:
		f.number(prefix, key, strconv.AppendFloat(f.buf, v.Float64(), 'g', -1, 64))
	case slog.KindBool:
		f.number(prefix, key, strconv.AppendBool(f.buf, v.Bool()))
	default: // a string costs nothing; the rest format as slog does
		if prefix != "" {
			key = prefix + key
		}
		f.attrs = append(f.attrs, trace.Attr{Key: key, Value: v.String()})
	}
}

// number appends the attribute key with prefix, whose value buf holds
// after f.buf's bytes: buf is f.buf with the value appended.
func (f *attrFormatter) number(prefix, key string, buf []byte) {
	if prefix != "" {
		key = prefix + key
	}
	f.attrs = append(f.attrs, trace.Attr{Key: key, Value: bytesString(buf[len(f.buf):])})
	f.buf = buf
}

// appendInt is strconv.AppendInt(b, v, 10), quicker for the numbers under
// 1000 that logs mostly hold.
func appendInt(b []byte, v int64) []byte {
	switch {
	case v < 0 || v >= 1000:
		return strconv.AppendInt(b, v, 10)
	case v < 10:
		return append(b, byte('0'+v))
	case v < 100:
		return append(b, byte('0'+v/10), byte('0'+v%10))
	}
	return append(b, byte('0'+v/100), byte('0'+v/10%10), byte('0'+v%10))
}
