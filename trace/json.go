package trace

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends r as one JSON object to b, without a newline. Fields
// always present: t (nanoseconds), seq, rng, kind, cause, infra, task; the
// others only when set. Attributes are an object with keys in sorted order,
// so equal records encode to equal bytes.
//
//	{"t":1234000000,"seq":48,"rng":1203,"kind":"Timer","op":"Timer","obj":"task","id":12,"name":"bank/client-2","cause":30,"infra":false,"task":7}
func AppendJSON(b []byte, r *Record) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, int64(r.At), 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, r.Seq, 10)
	b = append(b, `,"rng":`...)
	b = strconv.AppendUint(b, r.RNG, 10)
	b = append(b, `,"level":`...)
	b = appendJSONString(b, LevelString(r.Level))
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, r.Kind)
	b = appendStringField(b, "op", r.Op)
	b = appendStringField(b, "obj", r.Obj)
	if r.ID != 0 || r.Obj != "" {
		b = append(b, `,"id":`...)
		b = strconv.AppendUint(b, r.ID, 10)
	}
	b = appendStringField(b, "name", r.Name)
	b = appendStringField(b, "detail", r.Detail)
	b = append(b, `,"cause":`...)
	b = strconv.AppendUint(b, r.Cause, 10)
	b = append(b, `,"infra":`...)
	b = strconv.AppendBool(b, r.Infra)
	b = append(b, `,"task":`...)
	b = strconv.AppendUint(b, r.Task, 10)
	b = appendStringField(b, "task_name", r.TaskName)
	b = appendStringField(b, "msg", r.Msg)
	if len(r.Attrs) > 0 {
		b = append(b, `,"attrs":{`...)
		for i, a := range r.Attrs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, a.Key)
			b = append(b, ':')
			b = appendJSONString(b, a.Value)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendStringField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string: the escapes JSON requires, and
// invalid UTF-8 replaced by U+FFFD as encoding/json does.
func appendJSONString(b []byte, s string) []byte { return appendQuoted(b, s, false) }

// AppendScriptJSONString quotes s as a JSON string that is also safe inside
// an HTML <script> element: '<', '>' and '&' are escaped too, so "</script>"
// or "<!--" in a message cannot end the element.
func AppendScriptJSONString(b []byte, s string) []byte { return appendQuoted(b, s, true) }

func appendQuoted(b []byte, s string, html bool) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b = appendJSONByte(b, c, html)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func appendJSONByte(b []byte, c byte, html bool) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	if c < 0x20 || html && (c == '<' || c == '>' || c == '&') {
		return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(b, c)
}
