// Package wal is a write-ahead log that survives crashes, and the
// simulation that proves it: a database process appends records and
// acknowledges them, attrition crashes it at random times, the disk tears
// and drops what was not synced and fails some syncs, and on every boot the
// recovered log must hold every record ever acknowledged.
//
// The planted bug "ack-before-sync" acknowledges a record before syncing
// it; the runner finds the lost acknowledged record within a few hundred
// seeds:
//
//	go test ./examples/wal -run TestWAL -orrery.bug=ack-before-sync
package wal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/orrerysim/orrery/env"
)

// Log is an append-only log of records in one file. Each record is framed
// as a 4-byte length, a 4-byte CRC-32 and the data; recovery keeps the
// records up to the first frame that is short or fails its checksum (a
// torn or lost write) and drops the rest.
type Log struct {
	disk env.Disk
	name string
	f    env.File
	size int64
}

// Open recovers the log called name on disk and returns it with its
// records. Recovery rewrites the valid records into a fresh file, syncs it
// and renames it into place: after a failed fsync the page cache may hold
// data that never reached the disk, so the old file is not trusted.
func Open(ctx context.Context, disk env.Disk, name string) (*Log, [][]byte, error) {
	recs, err := readRecords(ctx, disk, name)
	if err != nil {
		return nil, nil, err
	}

	tmp := name + ".tmp"
	f, err := disk.Create(ctx, tmp)
	if err != nil {
		return nil, nil, err
	}
	l := &Log{disk: disk, name: name, f: f}
	for _, r := range recs {
		if err := l.write(r); err != nil {
			return nil, nil, err
		}
	}
	if err := f.Sync(); err != nil {
		return nil, nil, err
	}
	if err := disk.Rename(ctx, tmp, name); err != nil {
		return nil, nil, err
	}
	if err := disk.SyncDir(ctx, "."); err != nil {
		return nil, nil, err
	}
	return l, recs, nil
}

// readRecords returns the valid records of the log file (none if it does
// not exist).
func readRecords(ctx context.Context, disk env.Disk, name string) ([][]byte, error) {
	f, err := disk.Open(ctx, name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	var recs [][]byte
	for len(data) >= 8 {
		n := binary.BigEndian.Uint32(data[:4])
		if int64(n) > int64(len(data)-8) || crc32.ChecksumIEEE(data[8:8+n]) != binary.BigEndian.Uint32(data[4:8]) {
			break // a torn or lost tail
		}
		recs = append(recs, data[8:8+n])
		data = data[8+n:]
	}
	return recs, nil
}

// Append adds rec to the log and returns once it is durable: only then may
// the caller acknowledge it. An error leaves the log unusable (after a
// failed sync nothing written since the last good one can be trusted):
// close it and Open again.
func (l *Log) Append(rec []byte) error {
	if err := l.write(rec); err != nil {
		return err
	}
	return l.f.Sync()
}

func (l *Log) write(rec []byte) error {
	frame := make([]byte, 8+len(rec))
	binary.BigEndian.PutUint32(frame[:4], uint32(len(rec)))
	binary.BigEndian.PutUint32(frame[4:8], crc32.ChecksumIEEE(rec))
	copy(frame[8:], rec)
	if _, err := l.f.WriteAt(frame, l.size); err != nil {
		return fmt.Errorf("wal: append: %w", err)
	}
	l.size += int64(len(frame))
	return nil
}

// Close closes the log's file.
func (l *Log) Close() error { return l.f.Close() }
