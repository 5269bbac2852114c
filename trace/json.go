package trace

import (
	"strconv"

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

// appendJSONString quotes s as a JSON string.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s) }
