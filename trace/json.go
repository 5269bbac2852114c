package trace

import (
	"encoding/binary"
	"log/slog"
	"time"
	"unsafe"

	"github.com/orrerysim/orrery/internal/jsonstr"
)

// AppendJSON appends r as one JSON object to b, without a newline. Fields
// always present: t (nanoseconds), seq, rng, kind, cause, infra, task; the
// others only when set. Attributes are an object with keys in sorted order,
// so equal records encode to equal bytes.
//
//	{"t":1234000000,"seq":48,"rng":1203,"kind":"Timer","op":"Timer","obj":"task","id":12,"name":"bank/client-2","cause":30,"infra":false,"task":7}
func AppendJSON(b []byte, r *Record) []byte {
	var e *JSONEncoder // no cache
	return e.appendTail(appendJSONHead(appendJSONStamp(b, r), r), r)
}

// appendJSONStamp appends the opening brace and the fields t, seq and rng.
func appendJSONStamp(b []byte, r *Record) []byte {
	b = append(b, `{"t":`...)
	b = appendInt(b, int64(r.At))
	b = append(b, `,"seq":`...)
	b = appendUint(b, r.Seq)
	b = append(b, `,"rng":`...)
	return appendUint(b, r.RNG)
}

// appendJSONHead appends the fields level, kind, op and obj: those that
// the records of one operation share.
func appendJSONHead(b []byte, r *Record) []byte {
	b = append(b, `,"level":`...)
	b = appendJSONLevel(b, r.Level)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, r.Kind)
	b = appendStringField(b, `,"op":`, r.Op)
	return appendStringField(b, `,"obj":`, r.Obj)
}

// appendTail appends the fields from id on and the closing brace,
// quoting the strings that records repeat through e's cache (see
// appendKnown), or when e is nil, each anew.
func (e *JSONEncoder) appendTail(b []byte, r *Record) []byte {
	if r.ID != 0 || r.Obj != "" {
		b = append(b, `,"id":`...)
		b = appendUint(b, r.ID)
	}
	if r.Name != "" {
		b = e.appendKnown(append(b, `,"name":`...), r.Name)
	}
	if r.Detail != "" {
		b = e.appendDetail(b, r)
	}
	b = append(b, `,"cause":`...)
	b = appendUint(b, r.Cause)
	if r.Infra { // in pieces of 16 bytes or fewer, which are copied without a call
		b = append(b, `,"infra":true,`...)
	} else {
		b = append(b, `,"infra":false,`...)
	}
	b = appendUint(append(b, `"task":`...), r.Task)
	if r.Msg == "" && r.TaskName == "" && len(r.Attrs) == 0 { // an event
		return append(b, '}')
	}
	if e != nil && r.Msg != "" && len(r.Attrs) > 0 && len(r.Attrs) <= maxShapeKeys {
		return e.appendShaped(b, r)
	}
	return e.appendLogTail(b, r)
}

// JSONEncoder encodes records as AppendJSON does, and remembers the
// encoded level, kind, op and obj of the records it has written, and the
// quoted form of their short names, task names, messages, attribute keys
// and details: a run's thousands of records repeat a few dozen of each,
// which it then copies instead of quoting anew. It keeps the strings of those
// fields, which Go's strings being immutable makes safe: those fields
// must not be strings made with package unsafe over bytes that are
// written again (a record's detail and attribute values may be). The
// zero value is ready to use; an encoder is not safe for concurrent use.
type JSONEncoder struct {
	heads   [64]jsonHead
	known   [128]knownString
	shapes  [16]jsonShape
	details [32]jsonDetail
	// at is the time of the last record, and t[:tn] the opening of its
	// records up to their seq, `{"t":1234,"seq":`: a step's records
	// share it.
	at time.Duration
	t  [32]byte
	tn int
}

// knownString is the quoted form q of s.
type knownString struct {
	s string
	q []byte
}

// maxKnown is the length of the longest string an encoder keeps quoted.
const maxKnown = 64

// appendKnown appends s quoted, the quoted form copied from e's cache
// when e has quoted s before. The slot is chosen by where s lies, which
// for the strings records repeat (a task's name, a log call's message and
// keys) is one place each, so that finding s mostly compares pointers.
func (e *JSONEncoder) appendKnown(b []byte, s string) []byte {
	if e == nil || len(s) > maxKnown {
		return appendJSONString(b, s)
	}
	i := e.knownSlot(s)
	k := &e.known[i]
	if k.q == nil || !same(k.s, s) {
		k = e.knownMiss(i, s)
	}
	return append(b, k.q...)
}

// knownSlot is the slot where s is looked for first.
func (e *JSONEncoder) knownSlot(s string) uintptr {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return (p>>3 ^ p>>10 ^ uintptr(len(s))) % uintptr(len(e.known))
}

// knownMiss returns the slot that holds s quoted when the slot i, where
// s is looked for first, holds another string: the slot next to it, if
// it holds s, or else slot i, after the string there has moved to the
// next one and s has been quoted. Two strings that are looked for in one
// slot are then kept both, one in each (see nextSlot).
func (e *JSONEncoder) knownMiss(i uintptr, s string) *knownString {
	k, alt := &e.known[i], &e.known[nextSlot(i)]
	if alt.q != nil && same(alt.s, s) {
		return alt
	}
	*k, *alt = *alt, *k
	k.s, k.q = s, appendJSONString(k.q[:0], s)
	return k
}

// nextSlot is the slot next to slot i of a table of an even number of
// slots, in which an entry that another entry displaced from slot i is
// kept.
func nextSlot(i uintptr) uintptr { return i ^ 1 }

// jsonDetail is a detail that an encoder quoted, a copy of its bytes
// (src), and the field it made of it, `,"detail":"…"`; and when the
// detail's record said it was kept (Record.DetailKept), the detail itself
// (kept). A record's detail may be a string over bytes that are written
// again (see JSONEncoder), so the encoder compares a detail's bytes, not
// only where they lie, with those of the one it quoted, unless both are
// kept; where they lie chooses the slot, which for a detail a writer keeps
// and repeats (a connection's "bytes=64 ...") is one place.
type jsonDetail struct {
	src, q []byte
	kept   string
}

// maxDetail is the length of the longest detail an encoder keeps quoted.
const maxDetail = 128

// appendDetail appends the field `,"detail":` of r's detail, which is not
// empty, copied from e's cache when e has quoted the same bytes in the
// detail's slot before: for a kept detail, the same string.
func (e *JSONEncoder) appendDetail(b []byte, r *Record) []byte {
	s := r.Detail
	if e == nil || len(s) > maxDetail {
		return appendJSONString(append(b, `,"detail":`...), s)
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	d := &e.details[(p>>3^p>>10^uintptr(len(s)))%uintptr(len(e.details))]
	if r.DetailKept && len(d.kept) == len(s) && unsafe.StringData(d.kept) == unsafe.StringData(s) {
		return append(b, d.q...)
	}
	if string(d.src) != s || d.q == nil {
		d.src = append(d.src[:0], s...)
		d.q = appendJSONString(append(d.q[:0], `,"detail":`...), s)
		d.kept = ""
	}
	if r.DetailKept {
		d.kept = s
	}
	return append(b, d.q...)
}

// jsonHead is the encoded head of the records with these fields.
type jsonHead struct {
	level         slog.Level
	kind, op, obj string
	b             []byte
}

// Append appends r as one JSON object to b, without a newline, as
// AppendJSON does.
func (e *JSONEncoder) Append(b []byte, r *Record) []byte {
	if r.At != e.at || e.tn == 0 {
		e.at, e.tn = r.At, len(append(appendInt(append(e.t[:0], `{"t":`...), int64(r.At)), `,"seq":`...))
	}
	b = append(b, e.t[:e.tn]...)
	b = appendUint(b, r.Seq)
	b = append(b, `,"rng":`...)
	b = appendUint(b, r.RNG)
	i := e.headSlot(r) // see headMiss
	h := &e.heads[i]
	if !h.holds(r) {
		if h = &e.heads[nextSlot(i)]; !h.holds(r) {
			h = e.headMiss(i, r)
		}
	}
	return e.appendTail(append(b, h.b...), r)
}

// headSlot is the slot where the head of r is looked for first.
func (e *JSONEncoder) headSlot(r *Record) uintptr {
	p := uintptr(unsafe.Pointer(unsafe.StringData(r.Op))) ^ uintptr(unsafe.Pointer(unsafe.StringData(r.Kind)))<<1
	return (p>>4 ^ p>>10 ^ uintptr(r.Level)) % uintptr(len(e.heads))
}

// holds reports whether h is the head of r.
func (h *jsonHead) holds(r *Record) bool {
	return h.b != nil && h.level == r.Level && same(h.kind, r.Kind) && same(h.op, r.Op) && same(h.obj, r.Obj)
}

// headMiss returns the head of r, encoded anew, when neither its slot i,
// where it is looked for first, nor the slot next to it holds it: in slot
// i, after the head there has moved to the next one, as in knownMiss. The
// slot is chosen by where the strings of kind and op lie, which for the
// constants an engine writes is one place each, so that comparing the
// fields mostly compares their pointers.
func (e *JSONEncoder) headMiss(i uintptr, r *Record) *jsonHead {
	h, alt := &e.heads[i], &e.heads[nextSlot(i)]
	*h, *alt = *alt, *h
	h.level, h.kind, h.op, h.obj = r.Level, r.Kind, r.Op, r.Obj
	h.b = appendJSONHead(h.b[:0], r)
	return h
}

// appendStringField appends key (`,"op":`) and v, unless v is empty.
func appendStringField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(append(b, key...), v)
}

// appendJSONLevel appends the level's name as a JSON string, the usual
// levels without quoting them anew.
func appendJSONLevel(b []byte, l slog.Level) []byte {
	switch l {
	case LevelTrace:
		return append(b, `"TRACE"`...)
	case slog.LevelDebug:
		return append(b, `"DEBUG"`...)
	case slog.LevelInfo:
		return append(b, `"INFO"`...)
	case slog.LevelWarn:
		return append(b, `"WARN"`...)
	case slog.LevelError:
		return append(b, `"ERROR"`...)
	}
	return appendJSONString(b, LevelString(l))
}

// appendJSONString quotes s as a JSON string.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s) }

// same reports whether a and b are equal, without comparing their bytes
// when they are the same bytes.
func same(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// maxShapeKeys is the most attributes of a log record whose shape an
// encoder keeps, and maxShapeBytes the longest its encoded form may be.
const (
	maxShapeKeys  = 8
	maxShapeBytes = 512
)

// jsonShape is the encoded form of what a log record with this task
// name, message and attribute keys (in this order) writes from its task
// name on, but for the attributes' values: b[:ends[0]] is
// `,"task_name":"…","msg":"…","attrs":{"key0":`, and b[ends[i-1]:ends[i]]
// is `,"keyi":`, which short[i] holds too when it is 16 bytes or fewer.
// The log records of one call repeat one shape, whose strings lie in one
// place each.
type jsonShape struct {
	taskName, msg string
	n             int
	keys          [maxShapeKeys]string
	ends          [maxShapeKeys]uint16
	short         [maxShapeKeys]shortPiece
	b             []byte
}

// shortPiece is a piece of four to sixteen bytes, n of them (none when n
// is 0), as two words that overlap when it has fewer than sixteen: its
// first eight bytes and its last eight, or with fewer than eight, its
// first four and its last four. Stored as words, it is copied without a
// call.
type shortPiece struct {
	lo, hi uint64
	n      uint8
}

// newShortPiece returns p as a shortPiece, of no bytes if it has fewer
// than four or more than sixteen.
func newShortPiece(p []byte) shortPiece {
	switch n := len(p); {
	case n >= 8 && n <= 16:
		return shortPiece{binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint64(p[n-8:]), uint8(n)}
	case n >= 4 && n < 8:
		return shortPiece{uint64(binary.LittleEndian.Uint32(p)), uint64(binary.LittleEndian.Uint32(p[n-4:])), uint8(n)}
	}
	return shortPiece{}
}

// append appends the piece to b, which has room for it.
func (p *shortPiece) append(b []byte) []byte {
	n, m := len(b), int(p.n)
	b = b[:n+m]
	if m >= 8 {
		binary.LittleEndian.PutUint64(b[n:], p.lo)
		binary.LittleEndian.PutUint64(b[n+m-8:], p.hi)
	} else {
		binary.LittleEndian.PutUint32(b[n:], uint32(p.lo))
		binary.LittleEndian.PutUint32(b[n+m-4:], uint32(p.hi))
	}
	return b
}

// appendShaped appends the fields of r from task_name on and the closing
// brace, as appendTail does, r being a log record with a message and
// from one to maxShapeKeys attributes: through the shape of r's task name,
// message and keys, that e keeps, when it has one and r's strings are
// short enough to keep one.
func (e *JSONEncoder) appendShaped(b []byte, r *Record) []byte {
	i := e.shapeSlot(r)
	s := &e.shapes[i]
	if !s.holds(r) {
		if s = e.shapeMiss(i, r); s == nil {
			return e.appendLogTail(b, r)
		}
	}
	b = append(b, s.b[:s.ends[0]]...)
	b = appendJSONString(b, r.Attrs[0].Value)
	for i := 1; i < len(r.Attrs); i++ {
		if p := &s.short[i]; p.n != 0 && cap(b)-len(b) >= int(p.n) {
			b = p.append(b)
		} else {
			b = append(b, s.b[s.ends[i-1]:s.ends[i]]...)
		}
		b = appendJSONString(b, r.Attrs[i].Value)
	}
	return append(b, '}', '}')
}

// shapeSlot is the slot where the shape of r is looked for first.
func (e *JSONEncoder) shapeSlot(r *Record) uintptr {
	p := uintptr(unsafe.Pointer(unsafe.StringData(r.Msg)))
	return (p>>3 ^ p>>10 ^ uintptr(len(r.Attrs))) % uintptr(len(e.shapes))
}

// shapeMiss returns the shape of r when its slot i holds another: as
// knownMiss does, from the slot next to it, or learnt anew in slot i; or
// nil if r's shape is too long to keep.
func (e *JSONEncoder) shapeMiss(i uintptr, r *Record) *jsonShape {
	s, alt := &e.shapes[i], &e.shapes[nextSlot(i)]
	if alt.holds(r) {
		return alt
	}
	*s, *alt = *alt, *s
	if !s.learn(r) {
		return nil
	}
	return s
}

// holds reports whether s is the shape of r.
func (s *jsonShape) holds(r *Record) bool {
	if s.n != len(r.Attrs) || !same(s.msg, r.Msg) || !same(s.taskName, r.TaskName) {
		return false
	}
	keys := s.keys[:len(r.Attrs)]
	for i := range keys { // first by where they lie, as they mostly do
		if k := r.Attrs[i].Key; len(keys[i]) != len(k) || unsafe.StringData(keys[i]) != unsafe.StringData(k) {
			return s.sameKeys(r)
		}
	}
	return true
}

// sameKeys reports whether r's keys are those of s, in order.
func (s *jsonShape) sameKeys(r *Record) bool {
	for i := range r.Attrs {
		if !same(s.keys[i], r.Attrs[i].Key) {
			return false
		}
	}
	return true
}

// learn makes s the shape of r, unless its encoded form is longer than
// maxShapeBytes: then it reports false, and s is left holding no shape.
func (s *jsonShape) learn(r *Record) bool {
	s.n = 0
	b := s.b[:0]
	if r.TaskName != "" {
		b = appendJSONString(append(b, `,"task_name":`...), r.TaskName)
	}
	b = appendJSONString(append(b, `,"msg":`...), r.Msg)
	b = append(b, `,"attrs":{`...)
	for i, a := range r.Attrs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, a.Key), ':')
		if len(b) > maxShapeBytes {
			s.b = b[:0]
			return false
		}
		s.keys[i], s.ends[i] = a.Key, uint16(len(b))
		s.short[i] = shortPiece{}
		if i > 0 {
			s.short[i] = newShortPiece(b[s.ends[i-1]:s.ends[i]])
		}
	}
	s.b, s.n, s.taskName, s.msg = b, len(r.Attrs), r.TaskName, r.Msg
	return true
}

// appendLogTail appends the fields of r from task_name on and the closing
// brace, quoting the strings that records repeat through e's cache (see
// appendKnown), or when e is nil, each anew.
func (e *JSONEncoder) appendLogTail(b []byte, r *Record) []byte {
	if r.TaskName != "" {
		b = e.appendKnown(append(b, `,"task_name":`...), r.TaskName)
	}
	if r.Msg != "" {
		b = e.appendKnown(append(b, `,"msg":`...), r.Msg)
	}
	if len(r.Attrs) > 0 {
		b = append(b, `,"attrs":{`...)
		for i, a := range r.Attrs {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendKnown(b, a.Key)
			b = append(b, ':')
			b = appendJSONString(b, a.Value)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}
