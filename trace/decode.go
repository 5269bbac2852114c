package trace

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"
)

// errEOL is what the decoder returns when a line ends inside a record. The
// Reader turns it into ErrTruncated when the line is the last one and has no
// newline: the writer was cut off.
var errEOL = errors.New("unexpected end of line")

// The fields a line must have to be a trace record, as bits of decoder.seen.
const (
	seenT = 1 << iota
	seenSeq
	seenKind
	seenAll = seenT | seenSeq | seenKind
)

// maxInterned and maxInternedLen bound the strings a decoder shares between
// records (their number and length in bytes), so that a trace of a million
// distinct names cannot make it grow without end.
const (
	maxInterned    = 4096
	maxInternedLen = 128
)

// decoder parses one JSON Lines record. It accepts any JSON object with the
// fields AppendJSON writes, in any order, and skips fields it does not know,
// so that a trace edited by another tool still reads. Strings it has seen
// before (kinds, ops, task names) are shared between records.
type decoder struct {
	b      []byte            // the line
	i      int               // the next byte of b to read
	seen   int               // the required fields found, seenT | ...
	tmp    []byte            // unescaped string bytes, reused
	name   []byte            // the member name being parsed
	intern map[string]string // shared strings
}

// decode parses line into r, overwriting all of r.
func (d *decoder) decode(line []byte, r *Record) error {
	*r = Record{}
	d.b, d.i, d.seen = line, 0, 0
	d.ws()
	if d.i < len(d.b) && d.b[d.i] != '{' {
		return fmt.Errorf("want a JSON object, found %s", d.found())
	}
	if err := d.object(r); err != nil {
		return err
	}
	d.ws()
	if d.i < len(d.b) {
		return fmt.Errorf("byte %d: unexpected %s after the record", d.i+1, d.found())
	}
	return d.required()
}

// required reports the first missing field of t, seq and kind.
func (d *decoder) required() error {
	if d.seen == seenAll {
		return nil
	}
	for _, f := range []struct {
		bit  int
		name string
	}{{seenT, "t"}, {seenSeq, "seq"}, {seenKind, "kind"}} {
		if d.seen&f.bit == 0 {
			return fmt.Errorf("missing field %q", f.name)
		}
	}
	return nil
}

// object parses {"key":value,...} into r.
func (d *decoder) object(r *Record) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.ws(); d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		key, err := d.key()
		if err != nil {
			return err
		}
		if err := d.field(r, key); err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
		if end, err := d.next('}'); err != nil || end {
			return err
		}
	}
}

// key parses a member name and the colon after it. The name is valid until
// the next member.
func (d *decoder) key() ([]byte, error) {
	d.ws()
	k, err := d.str()
	if err != nil {
		return nil, err
	}
	d.name = append(d.name[:0], k...) // k may alias d.tmp, which the value reuses
	d.ws()
	return d.name, d.expect(':')
}

// next consumes the comma between members, or the closing byte, which it
// reports as end.
func (d *decoder) next(closing byte) (end bool, err error) {
	d.ws()
	switch d.peek() {
	case ',':
		d.i++
		return false, nil
	case closing:
		d.i++
		return true, nil
	}
	return false, d.unexpected(fmt.Sprintf("',' or '%c'", closing))
}

// field is the dispatcher: one case per field of Record.
func (d *decoder) field(r *Record, key []byte) (err error) {
	d.ws()
	switch string(key) {
	case "t":
		var n int64
		n, err = d.int()
		r.At, d.seen = time.Duration(n), d.seen|seenT
	case "seq":
		r.Seq, err = d.uint()
		d.seen |= seenSeq
	case "rng":
		r.RNG, err = d.uint()
	case "level":
		r.Level, err = d.level()
	case "kind":
		r.Kind, err = d.shared()
		d.seen |= seenKind
	case "op":
		r.Op, err = d.shared()
	case "obj":
		r.Obj, err = d.shared()
	case "id":
		r.ID, err = d.uint()
	case "name":
		r.Name, err = d.shared()
	case "detail":
		r.Detail, err = d.string()
	case "cause":
		r.Cause, err = d.uint()
	case "infra":
		r.Infra, err = d.bool()
	case "task":
		r.Task, err = d.uint()
	case "task_name":
		r.TaskName, err = d.shared()
	case "msg":
		r.Msg, err = d.string()
	case "attrs":
		r.Attrs, err = d.attrs()
	default:
		err = d.skip()
	}
	return err
}

// attrs parses {"key":"value",...}, keeping the order of the keys.
func (d *decoder) attrs() ([]Attr, error) {
	if err := d.expect('{'); err != nil {
		return nil, err
	}
	if d.ws(); d.peek() == '}' {
		d.i++
		return nil, nil
	}
	var attrs []Attr
	for {
		d.ws()
		key, err := d.string() // not d.key: the field's name is kept for errors
		if err != nil {
			return nil, err
		}
		if d.ws(); d.expect(':') != nil {
			return nil, d.unexpected("':'")
		}
		d.ws()
		v, err := d.string()
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", key, err)
		}
		attrs = append(attrs, Attr{Key: key, Value: v})
		if end, err := d.next('}'); err != nil || end {
			return attrs, err
		}
	}
}

// uint parses an unsigned decimal integer.
func (d *decoder) uint() (uint64, error) {
	start := d.i
	var n uint64
	for ; d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9'; d.i++ {
		c := uint64(d.b[d.i] - '0')
		if n > (math.MaxUint64-c)/10 {
			return 0, fmt.Errorf("byte %d: number overflows 64 bits", start+1)
		}
		n = n*10 + c
	}
	if d.i == start {
		return 0, d.unexpected("an unsigned integer")
	}
	return n, d.endNumber()
}

// int parses a signed decimal integer, int64 range.
func (d *decoder) int() (int64, error) {
	neg := d.peek() == '-'
	if neg {
		d.i++
	}
	start := d.i
	u, err := d.uint()
	switch {
	case err != nil:
		return 0, err
	case neg && u <= 1<<63:
		return -int64(u), nil // for 1<<63 both conversions wrap to math.MinInt64
	case !neg && u < 1<<63:
		return int64(u), nil
	}
	return 0, fmt.Errorf("byte %d: number overflows int64", start+1)
}

// endNumber rejects a fraction or exponent: every number of a record is an
// integer.
func (d *decoder) endNumber() error {
	if c := d.peek(); c == '.' || c == 'e' || c == 'E' {
		return fmt.Errorf("byte %d: want an integer, found %s", d.i+1, d.found())
	}
	return nil
}

func (d *decoder) bool() (bool, error) {
	switch rest := d.b[d.i:]; {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.i += 4
		return true, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.i += 5
		return false, nil
	}
	return false, d.unexpected("true or false")
}

// level parses a level the way LevelString writes it: a name and an optional
// signed offset ("TRACE", "DEBUG-2", "WARN+1").
func (d *decoder) level() (slog.Level, error) {
	s, err := d.str()
	if err != nil {
		return 0, err
	}
	l, ok := parseLevelString(s)
	if !ok {
		return 0, fmt.Errorf("level %q: want TRACE, DEBUG, INFO, WARN or ERROR with an optional +N or -N", s)
	}
	return l, nil
}

var levelNames = []struct {
	name  string
	level slog.Level
}{{"TRACE", LevelTrace}, {"DEBUG", slog.LevelDebug}, {"INFO", slog.LevelInfo}, {"WARN", slog.LevelWarn}, {"ERROR", slog.LevelError}}

func parseLevelString(s []byte) (slog.Level, bool) {
	for _, n := range levelNames {
		if len(s) < len(n.name) || string(s[:len(n.name)]) != n.name {
			continue
		}
		rest := s[len(n.name):]
		if len(rest) == 0 {
			return n.level, true
		}
		if rest[0] != '+' && rest[0] != '-' {
			return 0, false
		}
		off, err := strconv.ParseInt(string(rest), 10, 64)
		base := int64(n.level)
		if err != nil || (base > 0 && off > math.MaxInt64-base) || (base < 0 && off < math.MinInt64-base) {
			return 0, false
		}
		v := base + off
		return slog.Level(v), int64(int(v)) == v
	}
	return 0, false
}

// string parses a JSON string into a new Go string.
func (d *decoder) string() (string, error) {
	s, err := d.str()
	return string(s), err
}

// shared parses a JSON string, returning the same Go string for the same
// bytes, so that the kinds, ops and names of a million records are stored
// once.
func (d *decoder) shared() (string, error) {
	s, err := d.str()
	if err != nil {
		return "", err
	}
	if v, ok := d.intern[string(s)]; ok {
		return v, nil
	}
	v := string(s)
	if d.intern == nil {
		d.intern = make(map[string]string)
	}
	if len(d.intern) < maxInterned && len(v) <= maxInternedLen {
		d.intern[v] = v
	}
	return v, nil
}

// skip passes over the value of a field the decoder does not know: any JSON
// value, checked only as far as needed to find where it ends.
func (d *decoder) skip() error {
	depth, start := 0, d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; c {
		case '"':
			if _, err := d.str(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return d.skipped(start)
			}
			depth--
		case ',':
			if depth == 0 {
				return d.skipped(start)
			}
		default:
			if !isValueByte(c) {
				return fmt.Errorf("byte %d: unexpected %s", d.i+1, d.found())
			}
		}
		d.i++
	}
	return errEOL
}

// skipped reports an empty value: a comma or closing bracket where a value
// should start.
func (d *decoder) skipped(start int) error {
	if d.i == start {
		return d.unexpected("a value")
	}
	return nil
}

// isValueByte reports whether c can appear in JSON outside strings, other
// than the brackets and the comma.
func isValueByte(c byte) bool {
	return isSpace(c) || c == ':' || c == '-' || c == '+' || c == '.' ||
		'0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func (d *decoder) ws() {
	for d.i < len(d.b) && isSpace(d.b[d.i]) {
		d.i++
	}
}

// peek returns the next byte, or 0 at the end of the line.
func (d *decoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *decoder) expect(c byte) error {
	if d.peek() != c {
		return d.unexpected(fmt.Sprintf("'%c'", c))
	}
	d.i++
	return nil
}

// unexpected reports that the byte at d.i is not what the grammar wants, or
// errEOL at the end of the line.
func (d *decoder) unexpected(want string) error {
	if d.i >= len(d.b) {
		return errEOL
	}
	return fmt.Errorf("byte %d: want %s, found %s", d.i+1, want, d.found())
}

// found describes the byte at d.i for an error message.
func (d *decoder) found() string {
	if d.i >= len(d.b) {
		return "end of line"
	}
	c := d.b[d.i]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
