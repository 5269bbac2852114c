package disksim_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
)

// TestFaultFilterSuppressesDiskFaults: with every fault suppressed, the
// data written comes back intact whatever the fault probabilities, and
// each fault drawn is recorded as suppressed and not counted.
func TestFaultFilterSuppressesDiskFaults(t *testing.T) {
	want := bytes.Repeat([]byte{0xAA}, 4096)
	for _, tt := range []struct {
		name   string
		faults disksim.Faults
	}{
		{"read corruption", disksim.Faults{ReadCorruptP: 1}},
		{"write corruption", disksim.Faults{WriteCorruptP: 1}},
		{"phantom write", disksim.Faults{PhantomWriteP: 1}},
		{"misdirected read", disksim.Faults{MisdirectedReadP: 1}},
		{"misdirected write", disksim.Faults{MisdirectedWriteP: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := sim.New(sim.Config{Seed: 1})
			w.SetFaultFilter([]sim.FaultID{})
			d := disksim.New(w, disksim.Config{Faults: tt.faults}).Disk("db")
			var got []byte
			w.Spawn("test", func(ctx context.Context) {
				f, err := d.Create(ctx, "f")
				if err != nil {
					t.Error(err)
					return
				}
				f.WriteAt(make([]byte, 16384), 0)
				f.WriteAt(want, 4096)
				got = make([]byte, 4096)
				if _, err := f.ReadAt(got, 4096); err != nil && err != io.EOF {
					t.Error(err)
				}
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Error("suppressed faults changed the data")
			}
			if n := len(w.InjectedFaults()); n == 0 || len(w.Faults()) != 0 {
				t.Errorf("%d faults numbered (want some), counted %+v (want none)", n, w.Faults())
			}
		})
	}
}
