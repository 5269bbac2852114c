package realenv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/orrerysim/orrery/env"
)

// Options configure an Env. The zero value is a host named after the
// machine, at 127.0.0.1, without a disk, logging to slog.Default.
type Options struct {
	// Name is the host's name (default: os.Hostname).
	Name string
	// Addr is the address the host reports (default 127.0.0.1).
	Addr netip.Addr
	// Root is the directory the host's Disk is confined to; empty means no
	// disk (its calls fail with ErrNoDisk).
	Root string
	// Logger receives the host's logs (default slog.Default), with a
	// "host" attribute.
	Logger *slog.Logger
	// Context is the host's life: cancel it (signal.NotifyContext on
	// SIGTERM, say) to ask the host to shut down. Default: never.
	Context context.Context
	// Hosts maps the host names of the cluster to addresses, so that code
	// which dials "backup:7001" in a simulation dials the same string in
	// production: with Hosts{"backup": "10.1.2.3"}, Dial, Listen,
	// ListenPacket and LookupHost use 10.1.2.3 for backup. A value is an
	// IP address or another host name, which the system resolves. Names
	// are matched exactly; a name not in the map goes to the system
	// resolver.
	Hosts map[string]string
}

// ErrNoDisk is returned by the Disk of an Env made without a Root.
var ErrNoDisk = errors.New("realenv: no disk: Options.Root is empty")

// New returns an Env backed by the operating system. It fails if a name
// of o.Hosts maps to nothing.
func New(o Options) (env.Env, error) {
	e := &realEnv{opts: o, ctx: o.Context}
	for name, addr := range o.Hosts {
		if name == "" || addr == "" {
			return nil, fmt.Errorf("realenv: host map: %q maps to %q: want a name and an address", name, addr)
		}
	}
	e.net = network{hosts: maps.Clone(o.Hosts)}
	if e.opts.Name == "" {
		e.opts.Name, _ = os.Hostname()
	}
	if !e.opts.Addr.IsValid() {
		e.opts.Addr = netip.MustParseAddr("127.0.0.1")
	}
	if e.ctx == nil {
		e.ctx = context.Background()
	}
	lg := o.Logger
	if lg == nil {
		lg = slog.Default()
	}
	e.log = lg.With("host", e.opts.Name)
	e.disk = noDisk{}
	if o.Root != "" {
		if err := os.MkdirAll(o.Root, 0o755); err != nil {
			return nil, err
		}
		root, err := os.OpenRoot(o.Root)
		if err != nil {
			return nil, err
		}
		e.disk = &disk{root: root}
	}
	return e, nil
}

type realEnv struct {
	opts Options
	ctx  context.Context
	log  *slog.Logger
	disk env.Disk
	net  network
}

func (e *realEnv) Name() string             { return e.opts.Name }
func (e *realEnv) Addr() netip.Addr         { return e.opts.Addr }
func (e *realEnv) Context() context.Context { return e.ctx }
func (e *realEnv) Clock() env.Clock         { return clock{} }
func (e *realEnv) Rand() env.Rand           { return random{} }
func (e *realEnv) Log() *slog.Logger        { return e.log }
func (e *realEnv) Net() env.Network         { return e.net }
func (e *realEnv) Disk() env.Disk           { return e.disk }
func (e *realEnv) Runtime() env.Runtime     { return runtime{} }

// Native reports true: the Env runs on the operating system (goroutines,
// package time, package net), so packages with an implementation of
// their own for simulations, such as env/envhttp, use the standard one.
func (e *realEnv) Native() bool { return true }

// Go starts fn on a goroutine with a context derived from the host's.
func (e *realEnv) Go(name string, fn func(ctx context.Context)) { go fn(e.ctx) }

// random is math/rand/v2's global source, safe for concurrent use.
type random struct{}

func (random) Uint64() uint64                     { return rand.Uint64() }
func (random) IntN(n int) int                     { return rand.IntN(n) }
func (random) Int64N(n int64) int64               { return rand.Int64N(n) }
func (random) Float64() float64                   { return rand.Float64() }
func (random) Shuffle(n int, swap func(i, j int)) { rand.Shuffle(n, swap) }

// network is package net, with the host names of Options.Hosts mapped
// to their addresses first.
type network struct{ hosts map[string]string }

func (n network) Listen(ctx context.Context, address string) (net.Listener, error) {
	var lc net.ListenConfig
	return lc.Listen(ctx, "tcp", n.mapAddr(address))
}

func (n network) Dial(ctx context.Context, address string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", n.mapAddr(address))
}

func (n network) ListenPacket(ctx context.Context, address string) (net.PacketConn, error) {
	var lc net.ListenConfig
	return lc.ListenPacket(ctx, "udp", n.mapAddr(address))
}

// LookupHost returns IPv4 addresses in their 4-byte form (10.1.2.3, not
// ::ffff:10.1.2.3), as a simulation does.
func (n network) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if mapped, ok := n.hosts[host]; ok {
		host = mapped
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	return addrs, err
}

// mapAddr replaces the host of a "host:port" address by its mapping in
// hosts; any other address is returned as it is, for package net to
// resolve or refuse.
func (n network) mapAddr(address string) string {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return address
	}
	if mapped, ok := n.hosts[host]; ok {
		return net.JoinHostPort(mapped, port)
	}
	return address
}

// disk is the files under one directory, through os.Root: no path
// escapes it.
type disk struct{ root *os.Root }

// rel turns an env path (slash-separated, "/" the root) into os.Root's.
func rel(name string) string {
	p := strings.TrimPrefix(name, "/")
	if p == "" {
		return "."
	}
	return filepath.FromSlash(p)
}

func (d *disk) OpenFile(ctx context.Context, name string, flag int, perm fs.FileMode) (env.File, error) {
	p := rel(name)
	if flag&os.O_CREATE != 0 {
		if dir := filepath.Dir(p); dir != "." {
			if err := d.root.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
		}
	}
	f, err := d.root.OpenFile(p, flag, perm)
	if err != nil {
		return nil, err
	}
	return file{f}, nil
}

func (d *disk) Open(ctx context.Context, name string) (env.File, error) {
	return d.OpenFile(ctx, name, os.O_RDONLY, 0)
}

func (d *disk) Create(ctx context.Context, name string) (env.File, error) {
	return d.OpenFile(ctx, name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (d *disk) Remove(ctx context.Context, name string) error { return d.root.Remove(rel(name)) }

func (d *disk) Rename(ctx context.Context, oldname, newname string) error {
	return d.root.Rename(rel(oldname), rel(newname))
}

func (d *disk) ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(d.root.FS(), filepath.ToSlash(rel(name)))
}

func (d *disk) SyncDir(ctx context.Context, name string) error {
	f, err := d.root.Open(rel(name))
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func (d *disk) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	return d.root.Stat(rel(name))
}

// file is an *os.File with Size.
type file struct{ *os.File }

func (f file) Size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// noDisk is the disk of an Env without a root.
type noDisk struct{}

func (noDisk) OpenFile(context.Context, string, int, fs.FileMode) (env.File, error) {
	return nil, ErrNoDisk
}
func (noDisk) Open(context.Context, string) (env.File, error)         { return nil, ErrNoDisk }
func (noDisk) Create(context.Context, string) (env.File, error)       { return nil, ErrNoDisk }
func (noDisk) Remove(context.Context, string) error                   { return ErrNoDisk }
func (noDisk) Rename(context.Context, string, string) error           { return ErrNoDisk }
func (noDisk) ReadDir(context.Context, string) ([]fs.DirEntry, error) { return nil, ErrNoDisk }
func (noDisk) SyncDir(context.Context, string) error                  { return ErrNoDisk }
func (noDisk) Stat(context.Context, string) (fs.FileInfo, error)      { return nil, ErrNoDisk }
