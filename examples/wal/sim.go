package wal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
)

// BugAckBeforeSync is the planted bug: a record is acknowledged before it
// is synced.
const BugAckBeforeSync = "ack-before-sync"

// ackedKey is where the database publishes the records it acknowledged:
// the simulation's memory of what was promised, which survives the
// process's crashes as a client's would.
const ackedKey = "wal/acked"

// Simulation returns the WAL simulation: one database process appending to
// its log for 30 s under attrition (a crash every 0.1-1 s, back after 1-10
// s), torn and dropped unsynced writes, and fsync failures.
//
// Its fault model (Model), which --swarm draws from: besides fsync
// failures, the disk may corrupt reads and writes, lose writes (phantom),
// stall, throttle and hold garbage in unwritten sectors. Misdirected
// writes are left out: one lands up to 4 KiB before its place, on records
// already synced, and a crash between the write and its repair makes the
// damage durable. No log on a single disk survives that: it takes a second
// copy.
func Simulation() orrery.Simulation {
	return orrery.Simulation{
		Name:      "wal",
		Processes: []orrery.Process{{Name: "db", Main: database}},
		Workloads: []orrery.Workload{{Name: "driver", New: func() orrery.Driver { return driver{} }}},
		Chaos: chaos.Config{
			Duration:  30 * time.Second,
			Attrition: chaos.Attrition{MaxDead: 1, Crash: 1, MinInterval: 100 * time.Millisecond, MaxInterval: time.Second},
			Disk:      disksim.Faults{SyncFailP: 0.02},
			Model:     Model,
		},
		Bugs: []string{BugAckBeforeSync},
	}
}

// Model is the fault families the log claims to survive: every disk family
// but misdirected reads and writes (see Simulation).
var Model = []string{"sync-fail", "corrupt", "phantom-write", "stall", "throttle", "garbage"}

// database is the process: recover, check that every acknowledged record
// survived, then append and acknowledge records until shut down.
func database(e env.Env) error {
	ctx := e.Context()
	acked := ackedRecords(ctx)
	log, recs, err := Open(ctx, e.Disk(), "wal.log")
	if errors.Is(err, ErrCorrupt) {
		assert.Unreachable(ctx, "the log's synced records read back intact", "err", err.Error())
	}
	if err != nil {
		return err // restarted by the supervisor
	}
	defer log.Close()
	missing := firstMissing(*acked, recs)
	assert.Always(ctx, missing == "", "every acknowledged record survives a crash",
		"missing", missing, "acked", len(*acked), "recovered", len(recs))
	orrery.Publish(ctx, "wal/recoveries", len(recs))
	buggy := orrery.Planted(ctx, BugAckBeforeSync)
	for i := 0; ; i++ {
		if err := e.Clock().Sleep(ctx, time.Duration(10+e.Rand().IntN(40))*time.Millisecond); err != nil {
			return nil
		}
		rec := fmt.Sprintf("%d-%d", len(*acked), i)
		if buggy {
			off, err := log.write([]byte(rec))
			if err != nil {
				return err
			}
			*acked = append(*acked, rec) // the bug: acknowledged before it is durable
			if err := log.commit(ctx, off); err != nil {
				return err
			}
			continue
		}
		if err := log.Append(ctx, []byte(rec)); err != nil {
			return err
		}
		*acked = append(*acked, rec)
	}
}

func ackedRecords(ctx context.Context) *[]string {
	if v, ok := orrery.Published(ctx, ackedKey); ok {
		return v.(*[]string)
	}
	acked := new([]string)
	orrery.Publish(ctx, ackedKey, acked)
	return acked
}

// firstMissing returns the first acknowledged record that recs, in order,
// does not hold, or "".
func firstMissing(acked []string, recs [][]byte) string {
	j := 0
	for _, a := range acked {
		for j < len(recs) && string(recs[j]) != a {
			j++
		}
		if j == len(recs) {
			return a
		}
		j++
	}
	return ""
}

// driver keeps the run going through the chaos phase, then crashes the
// database once more and waits for it to recover: every seed ends with a
// recovery checked after the faults healed.
type driver struct{}

func (driver) Setup(env.Env) error { return nil }

func (driver) Run(e env.Env) error { return e.Clock().Sleep(e.Context(), 30*time.Second) }

func (driver) Check(e env.Env) error {
	ctx := e.Context()
	// A database that failed (a sync error) may be down, waiting for its
	// restart: then that restart is the recovery to check.
	if err := orrery.Reboot(ctx, "db", orrery.Crash); err != nil && !errors.Is(err, orrery.ErrDown) {
		return err
	}
	for range 200 {
		if h, _ := orrery.Lookup(ctx, "db"); h.Up {
			return e.Clock().Sleep(ctx, 100*time.Millisecond) // let it recover
		}
		if err := e.Clock().Sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return errors.New("the database did not come back")
}
