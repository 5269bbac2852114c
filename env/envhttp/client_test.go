package envhttp_test

import (
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// TestClientTimeoutIsRefused: a simulated client with a Timeout refuses
// to send, with an error that says what to use instead.
func TestClientTimeoutIsRefused(t *testing.T) {
	var got error
	s := pair(envhttp.Server{}, handle(func(w http.ResponseWriter, r *http.Request) {}), func(e env.Env) error {
		c := envhttp.Client(e)
		c.Timeout = time.Second //orrery:allow the refusal is what is tested
		_, got = c.Get("http://server:8080/")
		return nil
	})
	if rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}}); err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep)
	}
	if !errors.Is(got, envhttp.ErrClientTimeout) {
		t.Fatalf("got %v, want ErrClientTimeout", got)
	}
	t.Log(got)
}

// TestBackgroundContext: a request made without a context (http.Get's
// context.Background) waits on the host's context in a simulation.
func TestBackgroundContext(t *testing.T) {
	var body string
	s := pair(envhttp.Server{}, handle(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain") }), func(e env.Env) error {
		resp, err := envhttp.Client(e).Get("http://server:8080/")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err
	})
	if rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}}); err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep)
	}
	if body != "plain" {
		t.Fatalf("body %q", body)
	}
}

// TestUnsupportedScheme: https is for production.
func TestUnsupportedScheme(t *testing.T) {
	var got error
	s := pair(envhttp.Server{}, handle(func(w http.ResponseWriter, r *http.Request) {}), func(e env.Env) error {
		_, got = envhttp.Client(e).Get("https://server:8080/")
		return nil
	})
	if rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}}); err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep)
	}
	if got == nil || got.Error() != `Get "https://server:8080/": envhttp: unsupported protocol scheme "https": a simulation speaks plain http` {
		t.Fatalf("got %v", got)
	}
}
