// Package wal is a write-ahead log that survives crashes, and the
// simulation that proves it: a database process appends records and
// acknowledges them, attrition crashes it at random times, the disk tears
// and drops what was not synced and fails some syncs, and on every boot the
// recovered log must hold every record ever acknowledged. Under --swarm the
// disk also corrupts and loses writes (the families of Model); the log
// checksums every record and reads back what it wrote before it
// acknowledges it.
//
// The planted bug "ack-before-sync" acknowledges a record before syncing
// it; the runner finds the lost acknowledged record within a few hundred
// seeds:
//
//	go test ./examples/wal -run TestWAL -orrery.bug=ack-before-sync
package wal

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/orrerysim/orrery/env"
)

// ErrCorrupt is returned by Open when a record that was synced (valid
// records follow it) no longer reads back: the log cannot recover it alone,
// and opening it without the record would silently lose it.
var ErrCorrupt = errors.New("a synced record is corrupt")

// Log is an append-only log of records in one file.
//
// Each record is framed as a 4-byte length, a 4-byte CRC-32C and the data.
// The checksum covers the frame's offset and length as well as the data,
// so that a frame read from, or written to, the wrong place does not pass
// for a record there. Recovery keeps the records up to the first frame that
// is short or fails its checksum (a torn or lost write) and drops the rest;
// a bad frame followed by good ones is a synced record damaged (ErrCorrupt).
//
// Append reads back what it wrote before it returns, and rewrites what
// does not read back as written: a write that was lost, corrupted or landed
// elsewhere (and may have overwritten earlier records) is repaired before
// the record is acknowledged. (On a real system that read must bypass the
// page cache, with O_DIRECT; in the simulation the faults are in the cache.)
type Log struct {
	disk env.Disk
	name string
	f    env.File
	data []byte // the file's contents as written, what reads must match
}

// Read-back and recovery limits.
const (
	// reach is how far from its offset a misdirected write can land (the
	// simulated disk's model: up to 8 sectors of 512 bytes either way), so
	// how far before a write its read-back must look for damage.
	reach = 8 * 512
	// repairs is how many rewrites a write gets before Append gives up.
	repairs = 8
	// rewrites is how many fresh files a failed sync gets before Append
	// gives up (and leaves the old file, which may hold damage it had not
	// repaired yet, to the next Open).
	rewrites = 3
	// rereads is how many times recovery reads a bad frame again, in case
	// it was the read that failed rather than the data.
	rereads = 5
)

// errSync marks the failed syncs of writeSync.
var errSync = errors.New("sync failed")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Open recovers the log called name on disk and returns it with its
// records. Recovery rewrites the valid records into a fresh file (see
// rewrite): what the old one holds beyond them is not trusted.
func Open(ctx context.Context, disk env.Disk, name string) (*Log, [][]byte, error) {
	recs, err := readRecords(ctx, disk, name)
	if err != nil {
		return nil, nil, err
	}
	l := &Log{disk: disk, name: name}
	for _, r := range recs {
		l.data = appendFrame(l.data, r)
	}
	if err := l.rewrite(ctx); err != nil {
		return nil, nil, err
	}
	return l, recs, nil
}

// Append adds rec to the log and returns once it is durable and reads back
// as written: only then may the caller acknowledge it. An error leaves the
// log unusable: close it and Open again.
func (l *Log) Append(ctx context.Context, rec []byte) error {
	off, err := l.write(rec)
	if err != nil {
		return err
	}
	return l.commit(ctx, off)
}

// write writes rec's frame at the end of the log, not synced, and returns
// its offset.
func (l *Log) write(rec []byte) (int64, error) {
	off := int64(len(l.data))
	l.data = appendFrame(l.data, rec)
	if _, err := l.f.WriteAt(l.data[off:], off); err != nil {
		return 0, fmt.Errorf("wal: append: %w", err)
	}
	return off, nil
}

// commit makes what was written from off on durable and checks that it
// reads back. After a failed sync, the data it covered may never reach the
// disk and a later sync will not say so (fsyncgate): the log starts a fresh
// file from what it wrote instead.
func (l *Log) commit(ctx context.Context, off int64) error {
	err := l.f.Sync()
	if err == nil {
		err = l.verify(off)
		if !errors.Is(err, errSync) {
			return err
		}
	}
	for range rewrites {
		if err = l.rewrite(ctx); err == nil {
			return nil
		}
	}
	return err
}

// rewrite writes the whole log into a fresh file, syncs and checks it,
// and renames it into place.
func (l *Log) rewrite(ctx context.Context) error {
	tmp := l.name + ".tmp"
	f, err := l.disk.Create(ctx, tmp)
	if err != nil {
		return err
	}
	if l.f != nil {
		l.f.Close()
	}
	l.f = f
	if err := l.writeSync(0); err != nil {
		return err
	}
	if err := l.verify(0); err != nil {
		return err
	}
	if err := l.disk.Rename(ctx, tmp, l.name); err != nil {
		return err
	}
	return l.disk.SyncDir(ctx, ".")
}

// verify reads back the log from reach before off to its end and rewrites
// what differs from what was written, until it all matches.
func (l *Log) verify(off int64) error {
	from := max(0, off-reach)
	for range repairs {
		bad, err := l.firstMismatch(from)
		if err != nil || bad < 0 {
			return err
		}
		if err := l.writeSync(bad); err != nil {
			return err
		}
		from = max(0, bad-reach) // the rewrite may have landed elsewhere too
	}
	return fmt.Errorf("wal: %s: still reads wrong after %d rewrites", l.name, repairs)
}

// firstMismatch returns the first offset from from on that does not read
// back as written, or -1.
func (l *Log) firstMismatch(from int64) (int64, error) {
	got := make([]byte, int64(len(l.data))-from)
	n, err := l.f.ReadAt(got, from)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("wal: read back: %w", err)
	}
	want := l.data[from:]
	for i := range n {
		if got[i] != want[i] {
			return from + int64(i), nil
		}
	}
	if n < len(want) {
		return from + int64(n), nil
	}
	return -1, nil
}

// writeSync writes the log's contents from off to the end and syncs them.
func (l *Log) writeSync(off int64) error {
	if _, err := l.f.WriteAt(l.data[off:], off); err != nil {
		return fmt.Errorf("wal: write: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("wal: %w: %w", errSync, err)
	}
	return nil
}

// Close closes the log's file.
func (l *Log) Close() error { return l.f.Close() }

// appendFrame appends rec's frame, for the offset len(b), to b.
func appendFrame(b, rec []byte) []byte {
	off := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(rec)))
	b = binary.BigEndian.AppendUint32(b, frameSum(int64(off), rec))
	return append(b, rec...)
}

// frameSum is the checksum of a frame at off holding rec.
func frameSum(off int64, rec []byte) uint32 {
	var head [12]byte
	binary.BigEndian.PutUint64(head[:8], uint64(off))
	binary.BigEndian.PutUint32(head[8:], uint32(len(rec)))
	return crc32.Update(crc32.Checksum(head[:], castagnoli), castagnoli, rec)
}

// frameAt returns the record of the valid frame at off in data, if any.
func frameAt(data []byte, off int64) ([]byte, bool) {
	if int64(len(data))-off < 8 {
		return nil, false
	}
	n := int64(binary.BigEndian.Uint32(data[off:]))
	if n > int64(len(data))-off-8 {
		return nil, false
	}
	rec := data[off+8 : off+8+n]
	return rec, frameSum(off, rec) == binary.BigEndian.Uint32(data[off+4:])
}

// readRecords returns the valid records of the log file (none if it does
// not exist), or ErrCorrupt.
func readRecords(ctx context.Context, disk env.Disk, name string) ([][]byte, error) {
	f, err := disk.Open(ctx, name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if err := reread(f, data, 0); err != nil {
		return nil, err
	}
	recs, end, err := parse(f, data)
	if err != nil {
		return nil, err
	}
	if validAfter(data, end) {
		return nil, fmt.Errorf("wal: %s: offset %d: %w", name, end, ErrCorrupt)
	}
	return recs, nil
}

// parse returns the records of data up to the first bad frame, and where
// it is; it reads a bad frame again from f, up to rereads times, before it
// believes it.
func parse(f env.File, data []byte) (recs [][]byte, end int64, err error) {
	for tries := 0; end < int64(len(data)); {
		rec, ok := frameAt(data, end)
		if !ok && tries < rereads {
			tries++
			if err := reread(f, data, end); err != nil {
				return nil, 0, err
			}
			continue
		}
		if !ok {
			break
		}
		recs = append(recs, bytes.Clone(rec))
		end += 8 + int64(len(rec))
		tries = 0
	}
	return recs, end, nil
}

// reread reads data from off to its end again; a short read leaves the
// rest as it was, for parse to read again.
func reread(f env.File, data []byte, off int64) error {
	if _, err := f.ReadAt(data[off:], off); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("wal: read: %w", err)
	}
	return nil
}

// validAfter reports whether a valid frame starts anywhere after off:
// then the bad frame at off is not a torn tail but a damaged record, since
// frames are written one at a time and each is checked before the next.
func validAfter(data []byte, off int64) bool {
	for i := off + 1; i < int64(len(data)); i++ {
		if _, ok := frameAt(data, i); ok {
			return true
		}
	}
	return false
}
