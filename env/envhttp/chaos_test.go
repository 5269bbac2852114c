package envhttp_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
	"github.com/orrerysim/orrery/netsim"
)

// chaosHandlers is a table of ordinary handlers: a JSON-ish echo, a
// flushed stream, a large body and a slow answer.
func chaosHandlers(e env.Env) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"echo":%q}`, b)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		for i := range 5 {
			fmt.Fprintf(w, "part %d\n", i)
			w.(http.Flusher).Flush()
			if e.Clock().Sleep(r.Context(), 20*time.Millisecond) != nil {
				panic(http.ErrAbortHandler) // cut the stream short, visibly
			}
		}
	})
	mux.HandleFunc("GET /large", func(w http.ResponseWriter, r *http.Request) { w.Write(pattern(150 << 10)) })
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		if err := e.Clock().Sleep(r.Context(), time.Duration(e.Rand().IntN(300))*time.Millisecond); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "done")
	})
	return mux
}

// expected is the body each path answers with.
func expected(path, payload string) []byte {
	switch path {
	case "/echo":
		return fmt.Appendf(nil, `{"echo":%q}`, payload)
	case "/stream":
		return []byte("part 0\npart 1\npart 2\npart 3\npart 4\n")
	case "/large":
		return pattern(150 << 10)
	}
	return []byte("done")
}

// requestTimeout bounds every request of the chaos test, on the client's
// clock.
const requestTimeout = 2 * time.Second

// hammer sends n requests to the chaos handlers, each under a deadline,
// and fails when a request outlives its deadline (a hang), or when a
// response that came back is not the one asked for.
func hammer(e env.Env, n int, tally *outcomes) error {
	c := envhttp.Client(e)
	paths := []string{"/echo", "/stream", "/large", "/slow"}
	for i := range n {
		path := paths[e.Rand().IntN(len(paths))]
		start := e.Clock().Monotonic()
		err := oneRequest(e, c, path, strconv.Itoa(i))
		if took := e.Clock().Monotonic() - start; took > requestTimeout+time.Millisecond {
			return fmt.Errorf("request %d %s took %v, past its %v deadline", i, path, took, requestTimeout)
		}
		if err != nil && strings.HasPrefix(err.Error(), "wrong body") {
			return err
		}
		tally.add(err)
	}
	return nil
}

func oneRequest(e env.Env, c *http.Client, path, payload string) error {
	ctx, cancel := e.Clock().WithTimeout(e.Context(), requestTimeout)
	defer cancel()
	method, body := "GET", io.Reader(nil)
	if path == "/echo" {
		method, body = "POST", strings.NewReader(payload)
	}
	req, _ := http.NewRequestWithContext(ctx, method, "http://server:8080"+path, body)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if !bytes.Equal(got, expected(path, payload)) {
		return fmt.Errorf("wrong body for %s: %.60q", path, got)
	}
	return nil
}

// outcomes counts how requests ended.
type outcomes struct{ ok, failed int }

func (o *outcomes) add(err error) {
	if err == nil {
		o.ok++
	} else {
		o.failed++
	}
}

// chaosSimulation is the server and three clients under resets, partial
// I/O, clogs, partitions, cuts, connect failures and server crashes. No
// bit flips: HTTP has no checksum, and a flipped body byte is delivered as
// it is (frame's package shows the cure).
func chaosSimulation(tallies *[3]outcomes) orrery.Simulation {
	s := pair(envhttp.Server{ReadHeaderTimeout: time.Second, IdleTimeout: 5 * time.Second}, chaosHandlers, nil)
	s.Workloads = []orrery.Workload{{Name: "client", Count: 3, New: func() orrery.Driver {
		return orrery.Funcs{
			RunFunc: func(e env.Env) error {
				return hammer(e, 40, &tallies[orrery.Instance(e.Context())])
			},
			CheckFunc: afterTheStorm,
		}
	}}}
	s.Chaos = chaos.Config{
		Duration:  30 * time.Second,
		Attrition: chaos.Attrition{MaxDead: 1, Crash: 1, Graceful: 1, MinInterval: 2 * time.Second, MaxInterval: 8 * time.Second},
		Net: netsim.Faults{RandomCloseP: 0.002, RandomCloseResetP: 0.5, RandomCloseCooldown: 200 * time.Millisecond,
			PartialP: 0.1, ClogP: 0.02, ConnectFailP: 0.05, PartitionP: 0.05, CutP: 0.05, HalfOpenMin: time.Second, HalfOpenMax: 3 * time.Second},
	}
	return s
}

// TestChaos: under every network fault and server crashes, each request
// ends in a response or an error before its deadline, never in a hang or
// a wrong body; after the faults heal a request succeeds; and every seed
// runs twice with the same trace hash.
func TestChaos(t *testing.T) {
	var tallies [3]outcomes
	rep, err := orrery.Run(chaosSimulation(&tallies), orrery.Options{Seeds: 8, Parallel: 1, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		for _, f := range rep.Failures {
			t.Errorf("seed %#x: %s: %s\n%s", f.Seed, f.Kind, f.Message, f.Replay)
		}
		t.FailNow()
	}
	var sum outcomes
	for _, o := range tallies {
		sum.ok, sum.failed = sum.ok+o.ok, sum.failed+o.failed
	}
	t.Logf("%d seeds, each run twice: %d responses, %d errors; faults %v", rep.Seeds, sum.ok, sum.failed, rep.Faults)
	if sum.failed == 0 || sum.ok == 0 {
		t.Fatalf("want both responses and errors under chaos, got %+v", sum)
	}
}

// afterTheStorm: once the faults are healed, a request succeeds, as soon
// as the server is back from its last reboot (at most 10 s).
func afterTheStorm(e env.Env) error {
	c := envhttp.Client(e)
	var err error
	for range 30 {
		if err = oneRequest(e, c, "/echo", "after the storm"); err == nil {
			return nil
		}
		if err := e.Clock().Sleep(e.Context(), time.Second); err != nil {
			return err
		}
	}
	return fmt.Errorf("no request succeeds after the faults healed: %w", err)
}
