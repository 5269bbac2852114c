package html_test

import (
	"fmt"
	"strings"

	"github.com/orrerysim/orrery/trace/html"
)

// failedRun is a small failing run: client-2 sends on connection 3, the
// delivery wakes the checker, which finds the books unbalanced.
const failedRun = `{"t":0,"seq":0,"rng":0,"level":"INFO","kind":"Start","cause":0,"infra":false,"task":0,"attrs":{"seed":"0x2a","sim":"bank"}}
{"t":20000000,"seq":1,"rng":2,"level":"TRACE","kind":"Timer","op":"Timer","obj":"task","id":12,"name":"bank/client-2","cause":0,"infra":false,"task":0}
{"t":50000000,"seq":2,"rng":6,"level":"TRACE","kind":"Network","op":"DataDelivery","obj":"conn","id":3,"detail":"bytes=64","cause":1,"infra":false,"task":0}
{"t":70000000,"seq":3,"rng":7,"level":"TRACE","kind":"Timer","op":"Timer","obj":"task","id":20,"name":"bank/checker","cause":2,"infra":false,"task":0}
{"t":70000000,"seq":3,"rng":7,"level":"ERROR","kind":"Log","cause":0,"infra":false,"task":20,"task_name":"bank/checker","msg":"failure: invariant conservation violated"}
`

func ExampleWrite() {
	var page strings.Builder
	err := html.Write(strings.NewReader(failedRun), &page, html.Options{Title: "bank seed 0x2a"})
	if err != nil {
		fmt.Println(err)
		return
	}
	out := page.String()
	fmt.Println(strings.Contains(out, "<title>bank seed 0x2a</title>"))
	fmt.Println(strings.Contains(out, `"lanes":["world","bank","conn=3"]`))
	fmt.Println(strings.Contains(out, `"focus":4`)) // the failure, the fifth record

	err = html.Write(strings.NewReader(""), &page, html.Options{})
	fmt.Println(err)
	// Output:
	// true
	// true
	// true
	// html: empty trace: no records
}
