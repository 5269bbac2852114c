package netsim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

func TestConfigValidate(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		name string
		cfg  netsim.Config
		want string // a part of the error, "" for valid
	}{
		{"zero", netsim.Config{}, ""},
		{"standard", netsim.Config{Faults: netsim.StandardFaults()}, ""},
		{"connect backwards", netsim.Config{ConnectMin: 5 * ms, ConnectMax: ms}, "connect latency"},
		{"accept backwards", netsim.Config{AcceptMin: 5 * ms, AcceptMax: ms}, "accept latency"},
		{"negative bind", netsim.Config{BindMin: -ms}, "bind latency"},
		{"negative latency", netsim.Config{Latency: netsim.Latency{Min: -ms}}, "negative latency"},
		{"latency backwards", netsim.Config{Latency: netsim.Latency{Min: 2 * ms, Max: ms}}, "below Min"},
		{"unknown shape", netsim.Config{Latency: netsim.Latency{Shape: 9}}, "Shape(9)"},
		{"slow p", netsim.Config{Latency: netsim.Latency{Shape: netsim.Bimodal, SlowP: 2}}, "SlowP"},
		{"probability above 1", netsim.Config{Faults: netsim.Faults{ClogP: 1.5}}, "clog 1.5"},
		{"negative probability", netsim.Config{Faults: netsim.Faults{CutP: -0.1}}, "cut -0.1"},
		{"clog backwards", netsim.Config{Faults: netsim.Faults{ClogMin: time.Second, ClogMax: ms}}, "Clog"},
		{"negative interval", netsim.Config{Faults: netsim.Faults{ChaosInterval: -ms}}, "ChaosInterval"},
		{"negative receive window", netsim.Config{ReceiveWindow: -1}, "receive window -1"},
		{"bad slow network", netsim.Config{Faults: netsim.Faults{Latency: netsim.Latency{Max: -1}}}, "negative latency"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate: %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestFaultsString(t *testing.T) {
	for _, tt := range []struct {
		f    netsim.Faults
		want string
	}{
		{netsim.Faults{}, "none"},
		{netsim.StandardFaults(), "random-close=1e-05 random-close-rst=0.3 bit-flip=0.0001 partial=0.01 connect-fail=0.01"},
		{netsim.Faults{PartitionP: 0.01, OneWayP: 0.5, PairLatencyMax: 2 * time.Millisecond, DatagramReorder: true},
			"pair-latency<=2ms partition=0.01 one-way=0.5 dgram-reorder"},
		{netsim.Faults{Latency: netsim.Latency{Shape: netsim.Exponential, Max: 20 * time.Millisecond}},
			"latency=exponential(0s-20ms mean=5ms)"},
		{netsim.Faults{Latency: netsim.Latency{Shape: netsim.Bimodal, SlowP: 0.01}},
			"latency=bimodal(100µs-600µs slow=0.01:10ms-100ms)"},
	} {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestSwarmDrawsEveryFamily: over many seeds every family is sometimes on
// and sometimes off, every draw is valid, and a seed always draws the same.
func TestSwarmDrawsEveryFamily(t *testing.T) {
	families := map[string]func(f netsim.Faults) bool{
		"latency":      func(f netsim.Faults) bool { return f.Latency != netsim.Latency{} },
		"pair":         func(f netsim.Faults) bool { return f.PairLatencyMax > 0 },
		"clog":         func(f netsim.Faults) bool { return f.ClogP > 0 },
		"partition":    func(f netsim.Faults) bool { return f.PartitionP > 0 },
		"host":         func(f netsim.Faults) bool { return f.HostPartitionP > 0 },
		"cut":          func(f netsim.Faults) bool { return f.CutP > 0 },
		"random-close": func(f netsim.Faults) bool { return f.RandomCloseP > 0 },
		"bit-flip":     func(f netsim.Faults) bool { return f.BitFlipP > 0 },
		"partial":      func(f netsim.Faults) bool { return f.PartialP > 0 },
		"connect-fail": func(f netsim.Faults) bool { return f.ConnectFailP > 0 },
		"datagram":     func(f netsim.Faults) bool { return f.DatagramLossP > 0 },
	}
	on := map[string]int{}
	const seeds = 200
	for seed := range uint64(seeds) {
		f := netsim.SwarmFaults(sim.NewRand(seed, 1))
		if err := f.Validate(); err != nil {
			t.Fatalf("seed %d drew %v: %v", seed, f, err)
		}
		if again := netsim.SwarmFaults(sim.NewRand(seed, 1)); again != f {
			t.Fatalf("seed %d drew %v, then %v", seed, f, again)
		}
		for name, isOn := range families {
			if isOn(f) {
				on[name]++
			}
		}
	}
	for name := range families {
		if on[name] < seeds/4 || on[name] > 3*seeds/4 {
			t.Errorf("family %s on in %d of %d seeds", name, on[name], seeds)
		}
	}
}

func TestNewPanicsOnAnInvalidConfig(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted ClogP=2")
		}
	}()
	netsim.New(sim.New(sim.Config{}), netsim.Config{Faults: netsim.Faults{ClogP: 2}})
}
