package allow

import (
	"sync"
	"time"

	"github.com/orrerysim/orrery/env"
)

type cache struct {
	e  env.Env
	mu sync.Mutex
	n  int
}

func (c *cache) inc() {
	c.mu.Lock() //orrery:allow the critical section never blocks
	c.n++
	c.mu.Unlock()
	//orrery:allow the boot banner shows the real time
	_ = time.Now()
	// want +1 `//orrery:allow needs a reason: say why this line may escape the simulation`
	//orrery:allow
	_ = time.Now() // want `time.Now reads the wall clock`
	//orrery:allowed is another word, not an allow
	_ = time.Now() // want `time.Now reads the wall clock`
}

func (c *cache) later() {
	//orrery:allow a comment two lines up covers only the next line // want `//orrery:allow silences nothing: there is no report on its line or the next`

	_ = time.Now() // want `time.Now reads the wall clock`
}

func (c *cache) clean() int {
	return c.n //orrery:allow nothing to silence here // want `//orrery:allow silences nothing`
}
