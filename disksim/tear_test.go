package disksim_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
)

// crashAfter writes size zero bytes to "f" and syncs them, writes p at off
// without syncing, crashes the disk and returns the file's contents.
func crashAfter(t *testing.T, seed uint64, cfg disksim.Config, size int, p []byte, off int64) []byte {
	t.Helper()
	var got []byte
	run(t, seed, cfg, func(ctx context.Context, d *disksim.Disk) error {
		f, err := writeFile(ctx, d, "f", make([]byte, size), true)
		if err != nil {
			return err
		}
		if err := d.SyncDir(ctx, "."); err != nil {
			return err
		}
		if _, err := f.WriteAt(p, off); err != nil {
			return err
		}
		d.Crash()
		got, err = readAll(ctx, d, "f")
		return err
	})
	return got
}

// split says which bytes of got[off:off+n] hold the new data (0xFF) and
// which the old (zeros): "new", "old", or the lengths of the two runs
// ("12 new + 8 old"); "mixed" for anything else.
func split(got []byte, off, n int) string {
	region := got[off : off+n]
	k := 0
	for k < n && region[k] == region[0] {
		k++
	}
	if !bytes.Equal(region[k:], bytes.Repeat([]byte{region[k%n]}, n-k)) {
		return "mixed"
	}
	name := map[byte]string{0: "old", 0xFF: "new"}
	if k == n {
		return name[region[0]]
	}
	return fmt.Sprintf("%d %s + %d %s", k, name[region[0]], n-k, name[region[k]])
}

// TestSmallRecordTearsAtASectorBoundary: a 20-byte write at offset 500
// straddles the sector boundary at 512, so a crash can keep either side
// alone, and never splits it anywhere else.
func TestSmallRecordTearsAtASectorBoundary(t *testing.T) {
	seen := map[string]int{}
	for seed := range uint64(200) {
		got := crashAfter(t, seed, disksim.Config{}, 1024, bytes.Repeat([]byte{0xFF}, 20), 500)
		seen[split(got, 500, 20)]++
	}
	for k := range seen {
		switch k {
		case "new", "old", "12 new + 8 old", "12 old + 8 new":
		default:
			t.Errorf("a crash left the record as %s: %v", k, seen)
		}
	}
	if seen["12 new + 8 old"] == 0 || seen["12 old + 8 new"] == 0 {
		t.Errorf("the record never tore at the sector boundary on both sides in 200 seeds: %v", seen)
	}
}

// TestWriteInsideA4KiBSectorIsAtomic: with 4 KiB sectors, a 1000-byte
// write inside one sector is kept or lost whole; with the default 512-byte
// sectors the same write can tear.
func TestWriteInsideA4KiBSectorIsAtomic(t *testing.T) {
	for _, tt := range []struct {
		sector int
		torn   bool
	}{{4096, false}, {0, true}} {
		torn := 0
		for seed := range uint64(200) {
			cfg := disksim.Config{SectorSize: tt.sector}
			got := crashAfter(t, seed, cfg, 4096, bytes.Repeat([]byte{0xFF}, 1000), 100)
			if s := split(got, 100, 1000); s != "new" && s != "old" {
				torn++
			}
		}
		if (torn > 0) != tt.torn {
			t.Errorf("sector size %d: %d of 200 crashes tore the write; want torn: %v", tt.sector, torn, tt.torn)
		}
	}
}

// TestSectorAtomicity: after a crash, the bytes of each unsynced write
// within each sector are all its new data or all the old, whatever the
// sizes and offsets of the writes.
func TestSectorAtomicity(t *testing.T) {
	for _, ss := range []int{512, 4096} {
		for seed := range uint64(300) {
			if err := checkSectors(t, seed, ss); err != nil {
				t.Fatalf("sector size %d, seed %d: %v", ss, seed, err)
			}
		}
	}
}

// checkSectors makes twelve writes of 1-1500 bytes at increasing offsets,
// each of its own byte, crashes, and checks every (write, sector) piece.
func checkSectors(t *testing.T, seed uint64, ss int) error {
	r := sim.NewRand(seed, 9)
	type piece struct{ off, n int }
	var writes []piece
	var got []byte
	run(t, seed, disksim.Config{SectorSize: ss}, func(ctx context.Context, d *disksim.Disk) error {
		f, err := writeFile(ctx, d, "f", nil, true)
		if err != nil {
			return err
		}
		d.SyncDir(ctx, ".")
		off := 0
		for i := range 12 {
			off += r.IntN(100)
			n := 1 + r.IntN(1500)
			f.WriteAt(bytes.Repeat([]byte{byte(i + 1)}, n), int64(off))
			writes = append(writes, piece{off, n})
			off += n
		}
		d.Crash()
		got, err = readAll(ctx, d, "f")
		return err
	})
	at := func(i int) byte {
		if i < len(got) {
			return got[i]
		}
		return 0
	}
	for i, wr := range writes {
		for lo := wr.off; lo < wr.off+wr.n; lo = (lo/ss + 1) * ss {
			hi := min((lo/ss+1)*ss, wr.off+wr.n)
			first := at(lo)
			for j := lo; j < hi; j++ {
				if b := at(j); b != first || (b != 0 && b != byte(i+1)) {
					return fmt.Errorf("write %d (%d bytes at %d) torn inside the sector at %d: byte %d is %d",
						i, wr.n, wr.off, lo/ss*ss, j, b)
				}
			}
		}
	}
	return nil
}

// TestJournalWithoutChecksumsIsCaught: a journal that trusts the lengths
// of its records (no checksum) and appends records of 20-1500 bytes reads
// a torn record back after a crash in more seeds than when only writes
// over 512 bytes tore, from their own start (46 of these 300 seeds against
// 32), and now also records under 512 bytes (in 11 seeds against none).
func TestJournalWithoutChecksumsIsCaught(t *testing.T) {
	caught, small := 0, 0
	for seed := range uint64(300) {
		if n := tornJournal(t, seed); n > 0 {
			caught++
			if n < 512 {
				small++
			}
		}
	}
	t.Logf("a torn record recovered in %d of 300 seeds, one under 512 bytes in %d", caught, small)
	if caught < 40 || small == 0 {
		t.Errorf("a torn record was recovered in %d of 300 seeds, one under 512 bytes in %d; want at least 40 and 1",
			caught, small)
	}
}

// tornJournal appends eight records (a 4-byte length, then the payload),
// syncing after the third, crashes, and returns the size of the first
// record that recovery, which trusts each length it reads, returns and that
// was never written (0 when there is none).
func tornJournal(t *testing.T, seed uint64) int {
	r := sim.NewRand(seed, 11)
	var written [][]byte
	var log []byte
	run(t, seed, disksim.Config{}, func(ctx context.Context, d *disksim.Disk) error {
		f, err := d.OpenFile(ctx, "journal", os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		d.SyncDir(ctx, ".")
		for i := range 8 {
			payload := bytes.Repeat([]byte{byte(i + 1)}, 20+r.IntN(1481))
			rec := binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))
			written = append(written, payload)
			if _, err := f.Write(append(rec, payload...)); err != nil {
				return err
			}
			if i == 2 {
				if err := f.Sync(); err != nil {
					return err
				}
			}
		}
		d.Crash()
		log, err = readAll(ctx, d, "journal")
		return err
	})
	recovered, err := replay(log)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	for i, rec := range recovered {
		if i >= len(written) {
			return len(rec)
		}
		if !bytes.Equal(rec, written[i]) {
			return len(written[i])
		}
	}
	return 0
}

// replay is the naive recovery: records until a zero length or the end.
func replay(log []byte) ([][]byte, error) {
	var out [][]byte
	for len(log) >= 4 {
		n := binary.LittleEndian.Uint32(log)
		if n == 0 || int64(n) > int64(len(log)-4) {
			break
		}
		out = append(out, log[4:4+n])
		log = log[4+n:]
	}
	if len(out) > 100 {
		return nil, errors.New("more records than were written")
	}
	return out, nil
}

// TestSectorSizeValidated: a sector size must be a power of two.
func TestSectorSizeValidated(t *testing.T) {
	for _, tt := range []struct {
		size int
		ok   bool
	}{{0, true}, {512, true}, {4096, true}, {-512, false}, {1000, false}} {
		if err := (disksim.Config{SectorSize: tt.size}).Validate(); (err == nil) != tt.ok {
			t.Errorf("sector size %d: Validate() = %v", tt.size, err)
		}
	}
}

// TestTornWritesSameSeedSameTrace: runs that tear small records at sector
// boundaries repeat exactly.
func TestTornWritesSameSeedSameTrace(t *testing.T) {
	for _, ss := range []int{0, 4096} {
		for seed := range uint64(10) {
			trace := func() uint64 {
				return run(t, seed, disksim.Config{SectorSize: ss}, func(ctx context.Context, d *disksim.Disk) error {
					f, _ := writeFile(ctx, d, "wal", nil, true)
					d.SyncDir(ctx, ".")
					for i := range 40 {
						f.Write(bytes.Repeat([]byte{byte(i)}, 20+i*7))
					}
					d.Crash()
					_, err := readAll(ctx, d, "wal")
					return err
				}).TraceHash()
			}
			if a, b := trace(), trace(); a != b {
				t.Fatalf("sector size %d, seed %d: hashes %x and %x", ss, seed, a, b)
			}
		}
	}
}
