package disksim_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
)

func faultCount(w *sim.World, name string) int {
	for _, f := range w.Faults() {
		if f.Name == name {
			return f.Count
		}
	}
	return 0
}

// readBack writes 4 KiB of 0xAA, syncs, reads it back, and returns what
// came back.
func readBack(t *testing.T, f disksim.Faults) ([]byte, *sim.World) {
	var got []byte
	w := run(t, 1, disksim.Config{Faults: f}, func(ctx context.Context, d *disksim.Disk) error {
		if _, err := writeFile(ctx, d, "f", make([]byte, 8192), true); err != nil {
			return err
		}
		fl, err := d.OpenFile(ctx, "f", 2, 0) // O_RDWR
		if err != nil {
			return err
		}
		if _, err := fl.WriteAt(bytes.Repeat([]byte{0xAA}, 4096), 4096); err != nil {
			return err
		}
		got = make([]byte, 4096)
		if _, err = fl.ReadAt(got, 4096); err == io.EOF { // the phantom write never extended the file
			err = nil
		}
		return err
	})
	return got, w
}

func TestDiskFaults(t *testing.T) {
	want := bytes.Repeat([]byte{0xAA}, 4096)
	for _, tt := range []struct {
		name   string
		faults disksim.Faults
		fault  string
	}{
		{"read corruption", disksim.Faults{ReadCorruptP: 1}, "ReadCorrupt"},
		{"write corruption", disksim.Faults{WriteCorruptP: 1}, "WriteCorrupt"},
		{"phantom write", disksim.Faults{PhantomWriteP: 1}, "PhantomWrite"},
		{"misdirected read", disksim.Faults{MisdirectedReadP: 1}, "MisdirectedRead"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, w := readBack(t, tt.faults)
			if bytes.Equal(got, want) && tt.name != "misdirected read" {
				t.Fatal("the data came back intact")
			}
			if faultCount(w, tt.fault) == 0 {
				t.Fatalf("no %s record: %+v", tt.fault, w.Faults())
			}
		})
	}
	clean, _ := readBack(t, disksim.Faults{})
	if !bytes.Equal(clean, want) {
		t.Fatal("data changed without faults")
	}
}

func TestMisdirectedWriteLandsElsewhere(t *testing.T) {
	moved := 0
	for seed := range uint64(20) {
		run(t, seed, disksim.Config{Faults: disksim.Faults{MisdirectedWriteP: 1}}, func(ctx context.Context, d *disksim.Disk) error {
			f, _ := writeFile(ctx, d, "f", make([]byte, 16384), false)
			f.WriteAt(bytes.Repeat([]byte{1}, 512), 8192)
			got := make([]byte, 512)
			f.ReadAt(got, 8192)
			if !bytes.Equal(got, bytes.Repeat([]byte{1}, 512)) {
				moved++
			}
			return nil
		})
	}
	if moved == 0 {
		t.Fatal("misdirected writes always landed where asked")
	}
}

func TestUnwrittenSectorsReadAsGarbage(t *testing.T) {
	run(t, 1, disksim.Config{Faults: disksim.Faults{UnwrittenGarbage: true}}, func(ctx context.Context, d *disksim.Disk) error {
		f, _ := d.Create(ctx, "f")
		f.WriteAt([]byte("end"), 4096)
		hole := make([]byte, 4096)
		f.ReadAt(hole, 0)
		if bytes.Equal(hole, make([]byte, 4096)) {
			return errors.New("the hole reads as zeros")
		}
		return nil
	})
}

func TestStallsAndThrottlingSlowTheDisk(t *testing.T) {
	for _, f := range []disksim.Faults{{StallP: 1}, {ThrottleP: 1}} {
		run(t, 1, disksim.Config{Faults: f}, func(ctx context.Context, d *disksim.Disk) error {
			w := sim.FromContext(ctx)
			file, _ := d.Create(ctx, "f")
			start := w.Now()
			for range 3 {
				file.Write(make([]byte, 512))
			}
			if took := w.Now() - start; took < 2*time.Millisecond {
				return errors.New("three writes took only " + took.String())
			}
			return nil
		})
	}
}

func TestSameSeedSameTrace(t *testing.T) {
	workload := func(ctx context.Context, d *disksim.Disk) error {
		f, _ := writeFile(ctx, d, "wal", make([]byte, 1000), true)
		for i := range 20 {
			f.Write(bytes.Repeat([]byte{byte(i)}, 100+i))
			if i%4 == 0 {
				f.Sync()
			}
		}
		d.Crash()
		return nil
	}
	for seed := range uint64(10) {
		faults := disksim.SwarmFaults(sim.NewRand(seed, 3))
		a := run(t, seed, disksim.Config{Faults: faults}, workload).TraceHash()
		b := run(t, seed, disksim.Config{Faults: faults}, workload).TraceHash()
		if a != b {
			t.Fatalf("seed %d: hashes %x and %x", seed, a, b)
		}
	}
}

func TestTraceLines(t *testing.T) {
	var log strings.Builder
	w := sim.New(sim.Config{Seed: 1, Log: &log, LogFilter: "trace"})
	d := disksim.New(w, disksim.Config{}).Disk("db")
	w.Spawn("test", func(ctx context.Context) {
		f, _ := d.Create(ctx, "wal.log")
		f.Write(make([]byte, 4096))
		f.Sync()
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`Storage{file=1 OpenComplete "db:wal.log"}`,
		`Storage{file=1 WriteComplete "db:wal.log" bytes=4096 off=0}`,
		`Storage{file=1 SyncComplete "db:wal.log"}`,
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("trace lacks %s:\n%s", want, log.String())
		}
	}
}

// TestEveryCrashStateOfATinyWorkload enumerates all 2^3 outcomes of three
// pending writes: a recovery that keeps the longest valid prefix of
// records always finds the synced one.
func TestEveryCrashStateOfATinyWorkload(t *testing.T) {
	states := 0
	for keep := range disksim.Subsets(3) {
		run(t, 1, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
			f, _ := writeFile(ctx, d, "log", []byte("A"), true)
			d.SyncDir(ctx, ".")
			f.Write([]byte("B"))
			f.Write([]byte("C"))
			f.Write([]byte("D"))
			if n := d.PendingWrites(); n != 3 {
				return errors.New("pending writes: " + string(rune('0'+n)))
			}
			d.CrashKeeping(keep)
			got, err := readAll(ctx, d, "log")
			if err != nil || len(got) == 0 || got[0] != 'A' {
				return errors.New("the synced record was lost")
			}
			states++
			return nil
		})
	}
	if states != 8 {
		t.Fatalf("%d crash states checked, want 8", states)
	}
}

// TestStallEpisode: a stall holds every operation of the disk for
// StallMin-StallMax, is a Stall fault record, and repeats with its seed.
func TestStallEpisode(t *testing.T) {
	cfg := disksim.Config{Faults: disksim.Faults{StallP: 1, StallMin: 2 * time.Second, StallMax: 3 * time.Second}}
	for seed := range uint64(5) {
		body := func(ctx context.Context, d *disksim.Disk) error {
			w := sim.FromContext(ctx)
			start := w.Now()
			f, err := d.Create(ctx, "f")
			if err != nil {
				return err
			}
			if took := w.Now() - start; took < 2*time.Second || took > 3*time.Second+10*time.Millisecond {
				return errors.New("a create in a 2-3 s stall took " + took.String())
			}
			_, err = f.Write(make([]byte, 20))
			return err
		}
		w := run(t, seed, cfg, body)
		if faultCount(w, "Stall") == 0 {
			t.Fatalf("seed %d: no Stall record: %+v", seed, w.Faults())
		}
		if a, b := w.TraceHash(), run(t, seed, cfg, body).TraceHash(); a != b {
			t.Fatalf("seed %d: hashes %x and %x", seed, a, b)
		}
	}
}
