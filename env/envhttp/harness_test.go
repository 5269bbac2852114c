package envhttp_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
	"github.com/orrerysim/orrery/env/realenv"
)

// A conformance case is a handler, the server's timeouts, and a client
// script that talks to the server at addr and describes what it saw. The
// same case runs against net/http's httptest.Server with net/http's
// client, and against envhttp in a simulation and on the operating system:
// every description must be the same.
type conformanceCase struct {
	name    string
	server  envhttp.Server // timeouts; the handler comes from handler
	handler func(e env.Env) http.Handler
	client  func(ctx context.Context, e env.Env, c *http.Client, addr string) string
}

// The ways of running a case.
var runners = []struct {
	name string
	run  func(t *testing.T, tc conformanceCase) string
}{
	{"simulation", runSimulated},
	{"envhttp-portable-on-os", func(t *testing.T, tc conformanceCase) string { return runOnOS(t, tc, true) }},
	{"envhttp-native-on-os", func(t *testing.T, tc conformanceCase) string { return runOnOS(t, tc, false) }},
}

// runHTTPTest runs tc on net/http alone: httptest.Server and a fresh
// http.Transport.
func runHTTPTest(t *testing.T, tc conformanceCase) string {
	e := osEnv(t)
	srv := httptest.NewUnstartedServer(tc.handler(e))
	cfg := srv.Config
	cfg.ReadHeaderTimeout, cfg.ReadTimeout = tc.server.ReadHeaderTimeout, tc.server.ReadTimeout
	cfg.WriteTimeout, cfg.IdleTimeout, cfg.MaxHeaderBytes = tc.server.WriteTimeout, tc.server.IdleTimeout, tc.server.MaxHeaderBytes
	srv.Start()
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	return tc.client(e.Context(), e, &http.Client{Transport: tr}, srv.Listener.Addr().String())
}

// runOnOS runs tc with envhttp on realenv, its portable implementation or
// net/http's.
func runOnOS(t *testing.T, tc conformanceCase, portable bool) string {
	e := osEnv(t)
	l, err := e.Net().Listen(e.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := tc.server
	srv.Handler, srv.Portable = tc.handler(e), portable
	done := make(chan error, 1)
	go func() { done <- srv.Serve(e, l) }()
	defer func() { l.Close(); <-done }()
	c := envhttp.NewClient(e, envhttp.ClientOptions{Portable: portable})
	defer c.CloseIdleConnections()
	return tc.client(e.Context(), e, c, l.Addr().String())
}

func osEnv(t *testing.T) env.Env {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e, err := realenv.New(realenv.Options{Name: "test", Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// runSimulated runs tc in one seed of a simulation: a server process and a
// client workload on the simulated network, without faults.
func runSimulated(t *testing.T, tc conformanceCase) string {
	var got string
	s := pair(tc.server, tc.handler, func(e env.Env) error {
		got = tc.client(e.Context(), e, envhttp.Client(e), "server:8080")
		return nil
	})
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("simulation failed: %+v", rep.Failures)
	}
	return got
}

// pair is a simulation of a server process "server" serving handler on
// :8080 and one client workload running client.
func pair(srv envhttp.Server, handler func(env.Env) http.Handler, client func(e env.Env) error) orrery.Simulation {
	return orrery.Simulation{
		Name: "envhttp",
		Processes: []orrery.Process{{Name: "server", Main: func(e env.Env) error {
			l, err := e.Net().Listen(e.Context(), ":8080")
			if err != nil {
				return err
			}
			s := srv
			s.Handler = handler(e)
			if err := s.Serve(e, l); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver { return orrery.Funcs{RunFunc: client} }}},
	}
}

// describe says what a client saw of a response: its status, framing,
// the headers named and the body (a digest when long), or the error.
func describe(resp *http.Response, err error, headers ...string) string {
	if err != nil {
		return "error: " + errorKind(err)
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%d len=%d te=%v", resp.StatusCode, resp.ContentLength, resp.TransferEncoding)
	for _, h := range headers {
		fmt.Fprintf(&b, " %s=%q", h, resp.Header.Get(h))
	}
	if len(body) > 64 {
		fmt.Fprintf(&b, " body=%d bytes sha256:%x", len(body), sha256.Sum256(body))
	} else {
		fmt.Fprintf(&b, " body=%q", body)
	}
	if rerr != nil {
		b.WriteString(" read error: " + errorKind(rerr))
	}
	return b.String()
}

// errorKind names an error by what it means, not by its words, which
// differ between the operating system and the simulated network.
func errorKind(err error) string {
	var ne net.Error
	switch {
	case err == nil:
		return "no error"
	case errors.Is(err, context.DeadlineExceeded):
		return "context deadline exceeded"
	case errors.Is(err, context.Canceled):
		return "context canceled"
	case errors.Is(err, envhttp.ErrClientTimeout):
		return "client timeout refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "EOF"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return err.Error()
}

// get sends a GET and describes the response.
func get(ctx context.Context, c *http.Client, url string, headers ...string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err.Error()
	}
	resp, err := c.Do(req)
	return describe(resp, err, headers...)
}

// raw sends request on a connection of its own and returns every byte
// the server sends back until it closes the connection (or 5 s pass).
func raw(ctx context.Context, e env.Env, addr, request string) string {
	c, err := e.Net().Dial(ctx, addr)
	if err != nil {
		return "dial: " + errorKind(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, request); err != nil {
		return "write: " + errorKind(err)
	}
	c.SetReadDeadline(e.Clock().Now().Add(5 * time.Second))
	out, err := io.ReadAll(c)
	s := dropDates(string(out))
	if err != nil {
		s += "\nread error: " + errorKind(err)
	}
	return s
}

// dropDates replaces Date headers, which differ from run to run.
func dropDates(s string) string {
	lines := strings.Split(s, "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Date: ") {
			lines[i] = "Date: (date)"
		}
	}
	return strings.Join(lines, "\r\n")
}
