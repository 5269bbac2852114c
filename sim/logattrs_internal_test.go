package sim

import (
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/trace"
)

// TestAppendInt: a log attribute's integer is written as strconv writes
// it, on both sides of every shortcut.
func TestAppendInt(t *testing.T) {
	for _, v := range []int64{-1001, -1000, -999, -10, -1, 0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 1 << 62, -1 << 63} {
		if got, want := string(appendInt([]byte("x"), v)), "x"+strconv.FormatInt(v, 10); got != want {
			t.Errorf("appendInt(%d) = %s, want %s", v, got, want)
		}
	}
}

// TestSortAttrs: a record's attributes are sorted by key as a stable sort
// sorts them, equal keys in the order they came, at every length.
func TestSortAttrs(t *testing.T) {
	keys := []string{"to", "from", "amount", "from", "to_balance", "", "a", "from_balance", "b", "to", "z", "c", "a"}
	for n := range 3 * len(keys) {
		a := make([]trace.Attr, n)
		for i := range a {
			a[i] = trace.Attr{Key: keys[(i*7)%len(keys)], Value: strconv.Itoa(i)}
		}
		want := slices.Clone(a)
		slices.SortStableFunc(want, func(x, y trace.Attr) int { return strings.Compare(x.Key, y.Key) })
		if sortAttrs(a); !slices.Equal(a, want) {
			t.Errorf("%d attributes: sortAttrs = %v, want %v", n, a, want)
		}
	}
}

// valuer is a LogValuer, which a log attribute resolves before it is
// hashed and formatted.
type valuer struct{ v slog.Value }

func (v valuer) LogValue() slog.Value { return v.v }

// TestAttrFormatterResolves: an attribute whose value is a LogValuer is
// hashed and formatted as its resolved value is, and as hashSlogAttr
// hashes it.
func TestAttrFormatterResolves(t *testing.T) {
	tests := []struct {
		resolved slog.Value
		want     []trace.Attr
	}{
		{slog.Int64Value(42), []trace.Attr{{Key: "k", Value: "42"}}},
		{slog.StringValue("s"), []trace.Attr{{Key: "k", Value: "s"}}},
		{slog.GroupValue(slog.Int("a", 1), slog.Bool("b", true)), []trace.Attr{{Key: "k.a", Value: "1"}, {Key: "k.b", Value: "true"}}},
	}
	for _, tt := range tests {
		var f, g attrFormatter
		f.reset(nil, nil)
		g.reset(nil, nil)
		h := f.add(1, "", slog.Any("k", valuer{tt.resolved}))
		want := g.add(1, "", slog.Attr{Key: "k", Value: tt.resolved})
		if got := f.attrs; !slices.Equal(got, tt.want) {
			t.Errorf("%v: attributes %v, want %v", tt.resolved, got, tt.want)
		}
		if h != want || h != hashSlogAttr(1, slog.Any("k", valuer{tt.resolved})) {
			t.Errorf("%v: hash %x, want %x as resolved", tt.resolved, h, want)
		}
	}
}

// TestKeyLess: keys compare as strings do, whether their first bytes
// decide or not.
func TestKeyLess(t *testing.T) {
	keys := []string{"", "a", "b", "ab", "from", "from_balance", "to", "to_balance", "\xff", "é", "A"}
	for _, a := range keys {
		for _, b := range keys {
			if got := keyLess(a, b); got != (a < b) {
				t.Errorf("keyLess(%q, %q) = %v", a, b, got)
			}
		}
	}
}

// hashStringBytes is hashString as it was first written, byte by byte.
func hashStringBytes(h uint64, s string) uint64 {
	h = mix(h, uint64(len(s)))
	for len(s) >= 8 {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mix(h, v)
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	return mix(h, v)
}

// TestHashString: a string hashes as byte by byte, at every length of its
// last word and of the string, whatever the bytes around it.
func TestHashString(t *testing.T) {
	buf := []byte("\x00\xff" + strings.Repeat("abcdefghijklmnopqrstuvwxyz\x80\x01", 3) + "\xff\x00")
	for start := range 9 {
		for end := start; end <= len(buf)-2; end++ {
			s := string(buf[start:end])
			if got, want := hashString(7, s), hashStringBytes(7, s); got != want {
				t.Fatalf("hashString(%q) = %x, want %x", s, got, want)
			}
		}
	}
}

// FuzzHashString: any string hashes as byte by byte.
func FuzzHashString(f *testing.F) {
	f.Add(uint64(1), "from_balance")
	f.Fuzz(func(t *testing.T, h uint64, s string) {
		if got, want := hashString(h, s), hashStringBytes(h, s); got != want {
			t.Fatalf("hashString(%x, %q) = %x, want %x", h, s, got, want)
		}
	})
}

// TestAttrFormatterInts: the numbers of a record share one buffer, each
// formatted as strconv formats it and hashed as hashSlogAttr hashes it,
// whether it is appended in place (0 to 99) or by appendInt.
func TestAttrFormatterInts(t *testing.T) {
	vals := []int64{-1000, -10, -1, 0, 1, 9, 10, 42, 99, 100, 101, 999, 1000, 1 << 62, -1 << 63}
	var f attrFormatter
	f.reset(nil, nil)
	h, want := uint64(1), uint64(1)
	for _, v := range vals {
		a := slog.Int64("n", v)
		h, want = f.add(h, "p.", a), hashSlogAttr(want, a)
	}
	if h != want {
		t.Errorf("hash %x, want %x", h, want)
	}
	for i, v := range vals {
		if got := f.attrs[i]; got != (trace.Attr{Key: "p.n", Value: strconv.FormatInt(v, 10)}) {
			t.Errorf("attribute %d: %v, want p.n=%d", i, got, v)
		}
	}
}

// TestInt64Of: int64Of reads what Int64 returns, the layout of slog.Value
// it assumes holding.
func TestInt64Of(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 99, 1 << 40, -1 << 63, 1<<63 - 1} {
		if got := int64Of(slog.Int64Value(n)); got != n {
			t.Errorf("int64Of(%d) = %d", n, got)
		}
		if got := int64Of(slog.IntValue(int(n))); got != n {
			t.Errorf("int64Of(IntValue(%d)) = %d", n, got)
		}
	}
}

// TestAttrOrders: records sorted by a remembered order come out as
// sortAttrs sorts them: the same keys again, the same keys as other
// strings, equal keys (kept in their order), more kinds of record than
// it remembers, and more attributes than it keeps.
func TestAttrOrders(t *testing.T) {
	built := func(s string) string { return strings.Clone(s) }
	kinds := [][]string{
		{"from", "to", "amount", "from_balance", "to_balance"},
		{"from", "to", "from_balance", "to_balance"},
		{"b", "a"},
		{built("b"), built("a")},
		{"k", "a", "k", "a", "k"},
		{"z", "y", "x", "w", "v"},
		{"a", "b", "c"},
		{"i", "h", "g", "f", "e", "d", "c", "b", "a"},
		{"only"},
	}
	var o attrOrders
	for round := range 3 {
		for n, keys := range kinds {
			var a []trace.Attr
			for i, k := range keys {
				a = append(a, trace.Attr{Key: k, Value: strconv.Itoa(round*100 + i)})
			}
			want := slices.Clone(a)
			sortAttrs(want)
			o.sort(a)
			if !slices.Equal(a, want) {
				t.Errorf("round %d, kind %d: %v, want %v", round, n, a, want)
			}
		}
	}
}

// TestHashHead: a record's head hashes its level, message, the handler's
// attributes and its group prefix, an empty prefix as hashString hashes "".
func TestHashHead(t *testing.T) {
	for _, h := range []*logHandler{{}, {prefix: "g."}, {attrs: []trace.Attr{{Key: "a", Value: "1"}}}} {
		sr := slog.Record{Level: slog.LevelWarn, Message: "msg"}
		want := hashString(mix(3, hashTagLog|uint64(uint32(sr.Level))), sr.Message)
		for _, a := range h.attrs {
			want = hashString(hashString(want, a.Key), a.Value)
		}
		want = hashString(want, h.prefix)
		if got := h.hashHead(3, &sr); got != want {
			t.Errorf("handler %+v: hash %x, want %x", h, got, want)
		}
	}
}
