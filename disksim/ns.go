package disksim

import (
	"context"
	"io/fs"
	"iter"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

func pathErr(op, name string, err error) error { return &fs.PathError{Op: op, Path: name, Err: err} }

// OpenFile opens name with os.O_* flags. Creating a file creates its
// directories; the new name is durable after SyncDir of its directory.
func (d *Disk) OpenFile(ctx context.Context, name string, flag int, perm fs.FileMode) (env.File, error) {
	p, ok := clean(name)
	if !ok || p == "." {
		return nil, pathErr("open", name, fs.ErrInvalid)
	}
	ino, exists := d.names[p]
	switch {
	case exists && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, pathErr("open", name, fs.ErrExist)
	case !exists && flag&os.O_CREATE == 0:
		return nil, pathErr("open", name, fs.ErrNotExist)
	case !exists:
		d.s.nextID++
		ino = &inode{id: d.s.nextID}
		d.names[p] = ino
	}
	f := &file{d: d, ino: ino, name: name, flag: flag}
	if err := d.wait(ctx, d.op(f, sim.OpOpenComplete, 0, -1)); err != nil {
		return nil, pathErr("open", name, err)
	}
	if flag&os.O_TRUNC != 0 && flag&(os.O_WRONLY|os.O_RDWR) != 0 && ino.data.size > 0 {
		wr := write{size: 0}
		ino.data.apply(wr)
		ino.pending = append(ino.pending, wr)
	}
	d.open = append(d.open, f)
	return f, nil
}

// Open opens name for reading.
func (d *Disk) Open(ctx context.Context, name string) (env.File, error) {
	return d.OpenFile(ctx, name, os.O_RDONLY, 0)
}

// Create creates or truncates name for reading and writing.
func (d *Disk) Create(ctx context.Context, name string) (env.File, error) {
	return d.OpenFile(ctx, name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Remove deletes a file; open files keep their contents. Durable after
// SyncDir.
func (d *Disk) Remove(ctx context.Context, name string) error {
	p, ok := clean(name)
	if !ok || p == "." {
		return pathErr("remove", name, fs.ErrInvalid)
	}
	if _, exists := d.names[p]; !exists {
		return pathErr("remove", name, fs.ErrNotExist)
	}
	delete(d.names, p)
	return nil
}

// Rename moves a file, replacing newname. Durable after SyncDir.
func (d *Disk) Rename(ctx context.Context, oldname, newname string) error {
	op, ok1 := clean(oldname)
	np, ok2 := clean(newname)
	if !ok1 || !ok2 || op == "." || np == "." {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrInvalid}
	}
	ino, exists := d.names[op]
	if !exists {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
	}
	delete(d.names, op)
	d.names[np] = ino
	return nil
}

// SyncDir makes the creates, renames and removes in directory name
// durable.
func (d *Disk) SyncDir(ctx context.Context, name string) error {
	dir, ok := clean(name)
	if !ok {
		return pathErr("sync", name, fs.ErrInvalid)
	}
	if err := d.wait(ctx, d.op(nil, sim.OpSyncComplete, 0, -1)); err != nil {
		return pathErr("sync", name, err)
	}
	for p := range d.durableNames {
		if dirOf(p) == dir {
			if _, live := d.names[p]; !live {
				delete(d.durableNames, p)
			}
		}
	}
	for p, ino := range d.names {
		if dirOf(p) == dir {
			d.durableNames[p] = ino
		}
	}
	return nil
}

// ReadDir lists a directory, sorted by name: its files and, as
// directories, the first element of deeper paths.
func (d *Disk) ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	dir, ok := clean(name)
	if !ok {
		return nil, pathErr("readdir", name, fs.ErrInvalid)
	}
	prefix := ""
	if dir != "." {
		prefix = dir + "/"
	}
	seen := map[string]fs.DirEntry{}
	for p, ino := range d.names {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		if first, _, deeper := strings.Cut(rest, "/"); deeper {
			seen[first] = fs.FileInfoToDirEntry(info{name: first, dir: true})
		} else {
			seen[rest] = fs.FileInfoToDirEntry(info{name: rest, size: ino.data.size})
		}
	}
	if len(seen) == 0 && dir != "." {
		return nil, pathErr("readdir", name, fs.ErrNotExist)
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Stat describes a file or an implied directory.
func (d *Disk) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	p, ok := clean(name)
	if !ok {
		return nil, pathErr("stat", name, fs.ErrInvalid)
	}
	if ino, exists := d.names[p]; exists {
		return info{name: path.Base(p), size: ino.data.size}, nil
	}
	for q := range d.names {
		if p == "." || strings.HasPrefix(q, p+"/") {
			return info{name: path.Base(p), dir: true}, nil
		}
	}
	return nil, pathErr("stat", name, fs.ErrNotExist)
}

// info is the fs.FileInfo of a simulated file.
type info struct {
	name string
	size int64
	dir  bool
}

func (i info) Name() string       { return i.name }
func (i info) Size() int64        { return i.size }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.dir }
func (i info) Sys() any           { return nil }
func (i info) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

// Subsets yields every subset of n pending writes as a bit mask, for
// CrashKeeping: all 2^n crash states of a small workload. n is at most 20.
func Subsets(n int) iter.Seq[uint64] {
	n = min(max(n, 0), 20)
	return func(yield func(uint64) bool) {
		for m := uint64(0); m < 1<<n; m++ {
			if !yield(m) {
				return
			}
		}
	}
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
