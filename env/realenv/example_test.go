package realenv_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/orrerysim/orrery/env/realenv"
)

// An Env on the operating system, its disk confined to a directory.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "realenv")
	defer os.RemoveAll(dir)
	e, err := realenv.New(realenv.Options{Name: "db", Root: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	f, _ := e.Disk().Create(ctx, "data/greeting")
	f.Write([]byte("hello"))
	f.Sync()
	f.Close()
	g, _ := e.Disk().Open(ctx, "data/greeting")
	b, _ := io.ReadAll(g)
	fmt.Println(e.Name(), string(b))
	// Output: db hello
}

// Code that dials the cluster's host names, "backup:7001" in a simulation,
// dials the same names in production: Hosts maps them to addresses.
func ExampleOptions_hosts() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0") // the backup server, say
	defer ln.Close()
	go func() {
		c, _ := ln.Accept()
		io.WriteString(c, "hello from backup")
		c.Close()
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	e, err := realenv.New(realenv.Options{Name: "primary", Hosts: map[string]string{"backup": "127.0.0.1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := e.Net().Dial(e.Context(), "backup:"+port)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := io.ReadAll(c)
	fmt.Println(string(b))
	// Output: hello from backup
}
