package chaos

import (
	"fmt"
	"slices"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/netsim"
)

// family is one network or disk fault family as swarm switches it: copy
// sets the family's levels in dst to those in src, leaving the other
// families and the tuning knobs (clog and partition durations, the chaos
// interval) alone.
type family struct {
	name string
	copy func(dst, src *Drawn)
}

// families are the network and disk families swarm draws, by the names
// Config.Model takes; netsim.SwarmFaults and disksim.SwarmFaults draw
// their levels.
var families = []family{
	{"latency", func(d, s *Drawn) { d.Net.Latency = s.Net.Latency }},
	{"pair-latency", func(d, s *Drawn) { d.Net.PairLatencyMax = s.Net.PairLatencyMax }},
	{"clog", func(d, s *Drawn) { d.Net.ClogP, d.Net.ReadClogP = s.Net.ClogP, s.Net.ReadClogP }},
	{"partition", func(d, s *Drawn) { d.Net.PartitionP, d.Net.OneWayP = s.Net.PartitionP, s.Net.OneWayP }},
	{"host-partition", func(d, s *Drawn) { d.Net.HostPartitionP = s.Net.HostPartitionP }},
	{"cut", func(d, s *Drawn) { d.Net.CutP = s.Net.CutP }},
	{"random-close", func(d, s *Drawn) { d.Net.RandomCloseP = s.Net.RandomCloseP }},
	{"bit-flip", func(d, s *Drawn) { d.Net.BitFlipP = s.Net.BitFlipP }},
	{"partial", func(d, s *Drawn) { d.Net.PartialP = s.Net.PartialP }},
	{"connect-fail", func(d, s *Drawn) { d.Net.ConnectFailP = s.Net.ConnectFailP }},
	{"datagram", func(d, s *Drawn) {
		d.Net.DatagramLossP, d.Net.DatagramDupP, d.Net.DatagramReorder = s.Net.DatagramLossP, s.Net.DatagramDupP, s.Net.DatagramReorder
	}},
	{"sync-fail", func(d, s *Drawn) { d.Disk.SyncFailP = s.Disk.SyncFailP }},
	{"corrupt", func(d, s *Drawn) {
		d.Disk.ReadCorruptP, d.Disk.WriteCorruptP = s.Disk.ReadCorruptP, s.Disk.WriteCorruptP
	}},
	{"phantom-write", func(d, s *Drawn) { d.Disk.PhantomWriteP = s.Disk.PhantomWriteP }},
	{"misdirected", func(d, s *Drawn) {
		d.Disk.MisdirectedWriteP, d.Disk.MisdirectedReadP = s.Disk.MisdirectedWriteP, s.Disk.MisdirectedReadP
	}},
	{"stall", func(d, s *Drawn) { d.Disk.StallP = s.Disk.StallP }},
	{"throttle", func(d, s *Drawn) { d.Disk.ThrottleP = s.Disk.ThrottleP }},
	{"garbage", func(d, s *Drawn) { d.Disk.UnwrittenGarbage = s.Disk.UnwrittenGarbage }},
}

// Families returns the names of the network and disk fault families, as
// Config.Model takes them.
func Families() []string {
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = f.name
	}
	return names
}

// setIn reports whether f has a non-zero level in the faults of d.
func (f family) setIn(d Drawn) bool {
	var x Drawn
	f.copy(&x, &d)
	return x != Drawn{}
}

// Declared returns the names of the network and disk families c declares,
// in the order of Families: Model when it is set; else the families whose
// level c.Net and c.Disk set; else, when c sets none of them and no
// attrition either, those of Standard().
func (c Config) Declared() []string {
	if c.Model != nil {
		return slices.DeleteFunc(Families(), func(n string) bool { return !slices.Contains(c.Model, n) })
	}
	from := Drawn{Net: c.Net, Disk: c.Disk}
	if from == (Drawn{}) && !c.Attrition.Enabled() {
		std := Standard()
		from = Drawn{Net: std.Net, Disk: std.Disk}
	}
	var names []string
	for _, f := range families {
		if f.setIn(from) {
			names = append(names, f.name)
		}
	}
	return names
}

// validateModel reports the first name in model that is no family.
func validateModel(model []string) error {
	for _, n := range model {
		if !slices.ContainsFunc(families, func(f family) bool { return f.name == n }) {
			return fmt.Errorf("model: no fault family %q (want one of %v)", n, Families())
		}
	}
	return nil
}

// swarm draws the network and disk faults of one seed within the
// declared families: each on or off, its level drawn, as
// netsim.SwarmFaults and disksim.SwarmFaults draw them. The tuning knobs
// of c (durations, intervals) are kept; families outside the declaration
// are off.
func (c Config) swarm(net netsim.Faults, disk disksim.Faults) (netsim.Faults, disksim.Faults) {
	drawn := Drawn{Net: net, Disk: disk}
	out := Drawn{Net: c.Net, Disk: c.Disk}
	declared := c.Declared()
	var zero Drawn
	for _, f := range families {
		if slices.Contains(declared, f.name) {
			f.copy(&out, &drawn)
		} else {
			f.copy(&out, &zero)
		}
	}
	return out.Net, out.Disk
}
