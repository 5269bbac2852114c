package sim

import (
	"log/slog"
	"strconv"

	"github.com/orrerysim/orrery/trace"
)

// attrFormatter turns a log record's slog attributes into trace attributes,
// as trace.AppendSlogAttr does (groups flattened into dotted keys, values
// resolved, empty keys dropped), but formats the numbers and booleans of a
// record into one buffer that becomes one string, instead of a string each.
type attrFormatter struct {
	attrs []trace.Attr
	buf   []byte
	spans []attrSpan // the attributes whose value is in buf
}

// attrSpan says that attrs[i]'s value is buf[start:end].
type attrSpan struct{ i, start, end int }

// reset starts a record whose attributes begin with attrs.
func (f *attrFormatter) reset(attrs []trace.Attr) {
	f.attrs, f.buf, f.spans = attrs, f.buf[:0], f.spans[:0]
}

// add appends a, formatted as slog.Value.String formats it.
func (f *attrFormatter) add(prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			f.add(p, g)
		}
		return
	}
	if a.Key == "" {
		return
	}
	key := a.Key
	if prefix != "" {
		key = prefix + a.Key
	}
	start := len(f.buf)
	switch v.Kind() {
	case slog.KindInt64:
		f.buf = strconv.AppendInt(f.buf, v.Int64(), 10)
	case slog.KindUint64:
		f.buf = strconv.AppendUint(f.buf, v.Uint64(), 10)
	case slog.KindFloat64:
		f.buf = strconv.AppendFloat(f.buf, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		f.buf = strconv.AppendBool(f.buf, v.Bool())
	default: // a string costs nothing; the rest format as slog does
		f.attrs = append(f.attrs, trace.Attr{Key: key, Value: v.String()})
		return
	}
	f.spans = append(f.spans, attrSpan{len(f.attrs), start, len(f.buf)})
	f.attrs = append(f.attrs, trace.Attr{Key: key})
}

// done fills in the values held in the buffer and returns the attributes.
func (f *attrFormatter) done() []trace.Attr {
	if len(f.spans) > 0 {
		s := string(f.buf)
		for _, sp := range f.spans {
			f.attrs[sp.i].Value = s[sp.start:sp.end]
		}
	}
	return f.attrs
}
