package env_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/realenv"
)

// sum is application code: it depends on env alone, so it runs the same in
// a simulation and, here, on the operating system.
func sum(ctx context.Context, e env.Env, n int) (int, error) {
	results := env.NewChan[int](e, 0)
	for i := 1; i <= n; i++ {
		e.Go("worker", func(ctx context.Context) { results.Send(ctx, i*i) })
	}
	total := 0
	for range n {
		var v int
		timeout := e.Clock().After(time.Second)
		switch i, err := env.Select(ctx, results.RecvCase(&v), timeout.RecvCase(nil)); {
		case err != nil:
			return 0, err
		case i == 1:
			return 0, fmt.Errorf("a worker timed out")
		}
		total += v
	}
	return total, nil
}

func Example() {
	e, err := realenv.New(realenv.Options{Name: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	total, err := sum(e.Context(), e, 4)
	fmt.Println(total, err)
	// Output: 30 <nil>
}
