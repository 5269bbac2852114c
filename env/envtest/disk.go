package envtest

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/orrerysim/orrery/env"
)

// Disk is the suite of files.
var Disk = []Case{
	{"write, sync and read back", func(ctx context.Context, e env.Env) error {
		d := e.Disk()
		f, err := d.Create(ctx, "dir/a.txt")
		if err != nil {
			return err
		}
		if _, err := f.Write([]byte("hello, disk")); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if n, err := f.Size(); err != nil || n != 11 {
			return fail("Size after a write")
		}
		buf := make([]byte, 4)
		if n, err := f.ReadAt(buf, 7); err != nil || n != 4 || string(buf) != "disk" {
			return fail("ReadAt did not read what was written")
		}
		if _, err := f.ReadAt(buf, 9); err != io.EOF {
			return fail("ReadAt past the end: " + errString(err))
		}
		if err := f.Close(); err != nil {
			return err
		}
		if _, err := f.Write([]byte("x")); !errors.Is(err, fs.ErrClosed) {
			return fail("Write after Close: " + errString(err))
		}
		return d.SyncDir(ctx, "dir")
	}},
	{"an empty write changes nothing", func(ctx context.Context, e env.Env) error {
		f, err := e.Disk().Create(ctx, "empty.txt")
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Truncate(100); err != nil {
			return err
		}
		if _, err := f.Write(nil); err != nil {
			return err
		}
		if _, err := f.WriteAt(nil, 500); err != nil {
			return err
		}
		if n, err := f.Size(); err != nil || n != 100 {
			return fail("Size after empty writes")
		}
		return nil
	}},
	{"names", func(ctx context.Context, e env.Env) error {
		d := e.Disk()
		for _, n := range []string{"n/b", "n/a", "n/c"} {
			f, err := d.Create(ctx, n)
			if err != nil {
				return err
			}
			f.Close()
		}
		if err := d.Rename(ctx, "n/c", "n/d"); err != nil {
			return err
		}
		if err := d.Remove(ctx, "n/b"); err != nil {
			return err
		}
		ents, err := d.ReadDir(ctx, "n")
		if err != nil || len(ents) != 2 || ents[0].Name() != "a" || ents[1].Name() != "d" {
			return fail("ReadDir after a rename and a remove")
		}
		if fi, err := d.Stat(ctx, "n/a"); err != nil || fi.IsDir() {
			return fail("Stat of a file")
		}
		return nil
	}},
	{"errors as os gives them", func(ctx context.Context, e env.Env) error {
		d := e.Disk()
		if _, err := d.Open(ctx, "missing"); !errors.Is(err, fs.ErrNotExist) {
			return fail("Open of a missing file: " + errString(err))
		}
		f, err := d.Create(ctx, "x")
		if err != nil {
			return err
		}
		f.Close()
		if _, err := d.OpenFile(ctx, "x", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644); !errors.Is(err, fs.ErrExist) {
			return fail("exclusive create of an existing file: " + errString(err))
		}
		if _, err := d.Create(ctx, "../escape"); err == nil {
			return fail("a path escaping the disk was accepted")
		}
		if err := d.Remove(ctx, "missing"); !errors.Is(err, fs.ErrNotExist) {
			return fail("Remove of a missing file: " + errString(err))
		}
		return nil
	}},
}
