package conc

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/orrerysim/orrery/env"
)

type Server struct {
	e  env.Env
	mu sync.Mutex
	rw sync.RWMutex
	wg sync.WaitGroup
	c  *sync.Cond
}

type locked struct {
	sync.Mutex
}

func (s *Server) Run(ctx context.Context, l *locked) {
	go s.work()             // want `go statement starts a goroutine the simulation does not schedule: use e.Go\(name, fn\)`
	ch := make(chan int, 1) // want `make\(chan\) makes a Go channel.*use env.NewChan\[T\]\(e, capacity\)`
	ch <- 1                 // want `send on a Go channel blocks outside the simulation's scheduler: use env.NewChan`
	v := <-ch               // want `receive from a Go channel blocks`
	_, ok := <-ch           // want `receive from a Go channel blocks`
	_, _ = v, ok
	select { // want `select waits on Go channels outside the simulation's scheduler: use env.Select`
	case ch <- 2:
	case x := <-ch:
		_ = x
	case <-ctx.Done():
	}
	for range ch { // want `range over a Go channel receives`
	}
	close(ch)    // want `close of a Go channel`
	<-ctx.Done() // want `receive from ctx.Done\(\) blocks outside the simulation's scheduler: use env.WaitDone`
	s.mu.Lock()  // want `sync.Mutex.Lock blocks outside the simulation's scheduler \(a task that parks while holding it stalls every task that locks it\): use env.NewMutex\(e\) and Lock\(ctx\), or //orrery:allow <reason> if the critical section never blocks`
	s.mu.Unlock()
	s.rw.RLock() // want `sync.RWMutex.RLock blocks`
	s.rw.RUnlock()
	s.rw.Lock() // want `sync.RWMutex.Lock blocks`
	s.rw.Unlock()
	l.Lock() // want `sync.Mutex.Lock blocks`
	l.Unlock()
	if s.mu.TryLock() {
		s.mu.Unlock()
	}
	s.wg.Add(1)
	s.wg.Done()
	s.wg.Wait()       // want `sync.WaitGroup.Wait blocks outside the simulation's scheduler: use env.NewWaitGroup\(e\)`
	s.wg.Go(s.work)   // want `sync.WaitGroup.Go starts a goroutine.*use e.Go`
	s.c.Wait()        // want `sync.Cond.Wait blocks`
	lock := s.mu.Lock // want `sync.Mutex.Lock blocks`
	_ = lock
}

func (s *Server) work() {}

// Once and atomics do not wait on other tasks' progress: no report.
var once sync.Once

func Init(n *atomic.Int64) {
	once.Do(func() { n.Add(1) })
}

// Typed channels in signatures are not operations.
func Pass(ch chan int, out <-chan int) (chan int, <-chan int) { return ch, out }

// EnvChan is how simulated code makes a channel: no report.
func EnvChan(ctx context.Context, e env.Env) error {
	c := env.NewChan[int](e, 1)
	e.Go("worker", func(ctx context.Context) {})
	return c.Send(ctx, 1)
}
