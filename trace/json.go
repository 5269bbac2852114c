package trace

import (
	"log/slog"

	"github.com/orrerysim/orrery/internal/jsonstr"
)

// AppendJSON appends r as one JSON object to b, without a newline. Fields
// always present: t (nanoseconds), seq, rng, kind, cause, infra, task; the
// others only when set. Attributes are an object with keys in sorted order,
// so equal records encode to equal bytes.
//
//	{"t":1234000000,"seq":48,"rng":1203,"kind":"Timer","op":"Timer","obj":"task","id":12,"name":"bank/client-2","cause":30,"infra":false,"task":7}
func AppendJSON(b []byte, r *Record) []byte {
	b = append(b, `{"t":`...)
	b = appendInt(b, int64(r.At))
	b = append(b, `,"seq":`...)
	b = appendUint(b, r.Seq)
	b = append(b, `,"rng":`...)
	b = appendUint(b, r.RNG)
	b = append(b, `,"level":`...)
	b = appendJSONLevel(b, r.Level)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, r.Kind)
	b = appendStringField(b, `,"op":`, r.Op)
	b = appendStringField(b, `,"obj":`, r.Obj)
	if r.ID != 0 || r.Obj != "" {
		b = append(b, `,"id":`...)
		b = appendUint(b, r.ID)
	}
	b = appendStringField(b, `,"name":`, r.Name)
	b = appendStringField(b, `,"detail":`, r.Detail)
	b = append(b, `,"cause":`...)
	b = appendUint(b, r.Cause)
	if r.Infra {
		b = append(b, `,"infra":true,"task":`...)
	} else {
		b = append(b, `,"infra":false,"task":`...)
	}
	b = appendUint(b, r.Task)
	b = appendStringField(b, `,"task_name":`, r.TaskName)
	b = appendStringField(b, `,"msg":`, r.Msg)
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
