package html

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/internal/jsonstr"
	"github.com/orrerysim/orrery/trace"
)

// Mark kinds, the fifth field of an embedded record; page.js draws each
// differently.
const (
	markEvent   = 0 // a processed event
	markLog     = 1 // an application log line
	markFault   = 2 // an injected fault
	markProcess = 3 // an event whose kind starts with "Process"
	markRun     = 4 // a Start or End record
)

// Flags, the sixth field of an embedded record.
const (
	flagInfra = 1 << iota // the event maintains the simulation
	flagError             // level ERROR or above
	flagWarn              // level WARN
)

// data is a trace made ready for the page: its records encoded as a JSON
// array, one array per record:
//
//	[t, seq, lane, cause, mark, flags, "text form"]
//
// t is in nanoseconds, lane an index into lanes, cause the seq of the
// event's cause (0 for records that are not events).
type data struct {
	records []byte
	count   int
	lanes   []lane
	laneIDs map[string]int
	focus   int // index of the record selected at load, -1 for none
	failure int // index of the failure record, -1 for none
	text    []byte
	hostOf  map[string]string // IP address to host name, learned from ConnectionReady
}

// lane is one swimlane: a task (or process) name, an object without a task
// ("conn=3"), or "world" for records about neither.
type lane struct {
	name  string
	class int // 0 world, 1 named task or process, 2 object: the order of groups on the page
}

func newData() *data {
	return &data{records: []byte{'['}, laneIDs: make(map[string]int), focus: -1, failure: -1,
		hostOf: make(map[string]string)}
}

// read encodes every record of rd and finds the record to select at load.
func (d *data) read(rd *trace.Reader, focus uint64) error {
	focusEvent, focusAny := -1, -1
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if isFailure(&r) {
			d.failure = d.count
		}
		if focus != 0 && r.Seq == focus {
			focusEvent, focusAny = firstOf(focusEvent, d.count, r.IsEvent()), firstOf(focusAny, d.count, true)
		}
		d.add(&r)
	}
	d.records = append(d.records, ']')
	return d.pickFocus(focus, focusEvent, focusAny)
}

// firstOf returns cur, or i if cur is unset and ok.
func firstOf(cur, i int, ok bool) int {
	if cur < 0 && ok {
		return i
	}
	return cur
}

func (d *data) pickFocus(focus uint64, event, anyRec int) error {
	switch {
	case focus == 0:
		d.focus = d.failure
	case event >= 0:
		d.focus = event
	case anyRec >= 0:
		d.focus = anyRec
	default:
		return fmt.Errorf("focus seq=%d: %w", focus, trace.ErrNoSuchSeq)
	}
	return nil
}

func isFailure(r *trace.Record) bool {
	return r.Kind == trace.KindLog && r.Level >= slog.LevelError && strings.HasPrefix(r.Msg, trace.FailurePrefix)
}

// add appends one record to the JSON array.
func (d *data) add(r *trace.Record) {
	b := d.records
	if d.count > 0 {
		b = append(b, ",\n"...)
	}
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(r.At), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, r.Seq, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(d.lane(r)), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, cause(r), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(markOf(r)), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(flagsOf(r)), 10)
	b = append(b, ',')
	d.text = trace.AppendText(d.text[:0], r)
	b = jsonstr.AppendScript(b, string(d.text))
	d.records = append(b, ']')
	d.count++
}

func cause(r *trace.Record) uint64 {
	if r.IsEvent() {
		return r.Cause
	}
	return 0
}

func markOf(r *trace.Record) int {
	switch {
	case r.Kind == trace.KindLog:
		return markLog
	case r.Kind == trace.KindFault:
		return markFault
	case r.Kind == trace.KindStart || r.Kind == trace.KindEnd:
		return markRun
	case strings.HasPrefix(r.Kind, "Process"):
		return markProcess
	}
	return markEvent
}

func flagsOf(r *trace.Record) int {
	f := 0
	if r.Infra {
		f |= flagInfra
	}
	switch {
	case r.Level >= slog.LevelError:
		f |= flagError
	case r.Level >= slog.LevelWarn:
		f |= flagWarn
	}
	return f
}

// lane returns the index of r's swimlane, adding it if new. Lanes are
// hosts: a task "bank/conn" belongs to host "bank", a file "db:wal.log" to
// "db", a delivery to the host it arrives at (addresses are mapped to hosts
// by the connections' ConnectionReady events, which name both ends).
// Records of no host go to "world"; objects the trace never ties to a host
// ("conn=3") get lanes of their own.
func (d *data) lane(r *trace.Record) int {
	name, class := d.laneOf(r)
	if i, ok := d.laneIDs[name]; ok {
		return i
	}
	d.laneIDs[name] = len(d.lanes)
	d.lanes = append(d.lanes, lane{name: name, class: class})
	return len(d.lanes) - 1
}

func (d *data) laneOf(r *trace.Record) (string, int) {
	if r.Op == "ConnectionReady" {
		d.learnHosts(r)
	}
	switch {
	case r.Kind == trace.KindLog && r.TaskName != "":
		return hostPart(r.TaskName), 1
	case r.Kind == trace.KindLog || r.Kind == trace.KindStart || r.Kind == trace.KindEnd:
		return "world", 0
	case r.Kind == "Network" || r.Kind == "Connection" || (r.Kind == trace.KindFault && r.Obj == "conn"):
		if h := d.hostByAddr(r); h != "" {
			return h, 1
		}
	}
	switch {
	case r.Kind == trace.KindAssert && r.TaskName != "":
		return hostPart(r.TaskName), 1
	case r.Name != "" && r.Obj != "conn":
		return hostPart(r.Name), 1
	case r.Obj != "" && r.Obj != "task":
		return r.Obj + "=" + strconv.FormatUint(r.ID, 10), 2
	case r.TaskName != "":
		return hostPart(r.TaskName), 1
	}
	return "world", 0
}

// hostPart is the host a task, file or process name belongs to: what comes
// before the first "/" or ":".
func hostPart(name string) string {
	if i := strings.IndexAny(name, "/:"); i > 0 {
		return name[:i]
	}
	return name
}

// learnHosts maps the two addresses of a ConnectionReady to the hosts its
// name gives ("client-3->bank" with "10.0.0.3:35116->10.0.1.1:7000").
func (d *data) learnHosts(r *trace.Record) {
	from, to, ok1 := strings.Cut(r.Name, "->")
	src, dst, ok2 := splitAddrs(r.Detail)
	if ok1 && ok2 {
		d.hostOf[ipOf(src)], d.hostOf[ipOf(dst)] = from, to
	}
}

// hostByAddr returns the host a network record happens at: where a chunk
// is taken from the send buffer, where data or a FIN arrives.
func (d *data) hostByAddr(r *trace.Record) string {
	src, dst, ok := splitAddrs(r.Detail)
	if !ok {
		return ""
	}
	if r.Op == "ProcessSendBuffer" || r.Kind == trace.KindFault {
		return d.hostOf[ipOf(src)]
	}
	return d.hostOf[ipOf(dst)]
}

// splitAddrs finds the "a:p->b:q" word of a detail.
func splitAddrs(detail string) (string, string, bool) {
	for _, w := range strings.Fields(detail) {
		if a, b, ok := strings.Cut(w, "->"); ok {
			return a, b, true
		}
	}
	return "", "", false
}

func ipOf(addrPort string) string {
	if i := strings.LastIndexByte(addrPort, ':'); i > 0 {
		return addrPort[:i]
	}
	return addrPort
}

// meta encodes what the page needs besides the records: the lanes, their
// display order, the focus and the title.
func (d *data) meta(title string) []byte {
	b := []byte(`{"title":`)
	b = jsonstr.AppendScript(b, title)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(d.count), 10)
	b = append(b, `,"focus":`...)
	b = strconv.AppendInt(b, int64(d.focus), 10)
	b = append(b, `,"failure":`...)
	b = strconv.AppendInt(b, int64(d.failure), 10)
	b = append(b, `,"lanes":[`...)
	for i, l := range d.lanes {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.AppendScript(b, l.name)
	}
	b = append(b, `],"order":[`...)
	for i, id := range d.order() {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return append(b, "]}"...)
}

// order returns the lane indexes in display order: "world", then tasks and
// processes, then objects, each group in natural order so that tasks of one
// prefix ("bank/") sit together and client-2 comes before client-10.
func (d *data) order() []int {
	ids := make([]int, len(d.lanes))
	for i := range ids {
		ids[i] = i
	}
	slices.SortFunc(ids, func(a, b int) int {
		la, lb := d.lanes[a], d.lanes[b]
		if la.class != lb.class {
			return la.class - lb.class
		}
		return naturalCompare(la.name, lb.name)
	})
	return ids
}
