package trace

// ring keeps the last few records of a stream, for the lines shown before a
// point of interest (show --before, diff context, why's recent events). Its
// memory is fixed by its size, whatever the length of the stream.
type ring struct {
	buf  []Record
	next int // where the next record goes once buf is full
}

func newRing(size int) *ring { return &ring{buf: make([]Record, 0, max(size, 0))} }

// push adds r, dropping the oldest record when the ring is full.
func (g *ring) push(r *Record) {
	switch {
	case cap(g.buf) == 0:
	case len(g.buf) < cap(g.buf):
		g.buf = append(g.buf, *r)
	default:
		g.buf[g.next] = *r
		g.next = (g.next + 1) % len(g.buf)
	}
}

// records returns a copy of the records held, oldest first.
func (g *ring) records() []Record {
	if len(g.buf) == 0 {
		return nil
	}
	out := make([]Record, 0, len(g.buf))
	out = append(out, g.buf[g.next:]...)
	return append(out, g.buf[:g.next]...)
}

// reset empties the ring, keeping its size.
func (g *ring) reset() {
	clear(g.buf)
	g.buf, g.next = g.buf[:0], 0
}
