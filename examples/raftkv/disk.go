package raftkv

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"

	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/frame"
)

// The node keeps three things on its disk:
//
//   - raft.wal, the write-ahead log of raft's HardState and entries, as
//     checksummed records appended and synced before raft may act on them;
//   - raft.snap, the latest raft snapshot, replaced whole;
//   - kv.db, a checkpoint of the store, replaced whole every few applied
//     entries, which a restart loads so that it need not replay the log
//     from the snapshot.
//
// Files replaced whole are written to a temporary file, synced, renamed
// into place and the directory synced, so a crash leaves the old one or the
// new one. The WAL is rewritten the same way when the log is compacted and
// on every boot: what the old file holds past its last good record (a
// torn write, or data whose sync failed) is not trusted.
const (
	walFile  = "raft.wal"
	snapFile = "raft.snap"
	kvFile   = "kv.db"
)

// The kinds of WAL record.
const (
	recEntry = 1 // a raftpb.Entry
	recState = 2 // a raftpb.HardState
)

var marshal = proto.MarshalOptions{Deterministic: true}

// wal is the open write-ahead log.
type wal struct {
	disk env.Disk
	f    env.File
	size int64
}

// walState is what the WAL recovers: the last HardState and the log.
type walState struct {
	hs   *raftpb.HardState
	ents []*raftpb.Entry
}

// openWAL recovers the log from raft.wal (empty if there is none) and
// rewrites it into a fresh file.
func openWAL(ctx context.Context, disk env.Disk) (*wal, walState, error) {
	data, err := readAll(ctx, disk, walFile)
	if err != nil {
		return nil, walState{}, err
	}
	st, err := parseWAL(data)
	if err != nil {
		return nil, walState{}, err
	}
	w := &wal{disk: disk}
	return w, st, w.rewrite(ctx, st.hs, st.ents)
}

// parseWAL reads records up to the first bad one (the torn tail of the
// last write, never synced). An entry at index i replaces those from i
// on, as raft's log does.
func parseWAL(data []byte) (walState, error) {
	st := walState{hs: &raftpb.HardState{}}
	for off := int64(0); ; {
		typ, body, next, ok := recordAt(data, off)
		if !ok {
			return st, nil
		}
		off = next
		switch typ {
		case recState:
			hs := &raftpb.HardState{}
			if err := proto.Unmarshal(body, hs); err != nil {
				return walState{}, fmt.Errorf("wal: hard state: %w", err)
			}
			st.hs = hs
		case recEntry:
			e := &raftpb.Entry{}
			if err := proto.Unmarshal(body, e); err != nil {
				return walState{}, fmt.Errorf("wal: entry: %w", err)
			}
			st.ents = appendEntry(st.ents, e)
		}
	}
}

// appendEntry appends e to ents, dropping the entries it replaces.
func appendEntry(ents []*raftpb.Entry, e *raftpb.Entry) []*raftpb.Entry {
	for len(ents) > 0 && ents[len(ents)-1].GetIndex() >= e.GetIndex() {
		ents = ents[:len(ents)-1]
	}
	return append(ents, e)
}

// save appends hs (if not nil) and ents to the log and syncs: only then
// may raft send the messages that depend on them.
func (w *wal) save(hs *raftpb.HardState, ents []*raftpb.Entry) error {
	buf, err := encodeRecords(w.size, hs, ents)
	if err != nil || len(buf) == 0 {
		return err
	}
	if _, err := w.f.WriteAt(buf, w.size); err != nil {
		return fmt.Errorf("wal: append: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("wal: sync: %w", err)
	}
	w.size += int64(len(buf))
	return nil
}

// rewrite replaces the log with a fresh file holding hs and ents.
func (w *wal) rewrite(ctx context.Context, hs *raftpb.HardState, ents []*raftpb.Entry) error {
	buf, err := encodeRecords(0, hs, ents)
	if err != nil {
		return err
	}
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	f, err := replaceFile(ctx, w.disk, walFile, buf)
	if err != nil {
		return err
	}
	w.f, w.size = f, int64(len(buf))
	return nil
}

// close closes the log's file.
func (w *wal) close() {
	if w.f != nil {
		w.f.Close()
	}
}

// encodeRecords returns the records of hs and ents, for the offset off.
func encodeRecords(off int64, hs *raftpb.HardState, ents []*raftpb.Entry) ([]byte, error) {
	var buf []byte
	for _, e := range ents {
		b, err := marshal.Marshal(e)
		if err != nil {
			return nil, err
		}
		buf = appendRecord(buf, off, recEntry, b)
	}
	if hs != nil {
		b, err := marshal.Marshal(hs)
		if err != nil {
			return nil, err
		}
		buf = appendRecord(buf, off, recState, b)
	}
	return buf, nil
}

// appendRecord appends a record to buf, which is written at off: a 4-byte
// length, a CRC-32C of the record's offset, type and body, the type and
// the body. The offset in the checksum keeps a record read from the wrong
// place from passing.
func appendRecord(buf []byte, off int64, typ byte, body []byte) []byte {
	at := off + int64(len(buf))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(body)))
	buf = binary.BigEndian.AppendUint32(buf, recordSum(at, typ, body))
	buf = append(buf, typ)
	return append(buf, body...)
}

func recordSum(off int64, typ byte, body []byte) uint32 {
	var head [9]byte
	binary.BigEndian.PutUint64(head[:8], uint64(off))
	head[8] = typ
	return crc32.Update(crc32.Checksum(head[:], castagnoli), castagnoli, body)
}

// recordAt returns the valid record at off in data, and where the next
// one starts.
func recordAt(data []byte, off int64) (typ byte, body []byte, next int64, ok bool) {
	if int64(len(data))-off < 9 {
		return 0, nil, 0, false
	}
	n := int64(binary.BigEndian.Uint32(data[off:]))
	if n > int64(len(data))-off-9 {
		return 0, nil, 0, false
	}
	typ, body = data[off+8], data[off+9:off+9+n]
	if recordSum(off, typ, body) != binary.BigEndian.Uint32(data[off+4:]) {
		return 0, nil, 0, false
	}
	return typ, body, off + 9 + n, true
}

// replaceFile writes body into a fresh file called name (through a
// temporary file, synced, renamed and the directory synced) and returns it
// open.
func replaceFile(ctx context.Context, disk env.Disk, name string, body []byte) (env.File, error) {
	tmp := name + ".tmp"
	f, err := disk.Create(ctx, tmp)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", tmp, err)
	}
	if _, err := f.WriteAt(body, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := disk.Rename(ctx, tmp, name); err != nil {
		f.Close()
		return nil, fmt.Errorf("rename %s: %w", tmp, err)
	}
	if err := disk.SyncDir(ctx, "."); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync dir: %w", err)
	}
	return f, nil
}

// writeBlob replaces name with body as one checksummed frame.
func writeBlob(ctx context.Context, disk env.Disk, name string, body []byte) error {
	f, err := replaceFile(ctx, disk, name, frame.Append(nil, body))
	if err != nil {
		return err
	}
	return f.Close()
}

// readBlob returns the body written by writeBlob, nil if there is no file,
// or errCorrupt.
func readBlob(ctx context.Context, disk env.Disk, name string) ([]byte, error) {
	data, err := readAll(ctx, disk, name)
	if err != nil || data == nil {
		return nil, err
	}
	body, err := frame.NewReader(bytes.NewReader(data), maxFrame).Read()
	if err != nil || frame.HeaderSize+len(body) != len(data) {
		return nil, fmt.Errorf("%s: %w: a frame of %d bytes does not read back (%v)", name, errCorrupt, len(data), err)
	}
	return body, nil
}

// readAll returns the contents of name, or nil if it does not exist.
func readAll(ctx context.Context, disk env.Disk, name string) ([]byte, error) {
	f, err := disk.Open(ctx, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}
