package wal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/realenv"
	"github.com/orrerysim/orrery/sim"
)

// onDisks runs body on a real disk (a temporary directory) and on a
// simulated one without faults.
func onDisks(t *testing.T, body func(ctx context.Context, d env.Disk) error) {
	t.Run("real", func(t *testing.T) {
		e, err := realenv.New(realenv.Options{Root: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if err := body(e.Context(), e.Disk()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("sim", func(t *testing.T) {
		if err := onSimDisk(1, disksim.Faults{}, body); err != nil {
			t.Fatal(err)
		}
	})
}

// onSimDisk runs body in a simulation of the seed, on a disk with faults.
func onSimDisk(seed uint64, faults disksim.Faults, body func(ctx context.Context, d env.Disk) error) error {
	w := sim.New(sim.Config{Seed: seed})
	d := disksim.New(w, disksim.Config{Faults: faults}).Disk("db")
	var err error
	w.Spawn("test", func(ctx context.Context) { err = body(ctx, d) })
	if werr := w.Run(); werr != nil {
		return werr
	}
	return err
}

var three = [][]byte{[]byte("one"), []byte("two"), []byte("three")}

// appendAll opens the log, appends recs and closes it.
func appendAll(ctx context.Context, d env.Disk, recs [][]byte) error {
	l, _, err := Open(ctx, d, "wal.log")
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := l.Append(ctx, r); err != nil {
			return err
		}
	}
	return l.Close()
}

// damage writes b at off in the log file and syncs it, as a fault would.
func damage(ctx context.Context, d env.Disk, off int64, b []byte) error {
	f, err := d.OpenFile(ctx, "wal.log", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		return err
	}
	return f.Sync()
}

func TestRecovery(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(ctx context.Context, d env.Disk) error
		want    [][]byte
		wantErr error
	}{
		{"intact", func(context.Context, env.Disk) error { return nil }, three, nil},
		{"torn tail", func(ctx context.Context, d env.Disk) error {
			return damage(ctx, d, 8+3+8+3+8+2, []byte("X")) // in "three"
		}, three[:2], nil},
		{"a partial frame after the last", func(ctx context.Context, d env.Disk) error {
			return damage(ctx, d, 8+3+8+3+8+5, []byte{0, 0, 0, 9, 1, 2})
		}, three, nil},
		{"a synced record corrupt", func(ctx context.Context, d env.Disk) error {
			return damage(ctx, d, 8+3+8, []byte("T")) // "two" is followed by "three"
		}, nil, ErrCorrupt},
		{"a frame moved elsewhere", func(ctx context.Context, d env.Disk) error {
			return damage(ctx, d, 8+3, appendFrame(nil, []byte("two"))) // framed for offset 0
		}, nil, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			onDisks(t, func(ctx context.Context, d env.Disk) error {
				if err := appendAll(ctx, d, three); err != nil {
					return err
				}
				if err := tt.damage(ctx, d); err != nil {
					return err
				}
				_, got, err := Open(ctx, d, "wal.log")
				if !errors.Is(err, tt.wantErr) || !slices.EqualFunc(got, tt.want, slices.Equal) {
					return fmt.Errorf("recovered %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
				}
				return nil
			})
		})
	}
}

// TestAppendSurvivesDiskFaults appends under heavy corruption, lost and
// misdirected writes and reads, and failed syncs, with no crash: every
// record that Append took must be recovered, in order, by Open. After an
// Append error the log is opened again, as the database does.
func TestAppendSurvivesDiskFaults(t *testing.T) {
	faults := disksim.Faults{ReadCorruptP: 0.05, WriteCorruptP: 0.05, PhantomWriteP: 0.05,
		MisdirectedWriteP: 0.05, MisdirectedReadP: 0.05, SyncFailP: 0.02, UnwrittenGarbage: true}
	for seed := range uint64(50) {
		var took []string
		err := onSimDisk(seed, faults, func(ctx context.Context, d env.Disk) error {
			var l *Log
			for i := range 300 {
				if l == nil {
					var err error
					if l, _, err = reopen(ctx, d); err != nil {
						return err
					}
				}
				rec := fmt.Sprintf("record %d", i)
				if err := l.Append(ctx, []byte(rec)); err != nil {
					l.Close()
					l = nil
					continue
				}
				took = append(took, rec)
			}
			_, got, err := reopen(ctx, d)
			if missing := firstMissing(took, got); err != nil || missing != "" {
				return fmt.Errorf("recovered %d records (%v); %q is missing", len(got), err, missing)
			}
			return nil
		})
		if err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
		if len(took) < 250 {
			t.Errorf("seed %d: Append took only %d of 300 records", seed, len(took))
		}
	}
}

// reopen opens the log as the database does, again after an error other
// than ErrCorrupt (a failed sync), as a supervisor would restart it.
func reopen(ctx context.Context, d env.Disk) (l *Log, recs [][]byte, err error) {
	for range 5 {
		if l, recs, err = Open(ctx, d, "wal.log"); err == nil || errors.Is(err, ErrCorrupt) {
			break
		}
	}
	return l, recs, err
}
