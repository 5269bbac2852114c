package maze

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// BugSkipCheck is the planted bug of the networked maze: a degraded vault
// that skips its check answers a withdrawal with a balance it never had.
const BugSkipCheck = "skip-check"

// PStep is the probability, per request, of each of the networked maze's
// two rare steps: the vault degrading, then, while degraded, skipping its
// check.
const PStep = 3e-5

// Requests is how many withdrawals the client of the networked maze makes.
const Requests = 300

// vaultPort is where the vault serves.
const vaultPort = "8080"

// Networked returns the networked maze, "maze-net": a vault served over
// HTTP on the simulated network and a client that withdraws one unit at a
// time. The bug needs two rare steps in one run, each at PStep per
// request, one seed in some 25,000 (PStep² × Requests² / 2); each step is
// an assertion, which the explorer climbs.
func Networked() orrery.Simulation {
	return orrery.Simulation{
		Name:      "maze-net",
		Processes: []orrery.Process{{Name: "vault", Main: vault}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver { return orrery.Funcs{RunFunc: withdraw} }}},
		Bugs:      []string{BugSkipCheck},
		// A search test, not a fault test: the client takes any error
		// for a failure, so the simulation declares no fault family, and
		// --swarm draws none for it (an empty Model; a nil one would mean
		// chaos.Standard()'s).
		Chaos: chaos.Config{Model: []string{}},
	}
}

// safe is the vault's state.
type safe struct {
	mu       sync.Mutex
	balance  int
	degraded bool
	buggy    bool
}

// vault serves POST /withdraw, which answers the balance left.
func vault(e env.Env) error {
	s := &safe{balance: Requests, buggy: orrery.Planted(e.Context(), BugSkipCheck)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /withdraw", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, s.withdraw(e))
	})
	l, err := e.Net().Listen(e.Context(), ":"+vaultPort)
	if err != nil {
		return err
	}
	srv := envhttp.Server{Handler: mux, ReadHeaderTimeout: time.Second}
	if err := srv.Serve(e, l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// withdraw takes one unit and returns the balance left; the two rare
// steps are drawn here.
func (s *safe) withdraw(e env.Env) int {
	s.mu.Lock() //orrery:allow the critical section never blocks
	defer s.mu.Unlock()
	ctx := e.Context()
	if !s.degraded && e.Rand().Float64() < PStep {
		s.degraded = true
		assert.Reachable(ctx, "the vault degrades")
	}
	if s.degraded && e.Rand().Float64() < PStep {
		assert.Reachable(ctx, "a degraded vault skips its check")
		if s.buggy {
			return s.balance + 1 // the bug: the withdrawal is not taken
		}
	}
	s.balance--
	return s.balance
}

// withdraw makes the requests and checks that each balance is one less
// than the last.
func withdraw(e env.Env) error {
	hc := envhttp.Client(e)
	want := Requests
	for range Requests {
		got, err := post(e, hc)
		if err != nil {
			return err
		}
		want--
		if got != want {
			return fmt.Errorf("withdrawal: balance %d, want %d", got, want)
		}
	}
	return nil
}

func post(e env.Env, hc *http.Client) (int, error) {
	req, err := http.NewRequestWithContext(e.Context(), http.MethodPost, "http://vault:"+vaultPort+"/withdraw", nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("withdrawal: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("withdrawal: %w", err)
	}
	return strconv.Atoi(string(body))
}
