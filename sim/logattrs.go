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

// maxOrder is the most attributes of a record whose order attrOrders
// keeps.
const maxOrder = 8

// attrOrders remembers how the attributes of the last few kinds of log
// record were sorted, so that a record whose keys are those of one of
// them, the same strings in the same order (as one log call's constant
// keys are), is sorted by moving each attribute once to its place, without
// comparing keys. The keys are compared by address and length: an entry
// keeps its key strings, whose bytes cannot change nor their memory be
// reused meanwhile.
type attrOrders struct {
	e    [4]attrOrder
	next int // the entry to replace next
}

// attrOrder is the order of one sequence of keys: the attribute at src[i]
// of a record with these keys goes to place i. The moves make cycles, each
// begun at one of cycles' places.
type attrOrder struct {
	n      int
	keys   [maxOrder]string
	src    [maxOrder]uint8
	cycles []uint8
}

// sort sorts a by key as sortAttrs does.
func (o *attrOrders) sort(a []trace.Attr) {
	if len(a) < 2 || len(a) > maxOrder {
		sortAttrs(a)
		return
	}
	for i := range o.e {
		if e := &o.e[i]; e.holds(a) {
			e.apply(a)
			return
		}
	}
	e := &o.e[o.next]
	o.next = (o.next + 1) % len(o.e)
	e.learn(a)
	e.apply(a)
}

// holds reports whether a's keys are e's, the same strings.
func (e *attrOrder) holds(a []trace.Attr) bool {
	if e.n != len(a) {
		return false
	}
	for i := range a {
		k := e.keys[i]
		if len(k) != len(a[i].Key) || unsafe.StringData(k) != unsafe.StringData(a[i].Key) {
			return false
		}
	}
	return true
}

// learn makes e the order of a's keys: a stable insertion sort of their
// places, as sortAttrs sorts the attributes.
func (e *attrOrder) learn(a []trace.Attr) {
	e.n = len(a)
	for i := range a {
		e.keys[i], e.src[i] = a[i].Key, uint8(i)
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && keyLess(a[e.src[j]].Key, a[e.src[j-1]].Key); j-- {
			e.src[j], e.src[j-1] = e.src[j-1], e.src[j]
		}
	}
	e.cycles = e.cycles[:0]
	var seen [maxOrder]bool
	for i := range a {
		if seen[i] || int(e.src[i]) == i {
			continue
		}
		e.cycles = append(e.cycles, uint8(i))
		for j := i; !seen[j]; j = int(e.src[j]) {
			seen[j] = true
		}
	}
}

// apply moves a's attributes to their places in e's order, each once:
// along each cycle, the attribute at its start set aside and written last.
func (e *attrOrder) apply(a []trace.Attr) {
	for _, c := range e.cycles {
		i := int(c)
		t := a[i]
		for {
			s := int(e.src[i])
			if s == int(c) {
				a[i] = t
				break
			}
			a[i] = a[s]
			i = s
		}
	}
}
