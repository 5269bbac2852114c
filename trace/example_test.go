package trace_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// failedRun is the JSON Lines trace of a small failing run: client-2 sends
// on connection 3, the delivery wakes the checker, which finds the books
// unbalanced.
const failedRun = `{"t":0,"seq":0,"rng":0,"level":"INFO","kind":"Start","cause":0,"infra":false,"task":0,"attrs":{"seed":"0x2a","sim":"bank"}}
{"t":10000000,"seq":1,"rng":1,"level":"TRACE","kind":"Connection","op":"ConnectionReady","obj":"conn","id":3,"detail":"10.0.0.1:40001->10.0.1.1:7000","cause":0,"infra":false,"task":0}
{"t":20000000,"seq":2,"rng":2,"level":"TRACE","kind":"Timer","op":"Timer","obj":"task","id":12,"name":"bank/client-2","cause":0,"infra":false,"task":0}
{"t":30000000,"seq":4,"rng":3,"level":"TRACE","kind":"Network","op":"ProcessSendBuffer","obj":"conn","id":3,"cause":2,"infra":false,"task":0}
{"t":40000000,"seq":3,"rng":5,"level":"TRACE","kind":"Timer","op":"Timer","obj":"task","id":13,"name":"bank/client-3","cause":0,"infra":false,"task":0}
{"t":50000000,"seq":5,"rng":6,"level":"TRACE","kind":"Network","op":"DataDelivery","obj":"conn","id":3,"detail":"bytes=64 10.0.0.1:40001->10.0.1.1:7000","cause":4,"infra":false,"task":0}
{"t":70000000,"seq":7,"rng":7,"level":"TRACE","kind":"Timer","op":"Timer","obj":"task","id":20,"name":"bank/checker","cause":5,"infra":false,"task":0}
{"t":70000000,"seq":7,"rng":7,"level":"ERROR","kind":"Log","cause":0,"infra":false,"task":20,"task_name":"bank/checker","msg":"failure: invariant conservation violated","attrs":{"total":"99"}}
`

func ExampleAppendText() {
	r := trace.Record{
		At: 1234 * time.Millisecond, Seq: 47, RNG: 1203, Level: trace.LevelTrace,
		Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: 3,
		Detail: "bytes=64 10.0.0.1:40001->10.0.1.1:7000", Cause: 41,
	}
	fmt.Println(string(trace.AppendText(nil, &r)))
	// Output:
	// t=1.234000s seq=47 rng=1203 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=41
}

func ExampleAppendJSON() {
	r := trace.Record{
		At: time.Second, Seq: 48, RNG: 1203, Level: slog.LevelInfo, Kind: trace.KindLog,
		Task: 12, TaskName: "bank/client-2", Msg: "transfer done", Attrs: []trace.Attr{{Key: "amount", Value: "5"}},
	}
	fmt.Println(string(trace.AppendJSON(nil, &r)))
	// Output:
	// {"t":1000000000,"seq":48,"rng":1203,"level":"INFO","kind":"Log","cause":0,"infra":false,"task":12,"task_name":"bank/client-2","msg":"transfer done","attrs":{"amount":"5"}}
}

func ExampleReader() {
	rd := trace.NewReader(strings.NewReader(failedRun))
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		if r.Kind == "Network" {
			fmt.Printf("line %d: %s\n", rd.Line(), trace.AppendText(nil, &r))
		}
	}
	// Output:
	// line 4: t=0.030000s seq=4 rng=3 Network{conn=3 ProcessSendBuffer} cause=2
	// line 6: t=0.050000s seq=5 rng=6 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=4
}

func ExampleReader_errors() {
	truncated := failedRun[:strings.Index(failedRun, "ConnectionReady")]
	_, err := trace.NewReader(strings.NewReader("")).Next()
	fmt.Println(err)
	rd := trace.NewReader(strings.NewReader(truncated))
	rd.Next()
	_, err = rd.Next()
	fmt.Println(err)
	// Output:
	// empty trace: no records
	// trace line 2: truncated record: the file ends inside it
}

// Why with seq 0 explains the failure: the checker woke up because of a
// delivery on connection 3, sent on behalf of client-2's timer.
func ExampleWhy() {
	chain, err := trace.WhyOptions{Recent: 3}.Why(strings.NewReader(failedRun), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	chain.Format(os.Stdout)
	// Output:
	// why seq=7: 4 events on the chain
	// failure: t=0.070000s seq=7 rng=7 ERROR [bank/checker#20] failure: invariant conservation violated total=99
	// causal chain, newest first (each event was scheduled while the next one was processed):
	//   t=0.070000s seq=7 rng=7 Timer{task=20 "bank/checker"} cause=5
	//   t=0.050000s seq=5 rng=6 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=4
	//   t=0.030000s seq=4 rng=3 Network{conn=3 ProcessSendBuffer} cause=2
	//   t=0.020000s seq=2 rng=2 Timer{task=12 "bank/client-2"} cause=0
	//   (scheduled during setup)
	// connections on the chain:
	//   conn=3 established by t=0.010000s seq=1 rng=1 Connection{conn=3 ConnectionReady 10.0.0.1:40001->10.0.1.1:7000} cause=0
	// last 3 events before seq=7 (* on the chain):
	//   * t=0.030000s seq=4 rng=3 Network{conn=3 ProcessSendBuffer} cause=2
	//     t=0.040000s seq=3 rng=5 Timer{task=13 "bank/client-3"} cause=0
	//   * t=0.050000s seq=5 rng=6 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=4
}

// Diff compares two runs of the simulation: here the second one, another
// seed, delivered one more byte and drew one more random number.
func ExampleDiff() {
	other := strings.Replace(failedRun, `"seed":"0x2a"`, `"seed":"0x2b"`, 1)
	other = strings.Replace(other, `"rng":6,"level":"TRACE","kind":"Network","op":"DataDelivery","obj":"conn","id":3,"detail":"bytes=64`,
		`"rng":7,"level":"TRACE","kind":"Network","op":"DataDelivery","obj":"conn","id":3,"detail":"bytes=65`, 1)
	res, err := trace.Diff(strings.NewReader(failedRun), strings.NewReader(other), trace.DiffOptions{Context: 2, Diverging: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Format(os.Stdout)
	// Output:
	// traces differ after 5 common records (last common rng=5)
	//   t=0.030000s seq=4 rng=3 Network{conn=3 ProcessSendBuffer} cause=2
	//   t=0.040000s seq=3 rng=5 Timer{task=13 "bank/client-3"} cause=0
	// a: line 6 seq=5 t=0.050000s rng=6
	// - t=0.050000s seq=5 rng=6 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=4
	// b: line 6 seq=5 t=0.050000s rng=7
	// + t=0.050000s seq=5 rng=7 Network{conn=3 DataDelivery bytes=65 10.0.0.1:40001->10.0.1.1:7000} cause=4
}

// Show prints the neighbourhood of an event, here keeping only the events of
// connection 3.
func ExampleShow() {
	err := trace.Show(strings.NewReader(failedRun), os.Stdout, trace.ShowOptions{Around: 4, Before: 1, After: 1, Conn: 3})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// t=0.010000s seq=1 rng=1 Connection{conn=3 ConnectionReady 10.0.0.1:40001->10.0.1.1:7000} cause=0
	// t=0.030000s seq=4 rng=3 Network{conn=3 ProcessSendBuffer} cause=2
	// t=0.050000s seq=5 rng=6 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=4
}

func ExampleJSONEncoder() {
	var e trace.JSONEncoder
	var b []byte
	for i := range 2 {
		r := trace.Record{At: time.Duration(i) * time.Millisecond, Seq: uint64(i), Level: trace.LevelTrace,
			Kind: "Timer", Op: "Timer", Obj: "task", ID: 7, Name: "bank/client-2"}
		b = append(e.Append(b, &r), '\n')
	}
	fmt.Print(string(b))
	// Output:
	// {"t":0,"seq":0,"rng":0,"level":"TRACE","kind":"Timer","op":"Timer","obj":"task","id":7,"name":"bank/client-2","cause":0,"infra":false,"task":0}
	// {"t":1000000,"seq":1,"rng":0,"level":"TRACE","kind":"Timer","op":"Timer","obj":"task","id":7,"name":"bank/client-2","cause":0,"infra":false,"task":0}
}
