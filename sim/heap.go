package sim

// eventHeap is a binary min-heap of events ordered by (At, Seq). It holds
// events by value: no boxing, no allocation once the slice has grown.
type eventHeap struct {
	items []Event
}

func (h *eventHeap) len() int { return len(h.items) }

func less(a, b *Event) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	return a.Seq < b.Seq
}

func (h *eventHeap) push(ev Event) {
	h.items = append(h.items, ev)
	items := h.items
	i := len(items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !less(&items[i], &items[parent]) {
			break
		}
		items[i], items[parent] = items[parent], items[i]
		i = parent
	}
}

// pop removes and returns the earliest event. The heap must not be empty.
func (h *eventHeap) pop() Event {
	items := h.items
	top := items[0]
	last := len(items) - 1
	items[0] = items[last]
	items[last] = Event{} // drop the handler reference
	items = items[:last]
	h.items = items
	i := 0
	for {
		l := 2*i + 1
		if l >= len(items) {
			break
		}
		m := l
		if r := l + 1; r < len(items) && less(&items[r], &items[l]) {
			m = r
		}
		if !less(&items[m], &items[i]) {
			break
		}
		items[i], items[m] = items[m], items[i]
		i = m
	}
	return top
}

// peek returns the earliest event without removing it.
func (h *eventHeap) peek() *Event { return &h.items[0] }
