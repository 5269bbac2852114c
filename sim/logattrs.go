package sim

import (
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"time"
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
	plain bool // add has met only attributes of a shape (see attrShape)
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
		f.plain = false
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
		f.plain = false
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			h = f.add(h, p, g)
		}
		return h
	}
	if k != slog.KindString || a.Key == "" {
		f.plain = false
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

// maxShape is the most attributes of a record whose shape attrShapes
// keeps.
const maxShape = 8

// maxKeyWords is the most words that hashString folds for the key of a
// shape: keys of at most maxShapeKey bytes (its length, its whole words,
// and the last, of fewer than eight bytes).
const (
	maxKeyWords = 5
	maxShapeKey = 8*(maxKeyWords-1) - 1
)

// attrShapes remembers the shapes of recent kinds of log record, by
// message: a record of a shape it knows has its attributes hashed,
// formatted and put in their sorted places in one pass (addShaped)
// instead of formatted by add and sorted after. A message is learned the
// second time it comes to its pair of slots while it is one of the last
// two to come there, so that messages made anew for each record cost a
// look, and not learning, and leave the shapes learned as they are.
type attrShapes struct {
	e    [shapeSlots]*attrShape
	seen [shapeSlots]string // the messages that came to each pair of slots last and are not learned
	hits int                // records formatted by their shape, for tests
}

// shapeSlots is how many shapes attrShapes keeps at most: a message is
// kept in one of a pair of slots, chosen by where its string lies.
const shapeSlots = 32

// attrShape is what the log records of one call site share: the message,
// and the keys of their attributes in the order they come, each of an
// Int64 or a String and at most maxShapeKey bytes. The message and keys
// are compared by address and length: the shape keeps their strings,
// whose bytes cannot change nor their memory be reused meanwhile.
type attrShape struct {
	msg   string
	n     int // the attributes; 0: the message's records are not of a shape; -1: not learned yet
	keys  [maxShape]string
	words [maxShape][maxKeyWords]uint64 // what hashString folds for each key
	nw    [maxShape]uint8
	dst   [maxShape]uint8 // the place of the i-th attribute once sorted
}

// sameString reports whether a and b are the same non-empty string, at
// the same address.
func sameString(a, b string) bool {
	return len(a) == len(b) && len(a) > 0 && unsafe.StringData(a) == unsafe.StringData(b)
}

// find returns the shape of the records of msg, or nil when it knows
// none. A shape it returns not learned yet is to be learned from the
// record (attrShape.learn).
func (s *attrShapes) find(msg string) *attrShape {
	p := uintptr(unsafe.Pointer(unsafe.StringData(msg)))
	i := (p ^ p>>4 ^ p>>9 ^ uintptr(len(msg))) % shapeSlots
	if e := s.e[i]; e != nil && sameString(e.msg, msg) {
		return e
	}
	if e := s.e[i^1]; e != nil && sameString(e.msg, msg) {
		return e
	}
	return s.miss(i, msg)
}

// miss is find for msg, of slot i, when neither slot of its pair holds
// its shape: it notes msg as seen in slot i, the message seen there moved
// to the other slot; or when msg was seen already, it returns a shape not
// learned yet for it in slot i, the shape there moved to the other slot.
func (s *attrShapes) miss(i uintptr, msg string) *attrShape {
	switch {
	case sameString(s.seen[i], msg):
		s.seen[i] = ""
	case sameString(s.seen[i^1], msg):
		s.seen[i^1] = ""
	default:
		s.seen[i], s.seen[i^1] = msg, s.seen[i]
		return nil
	}
	e := s.e[i^1]
	if e == nil {
		e = new(attrShape)
	}
	s.e[i], s.e[i^1] = e, s.e[i]
	e.msg, e.n = msg, -1
	return e
}

// learn makes e the shape of a record whose attributes, formatted by add
// in the order they came, are a, when ok says add met only attributes a
// shape may have; else it notes that the message's records have none.
func (e *attrShape) learn(a []trace.Attr, ok bool) {
	e.n = 0
	if !ok || len(a) == 0 || len(a) > maxShape {
		return
	}
	var src [maxShape]uint8
	for i := range a {
		if len(a[i].Key) > maxShapeKey {
			return
		}
		e.keys[i], src[i] = a[i].Key, uint8(i)
		e.nw[i] = uint8(stringWords(&e.words[i], a[i].Key))
	}
	for i := 1; i < len(a); i++ { // a stable insertion sort, as sortAttrs sorts
		for j := i; j > 0 && keyLess(a[src[j]].Key, a[src[j-1]].Key); j-- {
			src[j], src[j-1] = src[j-1], src[j]
		}
	}
	for place, i := range src[:len(a)] {
		e.dst[i] = uint8(place)
	}
	e.n = len(a)
}

// stringWords sets w to the words that hashString folds for s, of at most
// maxShapeKey bytes, and returns how many.
func stringWords(w *[maxKeyWords]uint64, s string) int {
	w[0] = uint64(len(s))
	n, t := 1, s
	for ; len(t) >= 8; t = t[8:] {
		w[n] = load8(t)
		n++
	}
	switch m := len(t); {
	case m == 0:
		w[n] = 0
	case len(s) >= 8:
		w[n] = load8(s[len(s)-8:]) >> (64 - 8*m)
	case m >= 4:
		w[n] = uint64(load4(t)) | uint64(load4(t[m-4:]))>>(8*(8-m))<<32
	default:
		w[n] = uint64(t[0]) | uint64(t[m/2])<<(8*(m/2)) | uint64(t[m-1])<<(8*(m-1))
	}
	return n + 1
}

// addShaped adds sr's attributes, which are of shape s, as add adds them
// and in their sorted places, and returns h with them folded in and true;
// or, when they are not of s after all, h and false, having added
// nothing.
func (f *attrFormatter) addShaped(h uint64, sr *slog.Record, s *attrShape) (uint64, bool) {
	front, back := recordAttrs(sr)
	if len(front)+len(back) != s.n {
		return h, false
	}
	base := len(f.attrs)
	f.attrs = slices.Grow(f.attrs, s.n)
	at := f.attrs[base : base+s.n]
	hs, ok := f.putShaped(h, s, front, 0, at)
	if ok && len(back) > 0 {
		hs, ok = f.putShaped(hs, s, back, len(front), at)
	}
	if !ok {
		return h, false
	}
	f.attrs = f.attrs[:base+s.n]
	return hs, true
}

// putShaped formats as, the attributes of a record of shape s from the
// i0-th on, into their places in at, and returns h with them folded in
// and true; or false, having added no bytes to f's, when one is not of s.
// It folds the key's words as hashKey does, inlined.
func (f *attrFormatter) putShaped(h uint64, s *attrShape, as []slog.Attr, i0 int, at []trace.Attr) (uint64, bool) {
	buf := f.buf
	for j := range as {
		a, i := &as[j], i0+j
		if !sameString(a.Key, s.keys[i]) {
			return h, false
		}
		w := &s.words[i]
		if h = mix(mix(h, w[0]), w[1]); s.nw[i] > 2 {
			if h = mix(h, w[2]); s.nw[i] > 3 {
				if h = mix(h, w[3]); s.nw[i] > 4 {
					h = mix(h, w[4])
				}
			}
		}
		var v string
		switch k := a.Value.Kind(); k {
		case slog.KindInt64:
			n, nb := int64Of(a.Value), len(buf)
			switch {
			case uint64(n) < 10:
				buf = append(buf, byte('0'+n))
			case uint64(n) < 100:
				buf = append(buf, byte('0'+n/10), byte('0'+n%10))
			default:
				buf = appendInt(buf, n)
			}
			v, h = unsafe.String(&buf[nb], len(buf)-nb), mix(mix(h, uint64(k)), uint64(n))
		case slog.KindString:
			v = a.Value.String()
			h = hashString(mix(h, uint64(k)), v)
		default:
			return h, false
		}
		at[s.dst[i]] = trace.Attr{Key: a.Key, Value: v}
	}
	f.buf = buf
	return h, true
}

// hashKey folds the key of s's i-th attribute into h, as hashString does
// and putShaped does inline: two words to five.
func (s *attrShape) hashKey(h uint64, i int) uint64 {
	w, n := &s.words[i], s.nw[i]
	h = mix(mix(h, w[0]), w[1])
	if n > 2 {
		h = mix(h, w[2])
		if n > 3 {
			h = mix(h, w[3])
			if n > 4 {
				h = mix(h, w[4])
			}
		}
	}
	return h
}

// slogRecord is slog.Record as laid out, for recordAttrs.
type slogRecord struct {
	Time    time.Time
	Message string
	Level   slog.Level
	PC      uintptr
	front   [5]slog.Attr
	nFront  int
	back    []slog.Attr
}

// recordLaidOut says whether slog.Record is laid out as slogRecord: its
// fields the same, at the same offsets. Records are of a shape only then.
var recordLaidOut = sameLayout(reflect.TypeFor[slog.Record](), reflect.TypeFor[slogRecord]())

// sameLayout reports whether structs a and b have the same fields (names,
// types, offsets) and size.
func sameLayout(a, b reflect.Type) bool {
	if a.Size() != b.Size() || a.NumField() != b.NumField() {
		return false
	}
	for i := range a.NumField() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || fa.Type != fb.Type || fa.Offset != fb.Offset {
			return false
		}
	}
	return true
}

// recordAttrs returns sr's attributes, read in place: those slog keeps in
// the record, and the rest. slog.Record must be laid out as slogRecord
// (recordLaidOut).
func recordAttrs(sr *slog.Record) (front, back []slog.Attr) {
	r := (*slogRecord)(unsafe.Pointer(sr))
	return r.front[:r.nFront], r.back
}
