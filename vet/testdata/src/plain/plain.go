// Package plain neither takes an env.Env nor is marked simulated: nothing
// in it is reported.
package plain

import (
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

var mu sync.Mutex

func Everything(m map[string]int) []string {
	mu.Lock()
	defer mu.Unlock()
	time.Sleep(time.Millisecond)
	ch := make(chan int)
	go func() { ch <- rand.IntN(3) }()
	<-ch
	_, _ = os.ReadFile("x")
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
