package assert_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// bank moves money between two accounts at random times. The total must
// be conserved (an Always), and a transfer larger than the balance must
// sometimes be refused (a Sometimes), or the workload never tested the
// refusal path.
func bank(w *sim.World) {
	balance := map[string]int{"alice": 50, "bob": 50}
	for _, from := range []string{"alice", "bob"} {
		to := map[string]string{"alice": "bob", "bob": "alice"}[from]
		w.Spawn(from, func(ctx context.Context) {
			for range 3 {
				sim.Sleep(ctx, w.Rand().Duration(time.Millisecond, 10*time.Millisecond))
				amount := w.Rand().IntN(60)
				refused := amount > balance[from]
				assert.Sometimes(ctx, refused, "transfer refused for lack of funds", "amount", amount)
				if !refused {
					balance[from] -= amount
					balance[to] += amount
				}
				total := balance["alice"] + balance["bob"]
				assert.Always(ctx, total == 100, "money is conserved", "total", total)
			}
		})
	}
}

// A run of many seeds: each seed's results are merged, and the merged table
// says whether the refusal path was exercised. Missing lists what never
// fired; here, nothing.
func Example() {
	var runs [][]assert.Result
	for seed := range uint64(10) {
		w := sim.New(sim.Config{Seed: seed})
		bank(w)
		if err := w.Run(); err != nil {
			fmt.Println(err)
		}
		runs = append(runs, assert.Results(w))
	}
	merged := assert.Merge(runs...)
	for _, r := range merged {
		fmt.Println(r)
	}
	fmt.Println("missing:", len(assert.Missing(merged)))
	// Output:
	// Always "money is conserved" passed 60 of 60 at assert/example_test.go:31
	// Sometimes "transfer refused for lack of funds" passed 10 of 60 at assert/example_test.go:25
	// missing: 0
}

// A false Always fails the seed. The failure names the assertion, where it
// failed and its details, and Run returns it as a *sim.Failure.
func ExampleAlways() {
	w := sim.New(sim.Config{Seed: 1})
	w.Spawn("withdraw", func(ctx context.Context) {
		balance := 20
		for _, amount := range []int{15, 10} {
			balance -= amount // no check: a bug
			assert.Always(ctx, balance >= 0, "balance never negative", "account", "alice", "balance", balance)
		}
	})
	err := w.Run()
	fmt.Println(err)
	fmt.Println(assert.Results(w)[0])
	// Output:
	// assertion at t=0.000000s seq=0 rng=0 in task 1 "withdraw": Always "balance never negative" failed at assert/example_test.go:69: account=alice balance=-5 (seed 0x1)
	// Always "balance never negative" passed 1 of 2 FAILED at assert/example_test.go:69: account=alice balance=-5
}

// A Sometimes never fails a seed; its counts show how often the path was
// taken, and Missing reports it when no seed took it.
func ExampleSometimes() {
	var runs [][]assert.Result
	for seed := range uint64(5) {
		w := sim.New(sim.Config{Seed: seed})
		w.Spawn("client", func(ctx context.Context) {
			for range 4 {
				latency := w.Rand().Duration(0, 100*time.Millisecond)
				assert.Sometimes(ctx, latency > 90*time.Millisecond, "a request was slow")
				assert.Sometimes(ctx, latency > time.Second, "a request timed out")
			}
		})
		w.Run()
		runs = append(runs, assert.Results(w))
	}
	merged := assert.Merge(runs...)
	for _, r := range merged {
		fmt.Printf("%s: passed %d of %d\n", r.Message, r.Passed, r.Evaluated)
	}
	for _, r := range assert.Missing(merged) {
		fmt.Println("never fired:", r.Message)
	}
	// Output:
	// a request timed out: passed 0 of 20
	// a request was slow: passed 3 of 20
	// never fired: a request timed out
}

// Reachable marks a path that the run must take; Unreachable, one it must
// never take.
func ExampleUnreachable() {
	w := sim.New(sim.Config{Seed: 1})
	w.Spawn("follower", func(ctx context.Context) {
		for term := 1; term <= 3; term++ {
			assert.Reachable(ctx, "new term started", "term", term)
			if term == 3 {
				assert.Unreachable(ctx, "vote granted twice in a term", "term", term, "candidate", "n2")
			}
		}
	})
	fmt.Println(w.Run())
	for _, r := range assert.Results(w) {
		fmt.Println(r.Kind, r.Message, r.Evaluated)
	}
	// Output:
	// assertion at t=0.000000s seq=0 rng=0 in task 1 "follower": Unreachable "vote granted twice in a term" reached at assert/example_test.go:117: candidate=n2 term=3 (seed 0x1)
	// Reachable new term started 3
	// Unreachable vote granted twice in a term 1
}

// The numeric forms report both sides of a comparison.
func ExampleAlwaysLessThan() {
	w := sim.New(sim.Config{Seed: 1})
	w.Spawn("election", func(ctx context.Context) {
		start := w.Now()
		sim.Sleep(ctx, 450*time.Millisecond) // the election takes this long
		assert.AlwaysLessThan(ctx, w.Now()-start, 300*time.Millisecond, "leader elected within 300ms", "term", 2)
	})
	fmt.Println(w.Run())
	// Output:
	// assertion at t=0.450000s seq=1 rng=0 in task 1 "election": AlwaysLessThan "leader elected within 300ms" failed at assert/example_test.go:137: want left < right: left=450ms right=300ms term=2 (seed 0x1)
}

// AlwaysSome needs one of its conditions every time; SometimesAll needs all
// of them together at least once. Here every replica acknowledged at some
// point, but never all three at once, so the SometimesAll has not passed.
func ExampleSometimesAll() {
	w := sim.New(sim.Config{Seed: 1})
	w.Spawn("replication", func(ctx context.Context) {
		for _, acked := range [][3]bool{{true, false, false}, {true, true, false}, {false, true, true}} {
			conds := map[string]bool{"n1": acked[0], "n2": acked[1], "n3": acked[2]}
			assert.AlwaysSome(ctx, conds, "a replica acknowledged")
			assert.SometimesAll(ctx, conds, "every replica acknowledged")
		}
	})
	fmt.Println(w.Run())
	for _, r := range assert.Results(w) {
		fmt.Printf("%s %q: passed %d of %d\n", r.Kind, r.Message, r.Passed, r.Evaluated)
	}
	// Output:
	// <nil>
	// Always "a replica acknowledged": passed 3 of 3
	// Sometimes "every replica acknowledged": passed 0 of 3
}

// SometimesEach keeps one bucket per value, so a report shows which values
// a run covered.
func ExampleSometimesEach() {
	w := sim.New(sim.Config{Seed: 1})
	w.Spawn("elections", func(ctx context.Context) {
		for range 10 {
			leader := fmt.Sprintf("n%d", 1+w.Rand().IntN(3))
			assert.SometimesEach(ctx, "node became leader", leader)
		}
	})
	w.Run()
	for _, r := range assert.Results(w) {
		fmt.Printf("%s %s: %d\n", r.Message, r.Bucket, r.Evaluated)
	}
	// Output:
	// node became leader n1: 1
	// node became leader n2: 4
	// node became leader n3: 5
}
