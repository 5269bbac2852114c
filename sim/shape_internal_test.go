package sim

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// TestStringWords: the words kept for a key of a shape fold into a hash as
// hashString folds the key, at every length a shape's key may have.
func TestStringWords(t *testing.T) {
	buf := "\x00\xffabcdefghijklmnopqrstuvwxyz\x80\x01ABCDEFGH"
	for start := range 3 {
		for end := start; end <= start+maxShapeKey; end++ {
			s := buf[start:end]
			var w [maxKeyWords]uint64
			n := stringWords(&w, s)
			h := uint64(7)
			for _, x := range w[:n] {
				h = mix(h, x)
			}
			if want := hashString(7, s); h != want {
				t.Errorf("%q: words fold to %x, want %x", s, h, want)
			}
			e := attrShape{words: [maxShape][maxKeyWords]uint64{w}, nw: [maxShape]uint8{uint8(n)}}
			if n >= 2 && e.hashKey(7, 0) != want(s) {
				t.Errorf("%q: hashKey %x, want %x", s, e.hashKey(7, 0), want(s))
			}
		}
	}
}

func want(s string) uint64 { return hashString(7, s) }

// TestRecordAttrs: the attributes read in a record's place are those that
// Attrs gives, at every count, those slog keeps in the record and more.
func TestRecordAttrs(t *testing.T) {
	if !recordLaidOut {
		t.Fatal("slog.Record is not laid out as slogRecord: no record is of a shape")
	}
	for n := range 13 {
		sr := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
		for i := range n {
			sr.AddAttrs(slog.Int(fmt.Sprint("k", i), i))
		}
		var want []slog.Attr
		sr.Attrs(func(a slog.Attr) bool { want = append(want, a); return true })
		front, back := recordAttrs(&sr)
		if got := append(slices.Clone(front), back...); !slices.EqualFunc(got, want, slog.Attr.Equal) {
			t.Errorf("%d attributes: read %v, want %v", n, got, want)
		}
	}
}

// shapeCase is a kind of log record of TestShapedAsGeneral: its
// handler, message and attributes (the i-th record's), and whether its
// records are of a shape: yes, no, or now and then.
type shapeCase struct {
	h      *logHandler
	msg    string
	attrs  func(i int) []slog.Attr
	shaped shaped
}

type shaped int

const (
	yes shaped = iota
	no
	sometimes
)

// TestShapedAsGeneral: log records formatted by the shape of their kind
// have the attributes, sorted, and the hash that add and sortAttrs give
// them, whatever came before: the same kind of record again, the same
// message with other keys, other kinds of value, groups, LogValuers,
// empty keys, keys made anew, too many attributes, long keys, more kinds
// of record than are kept, messages made anew, handlers that add to the
// record; and the records of a kind that has a shape, logged in a row,
// are formatted by it from the third on.
func TestShapedAsGeneral(t *testing.T) {
	plain, grouped, with := &logHandler{}, &logHandler{prefix: "g."}, &logHandler{attrs: []trace.Attr{{Key: "w", Value: "1"}}}
	read := func(i int) []slog.Attr {
		return []slog.Attr{slog.Int("from", i%7), slog.Int("to", 3), slog.Int64("amount", int64(i*37-200)),
			slog.Int64("from_balance", int64(i)<<40), slog.Int64("to_balance", int64(i*i))}
	}
	written := func(i int) []slog.Attr {
		return []slog.Attr{slog.Int("from", i), slog.Int("to", 3), slog.Int64("from_balance", 99), slog.Int64("to_balance", -1)}
	}
	strs := func(i int) []slog.Attr {
		return []slog.Attr{slog.String("b", strings.Repeat("x", i%3)), slog.Int("a", i), slog.String("c", "y")}
	}
	many := func(n int, anew bool) func(int) []slog.Attr {
		return func(int) []slog.Attr { return manyAttrs(n, anew) }
	}
	long := func(key string) func(int) []slog.Attr {
		return func(i int) []slog.Attr {
			return []slog.Attr{slog.Int(key, i), slog.String("a", "b"), slog.Int("a_key_of_twenty_bytes", -i)}
		}
	}
	made := func(i int) string { return fmt.Sprint("made ", i%2) }
	kinds := []shapeCase{
		{plain, "transfer read", read, yes},
		{plain, "transfer written", written, yes},
		{plain, "strings", strs, yes},
		{plain, "many 6", many(6, false), yes},
		{plain, "many 8", many(8, false), yes},
		{plain, "many 9", many(9, false), no},
		{plain, "many anew", many(7, true), no},
		{plain, "swapped", swapped, sometimes},
		{plain, "mixed", mixedAttrs, sometimes},
		{plain, "", read, no},
		{plain, "long", long("a_key_of_31_bytes_as_maxShapeKe"), yes},
		{plain, "longer", long("a_key_of_32_bytes_one_more_than."), no},
		{plain, "none", func(int) []slog.Attr { return nil }, no},
		{grouped, "transfer read", read, no},
		{with, "transfer written", written, no},
	}
	var tr tracer
	n := 0
	for i := range 40 { // of every kind in turn, and now and then more kinds than are kept
		for _, c := range kinds {
			checkShaped(t, &tr, c.h, c.msg, c.attrs(i), n)
			checkShaped(t, &tr, c.h, made(i+n), read(i), n+1)
			n += 2
		}
		for k := range 10 * (i % 5 / 4) {
			checkShaped(t, &tr, plain, []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"}[k], read(k), n)
			n++
		}
	}
	for _, c := range kinds { // of each kind in a row, to a tracer of its own
		// The shapes of the kinds above are kept in slots chosen by where
		// their messages lie, and some are made anew for each record:
		// which of them still hold their slots here depends on the
		// binary's layout and the heap's, so the count of hits is taken
		// from a tracer that has seen no other kind.
		tr = tracer{shapes: new(attrShapes)}
		hits := tr.shapes.hits
		for i := range 6 {
			checkShaped(t, &tr, c.h, c.msg, c.attrs(i), n)
			n++
		}
		if hits = tr.shapes.hits - hits; c.shaped == yes && hits < 4 || c.shaped == no && hits > 0 {
			t.Errorf("%q: %d of 6 records in a row formatted by their shape", c.msg, hits)
		}
	}
}

// manyAttrs is n attributes, the last but one with a key made anew when
// anew says so.
func manyAttrs(n int, anew bool) []slog.Attr {
	a := make([]slog.Attr, n)
	for i := range a {
		a[i] = slog.Int([]string{"z", "y", "x", "w", "v", "u", "t", "s", "r"}[i], i)
	}
	if anew {
		a[n-2].Key = strings.Clone(a[n-2].Key)
	}
	return a
}

// swapped is a record whose keys come in one order, then in another, by
// turns of three.
func swapped(i int) []slog.Attr {
	if i/3%2 == 0 {
		return []slog.Attr{slog.Int("a", i), slog.Int("b", 1)}
	}
	return []slog.Attr{slog.Int("b", i), slog.Int("a", 1)}
}

// mixedAttrs is a record whose attributes are now of a shape, now not:
// another kind, a group, a LogValuer, an empty key, a key made anew.
func mixedAttrs(i int) []slog.Attr {
	a := []slog.Attr{slog.Int("n", i), slog.String("s", "v")}
	switch i % 6 {
	case 1:
		a[1] = slog.Bool("s", true)
	case 2:
		a[1] = slog.Group("s", slog.Int("a", 1), slog.Int("b", 2))
	case 3:
		a[1] = slog.Any("s", valuer{slog.Int64Value(5)})
	case 4:
		a[1].Key = ""
	case 5:
		a[0].Key = strings.Clone("n")
	}
	return a
}

// checkShaped formats the n-th record, of h, msg and attrs, with tr as
// write does, and checks its attributes and hash against add's and
// sortAttrs'.
func checkShaped(t *testing.T, tr *tracer, h *logHandler, msg string, attrs []slog.Attr, n int) {
	t.Helper()
	sr := slog.NewRecord(time.Time{}, slog.LevelInfo, msg, 0)
	sr.AddAttrs(attrs...)
	var g attrFormatter
	g.reset(slices.Clone(h.attrs), nil)
	want := uint64(n)
	for _, a := range attrs {
		want = g.add(want, h.prefix, a)
	}
	sortAttrs(g.attrs)
	tr.attrFmt.reset(make([]trace.Attr, 0, n%3), append(make([]byte, 0, 256), 'x'))
	got, a := h.attrsOf(tr, &sr, uint64(n))
	tr.attrFmt.buf = append(tr.attrFmt.buf, "0123456789abcdefghijklmnopqrstuvwxyz"...) // the next record's
	if got != want || !slices.Equal(a, g.attrs) {
		t.Errorf("record %d (%q): hash %x and %v, want %x and %v", n, msg, got, a, want, g.attrs)
	}
	if len(tr.attrFmt.buf) < 1 || tr.attrFmt.buf[0] != 'x' {
		t.Errorf("record %d (%q): the bytes before the record's were written", n, msg)
	}
}
