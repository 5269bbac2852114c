package sim

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// FaultID names an injected fault, so that a fault filter can keep it while
// it suppresses others (see World.SetFaultFilter). It has three forms,
// which String prints and ParseFaultID reads:
//
//   - "Reboot:db#3", by ordinal: the third fault of its name (Op) on its
//     target. This is the form Orrery prints.
//   - "Reboot:db@0.943623s", by time: the first fault of its name on its
//     target at or after that time (to the microsecond).
//   - "7", by number: the seventh fault of the run, of any name. It is the
//     form earlier versions printed, still read.
//
// When a fault is suppressed the run differs after it, and a later fault
// may come sooner, later or not at all; the forms name "the same" fault
// across such runs in different ways, and none is always right. A number
// counts every fault, so it shifts when any earlier fault is suppressed;
// an ordinal only shifts with the faults of its own name and target.
type FaultID struct {
	Op string // the record's fault name: "Reboot", "Clog", "Buggify"; "" by number
	// Target is what the fault strikes: the record's process, host or file
	// name, a connection's or socket's pair of addresses without ports,
	// a Buggify site, or "net" for a partition.
	Target string
	N      uint64        // the ordinal (the number when Op is ""), from 1; 0 by time
	At     time.Duration // by time: the earliest time the fault may have
}

// String prints the fault as ParseFaultID reads it.
func (id FaultID) String() string {
	switch {
	case id.Op == "":
		return strconv.FormatUint(id.N, 10)
	case id.N > 0:
		return id.Op + ":" + id.Target + "#" + strconv.FormatUint(id.N, 10)
	}
	us := id.At / time.Microsecond
	return fmt.Sprintf("%s:%s@%d.%06ds", id.Op, id.Target, us/1e6, us%1e6)
}

// ParseFaultID reads a fault as FaultID.String prints it.
func ParseFaultID(s string) (FaultID, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && n > 0 {
		return FaultID{N: n}, nil
	}
	op, rest, ok := strings.Cut(s, ":")
	if !ok || op == "" {
		return FaultID{}, fmt.Errorf("fault %q: not Op:Target#N (e.g. Reboot:db#2), Op:Target@seconds or a number", s)
	}
	if i := strings.LastIndexByte(rest, '#'); i > 0 {
		n, err := strconv.ParseUint(rest[i+1:], 10, 64)
		if err != nil || n == 0 {
			return FaultID{}, fmt.Errorf("fault %q: its ordinal %q is not a whole number from 1", s, rest[i+1:])
		}
		return FaultID{Op: op, Target: rest[:i], N: n}, nil
	}
	if i := strings.LastIndexByte(rest, '@'); i > 0 {
		d, err := time.ParseDuration(rest[i+1:])
		if err != nil || d < 0 {
			return FaultID{}, fmt.Errorf("fault %q: its time %q is not a duration (e.g. 0.943623s)", s, rest[i+1:])
		}
		return FaultID{Op: op, Target: rest[:i], At: d.Truncate(time.Microsecond)}, nil
	}
	return FaultID{}, fmt.Errorf("fault %q: no target with an ordinal (Reboot:db#2) or a time (Reboot:db@0.943623s)", s)
}

// faultTarget is what the fault of r strikes (see FaultID.Target), with
// none of the characters a list of faults uses.
func faultTarget(obj, name, detail string) string {
	first, _, _ := strings.Cut(detail, " ")
	t := obj
	switch {
	case name != "":
		t = name
	case strings.HasPrefix(first, "site="):
		t = strings.TrimPrefix(first, "site=")
	case obj == "id": // a partition, of halves drawn each time
		t = "net"
	case strings.Contains(first, "->"):
		from, to, _ := strings.Cut(first, "->")
		t = hostOf(from) + "->" + hostOf(to)
	}
	if t == "" {
		t = "-"
	}
	return strings.Map(func(c rune) rune {
		if strings.ContainsRune(", \t\n#@", c) {
			return '_'
		}
		return c
	}, t)
}

// hostOf strips the port of an address, which a reconnection changes.
func hostOf(addr string) string {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().String()
	}
	return addr
}
