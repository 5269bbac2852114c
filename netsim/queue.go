package netsim

// byteQueue is a FIFO of bytes that reuses its buffer, so that a
// connection in a steady exchange allocates nothing.
type byteQueue struct {
	buf  []byte
	head int
}

func (q *byteQueue) len() int { return len(q.buf) - q.head }

func (q *byteQueue) push(p []byte) {
	if q.head > 0 && q.head >= len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.head:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, p...)
}

// front returns the first n bytes, in place.
func (q *byteQueue) front(n int) []byte { return q.buf[q.head : q.head+n] }

// skip drops the first n bytes (all of them if there are fewer: a reset
// may have emptied the queue under a delivery in flight).
func (q *byteQueue) skip(n int) {
	q.head += min(n, q.len())
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
}

func (q *byteQueue) reset() { q.buf, q.head = q.buf[:0], 0 }
