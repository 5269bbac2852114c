package escape

import (
	"context"
	"net"
	"net/http"
	"os"

	"github.com/orrerysim/orrery/env"
)

func Files(e env.Env) {
	f, _ := os.Open("a") // want `os.Open touches the real file system: use e.Disk\(\).Open\(ctx, name\)`
	f.Close()
	_, _ = os.Create("b")             // want `os.Create touches the real file system: use e.Disk\(\).Create\(ctx, name\)`
	_, _ = os.ReadFile("c")           // want `os.ReadFile touches the real file system`
	_ = os.WriteFile("d", nil, 0o644) // want `os.WriteFile touches the real file system`
	_ = os.Remove("e")                // want `os.Remove touches the real file system: use e.Disk\(\).Remove\(ctx, name\)`
	_ = os.Rename("f", "g")           // want `os.Rename touches the real file system: use e.Disk\(\).Rename`
	_ = os.MkdirAll("h", 0o755)       // want `os.MkdirAll touches the real file system`
	_, _ = os.Stat("i")               // want `os.Stat touches the real file system: use e.Disk\(\).Stat\(ctx, name\)`
	_ = os.Getenv("HOME")
	_ = os.ErrNotExist
}

func Network(ctx context.Context, e env.Env) {
	_, _ = net.Dial("tcp", "a:1")           // want `net.Dial uses the real network: use e.Net\(\).Dial\(ctx, address\)`
	_, _ = net.DialTimeout("tcp", "a:1", 0) // want `net.DialTimeout uses the real network`
	_, _ = net.Listen("tcp", ":1")          // want `net.Listen uses the real network: use e.Net\(\).Listen\(ctx, address\)`
	_, _ = net.ListenPacket("udp", ":1")    // want `net.ListenPacket uses the real network: use e.Net\(\).ListenPacket`
	_, _ = net.ResolveTCPAddr("tcp", "a:1") // want `net.ResolveTCPAddr asks the real resolver: use e.Net\(\).LookupHost\(ctx, host\)`
	var d net.Dialer
	_, _ = d.DialContext(ctx, "tcp", "a:1") // want `net.Dialer.DialContext uses the real network`
	_, _ = http.Get("http://a")             // want `net/http.Get uses the real network and goroutines`
	_, _ = http.DefaultClient.Do(nil)       // want `net/http.DefaultClient uses the real network and goroutines: use envhttp.Client\(e\)`
	c := &http.Client{Timeout: 1}           // want `net/http.Client.Timeout is a real-time timer that the simulation cannot see: use a context deadline`
	c.Timeout = 2                           // want `net/http.Client.Timeout is a real-time timer`
	_, _ = c.Do(nil)
	_ = http.ListenAndServe(":1", nil) // want `net/http.ListenAndServe serves each connection on a goroutine`
	c1, _ := net.Pipe()                // want `net.Pipe blocks on Go channels outside the simulation: use a connection from e.Net\(\).Dial`
	_ = c1
	srv := &http.Server{Addr: ":1"}
	_ = srv.Serve(nil) // want `net/http.Server.Serve serves each connection on a goroutine the simulation does not schedule: use envhttp.Serve\(e, l, handler\) on a listener of e.Net\(\)`
	_ = srv.Addr
	_, _, _ = net.SplitHostPort("a:1")
	_ = net.ParseIP("10.0.0.1")
}
