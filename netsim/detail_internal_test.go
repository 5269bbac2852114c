package netsim

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// TestEventDetailAsGeneralForm: the detail that a connection gives the
// trace of each event, a string its pipe keeps or bytes appended to the
// buffer it is given, is "bytes=N" and the direction's addresses, as
// formatted anew for that event, whatever counts came before (repeated,
// alternating, changing each time, more than a pipe keeps strings for);
// appended, it leaves the buffer's bytes before it as they were, and
// kept, it leaves the buffer as it was.
func TestEventDetailAsGeneralForm(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	n := New(w, Config{})
	h := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	c := newConn(n, h, netip.MustParseAddrPort("10.0.0.1:40001"), netip.MustParseAddrPort("10.0.1.1:7000"))
	counts := []int64{23, 23, 23, 21, 21, 23, 23, 0, 0, 5, 6, 5, 6, 70000, 70000, 70000, 1, 1, 2, 2, 3, 3, 4, 4,
		7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 23, 23, 23}
	kept := 0
	for i, k := range counts {
		for dir := range int64(2) {
			want := fmt.Sprintf("bytes=%d %v->%v", k, c.addr[dir], c.addr[1-dir])
			kept += checkDetail(t, c, &sim.Event{Op: sim.OpDataDelivery, Arg: dir | k<<1}, want, fmt.Sprintf("count %d (%d), pipe %d", k, i, dir))
		}
	}
	if kept == 0 || kept > 2*(maxBytesTexts+2) {
		t.Errorf("%d details kept as strings, want some and at most %d", kept, 2*(maxBytesTexts+2))
	}
	for _, tc := range []struct {
		op   sim.Op
		fin  bool
		name string
		want string
	}{
		{sim.OpProcessSendBuffer, false, "", "bytes=0 10.0.1.1:7000->10.0.0.1:40001"},
		{sim.OpProcessSendBuffer, true, "", "fin 10.0.1.1:7000->10.0.0.1:40001"},
		{sim.OpConnectionReady, false, "a->?", "10.0.1.1:7000->10.0.0.1:40001"},
		{sim.OpFinDelivery, false, "", "10.0.1.1:7000->10.0.0.1:40001"},
	} {
		c.pipe[1].finQueued = tc.fin
		ev := &sim.Event{Op: tc.op, Arg: 1}
		checkDetail(t, c, ev, tc.want, tc.op.String())
		if name, d := c.DescribeEvent(ev); name != tc.name || d != tc.want {
			t.Errorf("%v: DescribeEvent says %q %q, want %q %q", tc.op, name, d, tc.name, tc.want)
		}
	}
}

// checkDetail checks the detail that AppendEventDetail gives of ev against
// want, and returns 1 when it was a kept string.
func checkDetail(t *testing.T, c *conn, ev *sim.Event, want, what string) int {
	t.Helper()
	const before = "before "
	b := append(make([]byte, 0, 8), before...)
	_, detail, nb := c.AppendEventDetail(b, ev)
	switch {
	case detail != "" && (detail != want || string(nb) != before):
		t.Errorf("%s: kept %q with the buffer %q, want %q and %q", what, detail, nb, want, before)
	case detail == "" && string(nb) != before+want:
		t.Errorf("%s: appended %q, want %q", what, nb, before+want)
	case detail != "":
		return 1
	}
	return 0
}
