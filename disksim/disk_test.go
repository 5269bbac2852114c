package disksim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// run runs body as a task on a fresh World with one disk and returns the
// World.
func run(t testing.TB, seed uint64, cfg disksim.Config, body func(ctx context.Context, d *disksim.Disk) error) *sim.World {
	t.Helper()
	w := sim.New(sim.Config{Seed: seed})
	d := disksim.New(w, cfg).Disk("db")
	w.Spawn("test", func(ctx context.Context) {
		if err := body(ctx, d); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return w
}

func readAll(ctx context.Context, d *disksim.Disk, name string) ([]byte, error) {
	f, err := d.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func writeFile(ctx context.Context, d *disksim.Disk, name string, data []byte, sync bool) (env.File, error) {
	f, err := d.Create(ctx, name)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		return nil, err
	}
	if sync {
		return f, f.Sync()
	}
	return f, nil
}

func TestSyncedDataSurvivesEveryCrash(t *testing.T) {
	for seed := range uint64(100) {
		run(t, seed, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
			r := sim.NewRand(seed, 5)
			f, err := d.Create(ctx, "data")
			if err != nil {
				return err
			}
			if err := d.SyncDir(ctx, "/"); err != nil {
				return err
			}
			var synced []byte
			var image []byte
			touched := map[int]bool{} // bytes written since the last sync
			for range 30 {
				off := r.IntN(8192)
				p := bytes.Repeat([]byte{byte(r.Uint64())}, 1+r.IntN(2000))
				if _, err := f.WriteAt(p, int64(off)); err != nil {
					return err
				}
				if end := off + len(p); end > len(image) {
					image = append(image, make([]byte, end-len(image))...)
				}
				copy(image[off:], p)
				for i := off; i < off+len(p); i++ {
					touched[i] = true
				}
				if r.Bool(0.3) {
					if err := f.Sync(); err != nil {
						return err
					}
					synced, touched = bytes.Clone(image), map[int]bool{}
				}
			}
			d.Crash()
			got, err := readAll(ctx, d, "data")
			if err != nil {
				return err
			}
			for i, b := range synced {
				if !touched[i] && (i >= len(got) || got[i] != b) {
					return errors.New("a synced byte was lost in the crash")
				}
			}
			return nil
		})
	}
}

func TestUnsyncedWritesAreDroppedKeptOrTorn(t *testing.T) {
	outcomes := map[string]int{}
	for seed := range uint64(60) {
		run(t, seed, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
			f, err := writeFile(ctx, d, "f", make([]byte, 4096), true)
			if err != nil {
				return err
			}
			d.SyncDir(ctx, ".")
			f.WriteAt(bytes.Repeat([]byte{1}, 4096), 0)
			d.Crash()
			got, err := readAll(ctx, d, "f")
			if err != nil {
				return err
			}
			switch n := bytes.Count(got, []byte{1}); n {
			case 0:
				outcomes["dropped"]++
			case 4096:
				outcomes["kept"]++
			default:
				if n%512 != 0 {
					return errors.New("a write torn inside a sector")
				}
				outcomes["torn"]++
			}
			return nil
		})
	}
	if outcomes["dropped"] == 0 || outcomes["kept"] == 0 || outcomes["torn"] == 0 {
		t.Fatalf("outcomes over 60 seeds: %v", outcomes)
	}
}

func TestFailedSyncIsNotRepairedByTheNextOne(t *testing.T) {
	lost := 0
	for seed := range uint64(40) {
		run(t, seed, disksim.Config{Faults: disksim.Faults{SyncFailP: 1}}, func(ctx context.Context, d *disksim.Disk) error {
			f, err := d.Create(ctx, "f")
			if err != nil {
				return err
			}
			d.SyncDir(ctx, ".")
			f.Write(bytes.Repeat([]byte{7}, 1024))
			if err := f.Sync(); !errors.Is(err, syscall.EIO) {
				return errors.New("sync did not fail: " + errString(err))
			}
			return nil
		})
	}
	// With SyncFailP=1 every sync fails; use a storage whose faults are
	// switched off after the failure to check the second sync.
	for seed := range uint64(40) {
		w := sim.New(sim.Config{Seed: seed})
		s := disksim.New(w, disksim.Config{Faults: disksim.Faults{SyncFailP: 1}})
		d := s.Disk("db")
		w.Spawn("test", func(ctx context.Context) {
			f, _ := d.Create(ctx, "f")
			d.SyncDir(ctx, ".")
			f.Write(bytes.Repeat([]byte{7}, 1024))
			f.Sync() // fails
			s.SetFaults(disksim.Faults{})
			if err := f.Sync(); err != nil {
				t.Errorf("second sync: %v", err)
			}
			d.Crash()
			got, _ := readAll(ctx, d, "f")
			if bytes.Count(got, []byte{7}) < 1024 {
				lost++
			}
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
	}
	if lost == 0 {
		t.Fatal("a successful sync after a failed one always brought the data back")
	}
}

func TestNamesAreDurableAfterSyncDir(t *testing.T) {
	run(t, 1, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
		if _, err := writeFile(ctx, d, "dir/a", []byte("a"), true); err != nil {
			return err
		}
		d.Crash()
		if _, err := d.Stat(ctx, "dir/a"); !errors.Is(err, fs.ErrNotExist) {
			return errors.New("a file survived without SyncDir")
		}
		if _, err := writeFile(ctx, d, "dir/b", []byte("b"), true); err != nil {
			return err
		}
		if err := d.SyncDir(ctx, "dir"); err != nil {
			return err
		}
		if err := d.Rename(ctx, "dir/b", "dir/c"); err != nil {
			return err
		}
		d.Crash()
		if got, err := readAll(ctx, d, "dir/b"); err != nil || string(got) != "b" {
			return errors.New("an unsynced rename survived the crash, or the synced file was lost")
		}
		return nil
	})
}

func TestErrorsAreTheOnesOSGives(t *testing.T) {
	run(t, 2, disksim.Config{Capacity: 10_000}, func(ctx context.Context, d *disksim.Disk) error {
		check := func(what string, err, want error) error {
			var pe *fs.PathError
			var le *os.LinkError
			if !errors.Is(err, want) || !(errors.As(err, &pe) || errors.As(err, &le)) {
				return errors.New(what + ": " + errString(err))
			}
			return nil
		}
		_, err := d.Open(ctx, "missing")
		if e := check("open missing", err, fs.ErrNotExist); e != nil {
			return e
		}
		f, _ := writeFile(ctx, d, "f", []byte("x"), false)
		_, err = d.OpenFile(ctx, "f", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if e := check("create exclusive", err, fs.ErrExist); e != nil {
			return e
		}
		for _, bad := range []string{"../escape", "a/../../b", "a//b", ""} {
			if _, err := d.Create(ctx, bad); !errors.Is(err, fs.ErrInvalid) {
				return errors.New("path " + bad + ": " + errString(err))
			}
		}
		if _, err := f.WriteAt([]byte("x"), -1); err == nil || !strings.Contains(err.Error(), "negative offset") {
			return errors.New("negative offset: " + errString(err))
		}
		if _, err := f.Write(make([]byte, 20_000)); !errors.Is(err, disksim.ErrNoSpace) {
			return errors.New("disk full: " + errString(err))
		}
		ro, _ := d.Open(ctx, "f")
		if _, err := ro.Write([]byte("x")); !errors.Is(err, syscall.EBADF) {
			return errors.New("write to read-only: " + errString(err))
		}
		f.Close()
		_, err = f.Read(make([]byte, 1))
		if e := check("read closed", err, fs.ErrClosed); e != nil {
			return e
		}
		if err := d.Remove(ctx, "f"); err != nil {
			return err
		}
		return check("remove twice", d.Remove(ctx, "f"), fs.ErrNotExist)
	})
}

func TestDisksAreSeparate(t *testing.T) {
	w := sim.New(sim.Config{Seed: 3})
	s := disksim.New(w, disksim.Config{})
	a, b := s.Disk("a"), s.Disk("b")
	w.Spawn("test", func(ctx context.Context) {
		writeFile(ctx, a, "secret", []byte("a's"), true)
		if _, err := b.Open(ctx, "secret"); !errors.Is(err, fs.ErrNotExist) {
			t.Error("one disk's file is visible on another")
		}
		if s.Disk("a") != a {
			t.Error("a disk is not kept for its owner")
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
}

func TestLatencyModel(t *testing.T) {
	run(t, 4, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
		w := sim.FromContext(ctx)
		f, _ := d.Create(ctx, "f")
		start := w.Now()
		f.Write(make([]byte, 4096))
		if took := w.Now() - start; took < 100*time.Microsecond || took > 600*time.Microsecond {
			return errors.New("a 4 KiB write took " + took.String())
		}
		start = w.Now()
		f.Sync()
		if took := w.Now() - start; took < time.Millisecond || took > 5*time.Millisecond {
			return errors.New("a sync took " + took.String())
		}
		start = w.Now()
		f.Write(make([]byte, 15_000_000))
		if took := w.Now() - start; took < 100*time.Millisecond { // 15 MB at 150 MB/s
			return errors.New("a 15 MB write took " + took.String())
		}
		return nil
	})
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestWipeDeletesEverything(t *testing.T) {
	run(t, 5, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
		f, err := writeFile(ctx, d, "kept", []byte("data"), true)
		if err != nil {
			return err
		}
		d.SyncDir(ctx, ".")
		d.Wipe()
		if _, err := f.Write([]byte("x")); !errors.Is(err, fs.ErrClosed) {
			return errors.New("a file stayed open across a wipe")
		}
		if _, err := d.Open(ctx, "kept"); !errors.Is(err, fs.ErrNotExist) {
			return errors.New("a synced file survived the wipe")
		}
		return nil
	})
}

// TestHealEndsThrottling: after Heal, an operation runs at full speed
// although throttling began before; SetFaults alone only stops new faults.
func TestHealEndsThrottling(t *testing.T) {
	tests := []struct {
		name string
		heal func(s *disksim.Storage)
		slow bool // the operations after healing are throttled
	}{
		{"Heal", (*disksim.Storage).Heal, false},
		{"SetFaults zero", func(s *disksim.Storage) { s.SetFaults(disksim.Faults{}) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sim.New(sim.Config{Seed: 1})
			s := disksim.New(w, disksim.Config{Faults: disksim.Faults{ThrottleP: 1, ThrottleFor: time.Hour}})
			d := s.Disk("db")
			var took time.Duration
			w.Spawn("test", func(ctx context.Context) {
				d.Create(ctx, "a") // throttles the disk for an hour
				sim.Sleep(ctx, time.Second)
				tt.heal(s)
				start := w.Now()
				if _, err := writeFile(ctx, d, "b", []byte("b"), true); err != nil {
					t.Errorf("write: %v", err)
				}
				took = w.Now() - start
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if slow := took > 10*time.Millisecond; slow != tt.slow {
				t.Errorf("create, write and sync after %s took %v; want them throttled: %v", tt.name, took, tt.slow)
			}
		})
	}
}

// TestEmptyWritesChangeNothing: a write of no bytes leaves a file as it
// was, as on a regular file, before and after a crash: it is not a pending
// truncate to 0, nor does it extend the file at an offset beyond its end.
func TestEmptyWritesChangeNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(f env.File) error
	}{
		{"write", func(f env.File) error { _, err := f.Write(nil); return err }},
		{"write at the end", func(f env.File) error { _, err := f.WriteAt([]byte{}, 100); return err }},
		{"write beyond the end", func(f env.File) error { _, err := f.WriteAt(nil, 500); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(8) {
				run(t, seed, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
					f, err := d.Create(ctx, "f")
					if err != nil {
						return err
					}
					if err := f.Truncate(100); err != nil {
						return err
					}
					if err := f.Sync(); err != nil {
						return err
					}
					if err := d.SyncDir(ctx, "."); err != nil {
						return err
					}
					if err := tc.write(f); err != nil {
						return err
					}
					if n, err := f.Size(); err != nil || n != 100 {
						return fmt.Errorf("size %d (%v) after the empty write, want 100", n, err)
					}
					d.Crash()
					data, err := readAll(ctx, d, "f")
					if err != nil || len(data) != 100 {
						return fmt.Errorf("%d bytes (%v) after the crash, want 100", len(data), err)
					}
					return nil
				})
			}
		})
	}
}
