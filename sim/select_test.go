package sim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

func TestSelectReadyCase(t *testing.T) {
	for ready := range 3 {
		t.Run(fmt.Sprint("case ", ready), func(t *testing.T) {
			for _, seed := range testSeeds {
				runSeed(t, seed, func(w *sim.World) {
					chans := []*sim.Chan[int]{sim.NewChan[int](1), sim.NewChan[int](1), sim.NewChan[int](1)}
					chans[ready].TrySend(ready + 10)
					w.Spawn("selector", func(ctx context.Context) {
						var vs [3]int
						i, err := sim.Select(ctx, chans[0].RecvCase(&vs[0]), chans[1].RecvCase(&vs[1]), chans[2].RecvCase(&vs[2]))
						if i != ready || err != nil || vs[ready] != ready+10 || w.Now() != 0 {
							t.Errorf("Select = %d, %v with values %v at %v; want case %d with %d at once",
								i, err, vs, w.Now(), ready, ready+10)
						}
						if chans[ready].Len() != 0 {
							t.Error("the chosen case did not take its value")
						}
					})
				})
			}
		})
	}
}

// selectAmongReady runs one Select over three ready channels and returns
// the case it chose.
func selectAmongReady(t *testing.T, seed uint64) int {
	chosen := -1
	runSeed(t, seed, func(w *sim.World) {
		var cases []sim.Case
		for range 3 {
			ch := sim.NewChan[int](1)
			ch.TrySend(1)
			cases = append(cases, ch.RecvCase(nil))
		}
		w.Spawn("selector", func(ctx context.Context) {
			chosen, _ = sim.Select(ctx, cases...)
		})
	})
	return chosen
}

func TestSelectSeededFairness(t *testing.T) {
	const n = 150
	var counts [3]int
	for seed := range uint64(n) {
		i := selectAmongReady(t, seed)
		if i < 0 || i > 2 {
			t.Fatalf("seed %d: Select chose %d", seed, i)
		}
		counts[i]++
		if again := selectAmongReady(t, seed); again != i {
			t.Errorf("seed %d chose case %d, then %d", seed, i, again)
		}
	}
	for i, c := range counts {
		if c < n/6 {
			t.Errorf("over %d seeds the cases were chosen %v times: case %d is starved", n, counts, i)
		}
	}
}

func TestSelectFairWithinRun(t *testing.T) {
	var counts [2]int
	runSeed(t, 4, func(w *sim.World) {
		a, b := sim.NewChan[int](1), sim.NewChan[int](1)
		w.Spawn("selector", func(ctx context.Context) {
			for range 200 {
				a.TrySend(0)
				b.TrySend(1)
				i, _ := sim.Select(ctx, a.RecvCase(nil), b.RecvCase(nil))
				counts[i]++
			}
		})
	})
	if counts[0] < 60 || counts[1] < 60 {
		t.Errorf("200 selects over two ready channels chose them %v times", counts)
	}
}

func TestSelectBlocksUntilReady(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *sim.World, in, out *sim.Chan[int])
		want  int // the case: 0 sends on out, 1 receives from in
		at    time.Duration
	}{
		{"send ready at once", func(w *sim.World, in, out *sim.Chan[int]) {
			w.Spawn("reader", func(ctx context.Context) { out.Recv(ctx) })
		}, 0, 0},
		{"receive ready at once", func(w *sim.World, in, out *sim.Chan[int]) {
			w.Spawn("writer", func(ctx context.Context) { in.Send(ctx, 5) })
		}, 1, 0},
		{"send completes later", func(w *sim.World, in, out *sim.Chan[int]) {
			w.Spawn("reader", func(ctx context.Context) {
				sim.Sleep(ctx, time.Second)
				if v, _, _ := out.Recv(ctx); v != 3 {
					t.Errorf("reader got %d, want the 3 the select sent", v)
				}
			})
		}, 0, time.Second},
		{"receive completes later", func(w *sim.World, in, out *sim.Chan[int]) {
			w.Spawn("writer", func(ctx context.Context) {
				sim.Sleep(ctx, 2*time.Second)
				in.Send(ctx, 5)
			})
		}, 1, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, seed := range testSeeds {
				runSeed(t, seed, func(w *sim.World) {
					in, out := sim.NewChan[int](0), sim.NewChan[int](0)
					tt.setup(w, in, out)
					w.Spawn("selector", func(ctx context.Context) {
						sim.Sleep(ctx, 0) // let a reader block first
						v := -1
						i, err := sim.Select(ctx, out.SendCase(3), in.RecvCase(&v))
						if i != tt.want || err != nil || w.Now() != tt.at {
							t.Errorf("Select = %d, %v at %v; want case %d at %v", i, err, w.Now(), tt.want, tt.at)
						}
						if i == 1 && v != 5 {
							t.Errorf("received %d, want 5", v)
						}
					})
				})
			}
		})
	}
}

func TestSelectTimeout(t *testing.T) {
	w := runSeed(t, 6, func(w *sim.World) {
		never := sim.NewChan[int](0)
		w.Spawn("selector", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			var fired time.Duration
			i, err := sim.Select(ctx, never.RecvCase(nil), sim.After(ctx, 3*time.Second).RecvCase(&fired))
			if i != 1 || err != nil || fired != 4*time.Second || w.Now() != 4*time.Second {
				t.Errorf("Select = %d, %v, timer value %v at %v; want the timeout at 4s", i, err, fired, w.Now())
			}
		})
	})
	if w.Now() != 4*time.Second {
		t.Errorf("run ended at %v, want 4s", w.Now())
	}
}

func TestSelectCancel(t *testing.T) {
	for _, way := range cancelWays {
		for _, ncases := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/%d cases", way.name, ncases), func(t *testing.T) {
				var i int
				var err error
				var at time.Duration
				runSeed(t, 8, func(w *sim.World) {
					ctx, cancel := way.make(w.Context())
					ch := sim.NewChan[int](0)
					cases := []sim.Case{ch.RecvCase(nil), ch.SendCase(1)}[:ncases]
					w.Spawn("selector", func(context.Context) {
						i, err = sim.Select(ctx, cases...)
						at = w.Now()
					})
					w.Spawn("canceller", func(ctx context.Context) {
						sim.Sleep(ctx, time.Second)
						cancel()
						sim.Sleep(ctx, time.Millisecond)
						if ch.TrySend(1) {
							t.Error("the cancelled select still receives")
						}
					})
				})
				if i != -1 || !errors.Is(err, context.Canceled) || at != time.Second {
					t.Errorf("Select = %d, %v at %v; want -1, context.Canceled at 1s", i, err, at)
				}
			})
		}
	}
	t.Run("deadline", func(t *testing.T) {
		runSeed(t, 8, func(w *sim.World) {
			w.Spawn("selector", func(ctx context.Context) {
				ctx, cancel := sim.WithTimeout(ctx, time.Second)
				defer cancel()
				i, err := sim.Select(ctx, sim.NewChan[int](0).RecvCase(nil))
				if i != -1 || !errors.Is(err, context.DeadlineExceeded) || w.Now() != time.Second {
					t.Errorf("Select = %d, %v at %v; want -1, DeadlineExceeded at 1s", i, err, w.Now())
				}
			})
		})
	})
}

func TestSelectRecvOKCase(t *testing.T) {
	tests := []struct {
		name     string
		closeAt  time.Duration // -1: closed before the select
		bufValue bool
		wantV    int
		wantOK   bool
	}{
		{"closed before", -1, false, 0, false},
		{"closed while waiting", time.Second, false, 0, false},
		{"closed with a buffered value", -1, true, 9, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSeed(t, 1, func(w *sim.World) {
				ch := sim.NewChan[int](1)
				if tt.bufValue {
					ch.TrySend(9)
				}
				if tt.closeAt < 0 {
					ch.Close()
				}
				w.Spawn("selector", func(ctx context.Context) {
					v, ok := -1, !tt.wantOK
					i, err := sim.Select(ctx, sim.NewChan[int](0).RecvCase(nil), ch.RecvOKCase(&v, &ok))
					if i != 1 || err != nil || v != tt.wantV || ok != tt.wantOK || w.Now() != max(tt.closeAt, 0) {
						t.Errorf("Select = %d, %v, v=%d ok=%v at %v; want 1, nil, v=%d ok=%v at %v",
							i, err, v, ok, w.Now(), tt.wantV, tt.wantOK, max(tt.closeAt, 0))
					}
				})
				if tt.closeAt >= 0 {
					w.Spawn("closer", func(ctx context.Context) { sim.Sleep(ctx, tt.closeAt); ch.Close() })
				}
			})
		})
	}
}

func TestSelectWithdrawsLosingCases(t *testing.T) {
	tests := []struct {
		name string
		// After case 0 (a receive from a) has won, lose checks that case 1
		// (c1, on b) no longer takes part.
		lose func(b *sim.Chan[int]) bool
		c1   func(b *sim.Chan[int]) sim.Case
	}{
		{"receive case", func(b *sim.Chan[int]) bool { return !b.TrySend(1) },
			func(b *sim.Chan[int]) sim.Case { return b.RecvCase(nil) }},
		{"send case", func(b *sim.Chan[int]) bool { _, _, got := b.TryRecv(); return !got },
			func(b *sim.Chan[int]) sim.Case { return b.SendCase(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, seed := range testSeeds {
				runSeed(t, seed, func(w *sim.World) {
					a, b := sim.NewChan[int](0), sim.NewChan[int](0)
					w.Spawn("selector", func(ctx context.Context) {
						if i, err := sim.Select(ctx, a.RecvCase(nil), tt.c1(b)); i != 0 || err != nil {
							t.Errorf("Select = %d, %v; want case 0", i, err)
						}
					})
					w.Spawn("other", func(ctx context.Context) {
						sim.Sleep(ctx, time.Second)
						a.Send(ctx, 1)
						// The selector has won but has not run yet.
						if !tt.lose(b) {
							t.Error("the losing case took part before the select returned")
						}
						sim.Sleep(ctx, time.Second)
						if !tt.lose(b) {
							t.Error("the losing case took part after the select returned")
						}
					})
				})
			}
		})
	}
}

func TestSelectSameChannelTwice(t *testing.T) {
	runSeed(t, 2, func(w *sim.World) {
		ch := sim.NewChan[int](0)
		w.Spawn("selector", func(ctx context.Context) {
			var x, y int
			i, err := sim.Select(ctx, ch.RecvCase(&x), ch.RecvCase(&y))
			if err != nil || x+y != 4 || (i == 0) != (x == 4) {
				t.Errorf("Select = %d, %v with x=%d y=%d; want one case to get 4", i, err, x, y)
			}
			if ch.TrySend(5) {
				t.Error("the other case still receives")
			}
		})
		w.Spawn("sender", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			ch.Send(ctx, 4)
		})
	})
}

func TestTrySelect(t *testing.T) {
	w := sim.New(sim.Config{Seed: 3})
	ctx := w.Context() // TrySelect may run outside a task
	a, b := sim.NewChan[int](1), sim.NewChan[int](0)
	var v int
	if i := sim.TrySelect(ctx, a.RecvCase(&v), b.RecvCase(&v), b.SendCase(1)); i != -1 {
		t.Errorf("TrySelect with nothing ready = %d, want -1", i)
	}
	if a.Len() != 0 || b.TrySend(2) {
		t.Error("TrySelect with nothing ready left a case behind")
	}
	if i := sim.TrySelect(ctx); i != -1 {
		t.Errorf("TrySelect with no cases = %d, want -1", i)
	}
	if i := sim.TrySelect(ctx, b.SendCase(1), a.SendCase(7)); i != 1 || a.Len() != 1 {
		t.Errorf("TrySelect with room in a = %d (Len %d), want 1", i, a.Len())
	}
	if i := sim.TrySelect(ctx, b.RecvCase(&v), a.RecvCase(&v)); i != 1 || v != 7 {
		t.Errorf("TrySelect with a value in a = %d, v=%d; want 1, 7", i, v)
	}
	a.Close()
	ok := true
	if i := sim.TrySelect(ctx, a.RecvOKCase(&v, &ok)); i != 0 || ok || v != 0 {
		t.Errorf("TrySelect on a closed channel = %d, v=%d ok=%v; want 0, 0, false", i, v, ok)
	}
	wantPanic(t, "send on closed", func() { sim.TrySelect(ctx, a.SendCase(1)) })
	wantPanic(t, "does not come from a simulation", func() { sim.TrySelect(context.Background()) })
}

func TestSelectSendOnClosed(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *sim.World)
	}{
		{"closed before", func(w *sim.World) {
			ch := sim.NewChan[int](0)
			ch.Close()
			w.Spawn("selector", func(ctx context.Context) {
				sim.Select(ctx, sim.NewChan[int](0).RecvCase(nil), ch.SendCase(1))
			})
		}},
		{"closed while waiting", func(w *sim.World) {
			ch := sim.NewChan[int](0)
			w.Spawn("selector", func(ctx context.Context) {
				sim.Select(ctx, sim.NewChan[int](0).RecvCase(nil), ch.SendCase(1))
			})
			w.Spawn("closer", func(ctx context.Context) { sim.Sleep(ctx, time.Second); ch.Close() })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFailure(t, tt.setup, sim.FailPanic, "selector", "send on closed")
		})
	}
}

// selectWorkload has servers that select over requests, a stop channel and
// timeouts, and clients that select over sending and giving up.
func selectWorkload(w *sim.World) {
	reqs := sim.NewChan[int](0)
	stop := sim.NewChan[struct{}](0)
	for s := range 2 {
		w.SpawnDaemon(fmt.Sprint("server-", s), func(ctx context.Context) {
			for {
				var req int
				i, err := sim.Select(ctx, reqs.RecvCase(&req), stop.RecvCase(nil),
					sim.After(ctx, 5*time.Millisecond).RecvCase(nil))
				if err != nil || i == 1 {
					return
				}
				sim.Sleep(ctx, w.Rand().Duration(0, 3*time.Millisecond))
			}
		})
	}
	var clients sim.WaitGroup
	for c := range 3 {
		clients.Go(w.Context(), fmt.Sprint("client-", c), func(ctx context.Context) {
			for i := range 4 {
				n, _ := sim.Select(ctx, reqs.SendCase(c*10+i), sim.After(ctx, 2*time.Millisecond).RecvCase(nil))
				sim.Logger(ctx).Info("sent", "case", n)
			}
		})
	}
	w.Spawn("stopper", func(ctx context.Context) {
		clients.Wait(ctx)
		stop.Close()
	})
}

func TestSelectDeterminism(t *testing.T) { sameTraceTwice(t, selectWorkload) }
