package trace

import (
	"log/slog"
	"time"
)

// Record kinds that are not events. Event kinds ("Timer", "Network", ...) are
// defined by the engine; these are the other lines a trace holds.
const (
	KindLog   = "Log"   // an application log record
	KindFault = "Fault" // an injected fault: a bit flip, a torn write, a reboot
	KindStart = "Start" // the first record of a run: the seed
	KindEnd   = "End"   // the last record of a run: the unseed
	// KindAssert is an assertion's record: a failure, or a first hit.
	KindAssert = "Assert"
)

// LevelTrace is the level of event records, one step below slog.LevelDebug,
// so that ORRERY_LOG=debug shows application debug logs without every event.
const LevelTrace = slog.Level(-8)

// Record is one line of a trace. The zero value is not meaningful; the engine
// fills the fields that apply to the record's kind and leaves the rest zero.
type Record struct {
	At    time.Duration // logical time since the start of the run
	Seq   uint64        // seq of the event being processed (an event record's own seq)
	RNG   uint64        // main-stream RNG calls made before this record
	Level slog.Level    // LevelTrace for events; the log level for logs
	Kind  string        // "Timer", "Network", ..., or KindLog, KindFault, ...
	Op    string        // the event's operation ("DataDelivery"), or the fault's name
	Obj   string        // what ID names: "task", "conn", "sock", "file", "proc", "id"
	ID    uint64        // the object the record is about
	Name  string        // the object's name: a task name, a path, a process
	// Detail is the rest of the event's description, already formatted:
	// "bytes=64 10.0.0.1:40001->10.0.1.1:7000".
	Detail string
	Cause  uint64 // seq of the event being processed when this event was scheduled
	Infra  bool   // the event maintains the simulation rather than doing application work
	// DetailKept says that Detail is a string its writer keeps, whose bytes
	// never change (not one made with package unsafe over bytes written
	// again): a JSONEncoder then finds its quoted form by where it lies,
	// without comparing its bytes. Readers leave it false.
	DetailKept bool
	Task       uint64 // the task that scheduled the event, or that wrote the log
	TaskName   string // that task's name
	Msg        string // the log message
	Attrs      []Attr // log attributes, sorted by key
}

// Attr is one key=value attribute of a log record, already formatted.
type Attr struct {
	Key   string
	Value string
}

// IsEvent reports whether r records a processed event, as opposed to a log
// line, a fault or a run marker.
func (r *Record) IsEvent() bool {
	switch r.Kind {
	case KindLog, KindFault, KindStart, KindEnd, KindAssert, "":
		return false
	}
	return true
}

// AppendSlogAttr appends a as trace attributes: groups flattened into
// dotted keys ("req.id"), values resolved and formatted, empty keys
// dropped. It is how every package turns slog attributes into a record's.
func AppendSlogAttr(out []Attr, prefix string, a slog.Attr) []Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			out = AppendSlogAttr(out, p, g)
		}
		return out
	}
	if a.Key == "" {
		return out
	}
	return append(out, Attr{Key: prefix + a.Key, Value: v.String()})
}
