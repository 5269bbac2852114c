package orrery

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// stateOp is a Publish (set true; v nil withdraws) or a Get of key.
type stateOp struct {
	set bool
	key string
	v   any
}

// TestStateGetSeesEveryPublish checks that Get, which remembers the last
// keys it was asked, returns what was last published under each key
// however publishes, withdrawals and lookups interleave.
func TestStateGetSeesEveryPublish(t *testing.T) {
	tests := []struct {
		name string
		ops  []stateOp
	}{
		{"replace", []stateOp{{true, "a", 1}, {false, "a", nil}, {true, "a", 2}, {false, "a", nil}}},
		{"withdraw", []stateOp{{true, "a", 1}, {false, "a", nil}, {true, "a", nil}, {false, "a", nil}}},
		{"absent then published", []stateOp{{false, "a", nil}, {true, "a", 3}, {false, "a", nil}}},
		{"empty key", []stateOp{{false, "", nil}, {true, "", 4}, {false, "", nil}, {true, "", nil}, {false, "", nil}}},
		{"more keys than remembered", manyKeys(stateRecent + 4)},
		{"random", randomOps(3000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &State{values: map[string]any{}}
			want := map[string]any{}
			for i, op := range tt.ops {
				if op.set {
					s.set(op.key, op.v)
					want[op.key] = op.v
					if op.v == nil {
						delete(want, op.key)
					}
					continue
				}
				v, ok := s.Get(op.key)
				if wv, wok := want[op.key]; v != wv || ok != wok {
					t.Fatalf("op %d: Get(%q) = %v, %v; want %v, %v", i, op.key, v, ok, wv, wok)
				}
			}
		})
	}
}

// manyKeys publishes and reads n keys, then replaces and reads them all
// again.
func manyKeys(n int) []stateOp {
	var ops []stateOp
	for round := range 2 {
		for i := range n {
			k := fmt.Sprintf("k%d", i)
			ops = append(ops, stateOp{true, k, round*100 + i}, stateOp{false, k, nil})
		}
		for i := range n {
			ops = append(ops, stateOp{false, fmt.Sprintf("k%d", i), nil})
		}
	}
	return ops
}

// randomOps is n operations on 12 keys, a third of them publishes (one
// in four a withdrawal).
func randomOps(n int) []stateOp {
	r := rand.New(rand.NewPCG(1, 2))
	ops := make([]stateOp, n)
	for i := range ops {
		k := fmt.Sprintf("key/%d", r.IntN(12))
		switch {
		case r.IntN(3) > 0:
			ops[i] = stateOp{false, k, nil}
		case r.IntN(4) == 0:
			ops[i] = stateOp{true, k, nil}
		default:
			ops[i] = stateOp{true, k, i}
		}
	}
	return ops
}

// BenchmarkStateGet is an invariant's lookup of one key among a few
// published, as after every step of a seed.
func BenchmarkStateGet(b *testing.B) {
	s := &State{values: map[string]any{}}
	for i := range 4 {
		s.set(fmt.Sprintf("bank/replica%d", i), i)
	}
	s.set("bank/ledger", 1)
	for b.Loop() {
		if _, ok := s.Get("bank/ledger"); !ok {
			b.Fatal("bank/ledger is not published")
		}
	}
}
