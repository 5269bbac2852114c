package sim

import (
	"unsafe"

	"github.com/orrerysim/orrery/trace"
)

// jsonQueue holds a traced run's records until they are encoded as JSON
// Lines, a few hundred at a time: encoded together, in a loop of their
// own, they cost less than encoded one by one amid the simulation's work,
// which takes the encoder's code and tables out of the processor's caches
// between two records. The tracer builds its events and log records in
// the queue (next), their details and formatted values appended to strs
// and their attributes to attrs; a record of another package is copied in
// (add), with those of its strings that its writer may reuse. The other
// strings are Go strings, which stay as they are. The strings in strs are
// valid until the queue is encoded: strs is only appended to until then,
// and when it grows, the strings keep its old array.
type jsonQueue struct {
	enc   trace.JSONEncoder
	recs  []trace.Record
	attrs []trace.Attr // the records' attributes, one record's after another's
	strs  []byte       // the bytes of the strings made for the records
}

// The room of a queue: the records, the attributes and the bytes of the
// copied strings it holds.
const (
	queueRecords = 512
	queueAttrs   = 4 * queueRecords
	queueBytes   = 64 << 10
	// A record built in the queue mostly needs less than this room: the
	// queue is encoded before such a record when it has less left.
	slotAttrs = 32
	slotBytes = 2 << 10
)

func newJSONQueue() *jsonQueue {
	return &jsonQueue{recs: make([]trace.Record, 0, queueRecords),
		attrs: make([]trace.Attr, 0, queueAttrs), strs: make([]byte, 0, queueBytes)}
}

// add queues a copy of r, unless the queue has no room for it.
func (q *jsonQueue) add(r *trace.Record) bool {
	n := len(r.Detail)
	for _, a := range r.Attrs {
		n += len(a.Value)
	}
	if len(q.recs) == cap(q.recs) || cap(q.attrs)-len(q.attrs) < len(r.Attrs) || cap(q.strs)-len(q.strs) < n {
		return false
	}
	q.recs = append(q.recs, *r)
	c := &q.recs[len(q.recs)-1]
	c.Detail, c.DetailKept = q.keep(r.Detail), false
	if len(r.Attrs) > 0 {
		start := len(q.attrs)
		for _, a := range r.Attrs {
			q.attrs = append(q.attrs, trace.Attr{Key: a.Key, Value: q.keep(a.Value)})
		}
		c.Attrs = q.attrs[start:len(q.attrs):len(q.attrs)]
	}
	return true
}

// full reports whether the queue lacks room for one more record built in
// place.
func (q *jsonQueue) full() bool {
	return len(q.recs) == cap(q.recs) || cap(q.attrs)-len(q.attrs) < slotAttrs || cap(q.strs)-len(q.strs) < slotBytes
}

// next queues a record, which the caller fills in place, every field of
// it: it holds what the record queued there before held. It returns it.
// The queue must not be full.
func (q *jsonQueue) next() *trace.Record {
	q.recs = q.recs[:len(q.recs)+1]
	return &q.recs[len(q.recs)-1]
}

// keepAttrs returns a copy of attrs in the queue's attributes (their
// strings as they are).
func (q *jsonQueue) keepAttrs(attrs []trace.Attr) []trace.Attr {
	n := len(q.attrs)
	q.attrs = append(q.attrs, attrs...)
	return q.attrs[n:len(q.attrs):len(q.attrs)]
}

// keep returns a copy of s in strs, which has room for it.
func (q *jsonQueue) keep(s string) string {
	if s == "" {
		return ""
	}
	n := len(q.strs)
	q.strs = append(q.strs, s...)
	return unsafe.String(&q.strs[n], len(s))
}

// encode appends the queued records to b as JSON Lines and empties the
// queue.
func (q *jsonQueue) encode(b []byte) []byte {
	for i := range q.recs {
		b = append(q.enc.Append(b, &q.recs[i]), '\n')
	}
	q.recs, q.attrs, q.strs = q.recs[:0], q.attrs[:0], q.strs[:0]
	return b
}

// drop lets go of the strings of the records queued before, for a queue
// kept for another run, and of the room that a record of many attributes
// or long strings grew.
func (q *jsonQueue) drop() {
	clear(q.recs[:cap(q.recs)])
	clear(q.attrs[:cap(q.attrs)])
	if cap(q.attrs) > 4*queueAttrs {
		q.attrs = make([]trace.Attr, 0, queueAttrs)
	}
	if cap(q.strs) > 4*queueBytes {
		q.strs = make([]byte, 0, queueBytes)
	}
}
