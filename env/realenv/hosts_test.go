package realenv_test

import (
	"context"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/env/realenv"
)

// echoOnce listens on loopback, answers one connection with what it reads
// and returns the port.
func echoOnce(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			io.Copy(c, c)
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestHostsDial(t *testing.T) {
	port := echoOnce(t)
	hosts := map[string]string{"backup": "127.0.0.1", "primary": "localhost"}
	tests := []struct {
		name, addr string
		wantErr    bool
	}{
		{"a mapped name", "backup:" + port, false},
		{"a name mapped to a name", "primary:" + port, false},
		{"an IP address", "127.0.0.1:" + port, false},
		{"an unknown name goes to the resolver", "localhost:" + port, false},
		{"a name that is not mapped", "Backup.invalid:" + port, true},
	}
	e, err := realenv.New(realenv.Options{Name: "test", Hosts: hosts})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.Net().Dial(context.Background(), tt.addr)
			if tt.wantErr {
				if err == nil {
					c.Close()
					t.Fatalf("Dial(%q) succeeded, want an error", tt.addr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial(%q): %v", tt.addr, err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, "ping"); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 4)
			if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
				t.Fatalf("echo over %q: %q, %v", tt.addr, got, err)
			}
		})
	}
}

func TestHostsLookupAndListen(t *testing.T) {
	e, err := realenv.New(realenv.Options{Name: "test", Hosts: map[string]string{"backup": "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	addrs, err := e.Net().LookupHost(ctx, "backup")
	if err != nil || !slices.Equal(addrs, []netip.Addr{netip.MustParseAddr("127.0.0.1")}) {
		t.Errorf("LookupHost(backup) = %v, %v; want 127.0.0.1", addrs, err)
	}
	ln, err := e.Net().Listen(ctx, "backup:0")
	if err != nil {
		t.Fatalf("Listen(backup:0): %v", err)
	}
	defer ln.Close()
	if got := ln.Addr().(*net.TCPAddr).IP.String(); got != "127.0.0.1" {
		t.Errorf("Listen(backup:0) bound %s, want 127.0.0.1", got)
	}
	pc, err := e.Net().ListenPacket(ctx, "backup:0")
	if err != nil {
		t.Fatalf("ListenPacket(backup:0): %v", err)
	}
	defer pc.Close()
	if got := pc.LocalAddr().(*net.UDPAddr).IP.String(); got != "127.0.0.1" {
		t.Errorf("ListenPacket(backup:0) bound %s, want 127.0.0.1", got)
	}
}

func TestHostsRefused(t *testing.T) {
	for _, hosts := range []map[string]string{{"backup": ""}, {"": "127.0.0.1"}} {
		_, err := realenv.New(realenv.Options{Name: "test", Hosts: hosts})
		if err == nil || !strings.HasPrefix(err.Error(), "realenv: host map: ") {
			t.Errorf("New with Hosts %q: error %v, want one that names the host map", hosts, err)
		}
	}
}
