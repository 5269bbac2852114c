// Package sample is a small server with one of each escape from the
// simulation: TestMain runs orrery vet on it.
package sample

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/orrerysim/orrery/env"
)

type server struct {
	e     env.Env
	mu    sync.Mutex
	peers map[string]int
}

func (s *server) run(ctx context.Context, w io.Writer) error {
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.mu.Lock()
		defer s.mu.Unlock()
		for name, n := range s.peers {
			fmt.Fprintf(w, "%s %d\n", name, n)
		}
	}()
	<-done
	time.Sleep(time.Duration(rand.IntN(10)) * time.Millisecond)
	if _, err := os.ReadFile("state"); err != nil {
		return err
	}
	fmt.Fprintln(w, "took", time.Since(start)) //orrery:allow the report line is not part of the simulated state
	return nil
}
