package orrery_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// nonces is a simulation whose code draws from crypto/rand as a library
// would: the server a session key with crypto/rand.Read, the clients their
// waits with crypto/rand.Int, which reads the io.Reader it is given. Every
// draw shapes the run: the key is logged, the waits order the requests.
func nonces() orrery.Simulation {
	return orrery.Simulation{
		Name: "nonces",
		Processes: []orrery.Process{{Name: "server", Main: func(e env.Env) error {
			key := make([]byte, 16)
			rand.Read(key)
			e.Log().Info("session key", "key", hex.EncodeToString(key))
			in := env.NewChan[int64](e, 0)
			orrery.Publish(e.Context(), "inbox", in)
			for {
				v, _, err := in.Recv(e.Context())
				if err != nil {
					return err
				}
				e.Log().Info("request", "wait", v)
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", Count: 2, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: nonceClient}
		}}},
	}
}

func nonceClient(e env.Env) error {
	v, _ := orrery.Published(e.Context(), "inbox")
	for range 3 {
		n, err := rand.Int(rand.Reader, big.NewInt(1000))
		if err != nil {
			return err
		}
		if err := e.Clock().Sleep(e.Context(), time.Duration(n.Int64())*time.Millisecond); err != nil {
			return err
		}
		if err := v.(*env.Chan[int64]).Send(e.Context(), n.Int64()); err != nil {
			return err
		}
	}
	return nil
}

// TestCryptoRandDeterministic: a simulation that draws from crypto/rand,
// directly and through crypto/rand.Int, passes 1,000 seeds with the
// determinism check (each seed run twice, trace hashes compared).
func TestCryptoRandDeterministic(t *testing.T) {
	seeds := 1000
	if testing.Short() {
		seeds = 100
	}
	rep, err := orrery.Run(nonces(), orrery.Options{Seeds: seeds, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Seeds != seeds {
		t.Fatalf("%d seeds, %d failures; first: %+v", rep.Seeds, len(rep.Failures), rep.Failures)
	}
}

// TestCryptoRandReplays: a seed's JSON trace is the same, byte for byte,
// every time, its crypto/rand reads (served from the seed) included.
func TestCryptoRandReplays(t *testing.T) {
	var traces [2]bytes.Buffer
	for i := range traces {
		if _, err := orrery.Run(nonces(), orrery.Options{Replay: []uint64{42}, Trace: &traces[i]}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(traces[0].Bytes(), traces[1].Bytes()) {
		t.Fatal("two replays of seed 42 wrote different traces")
	}
	for _, want := range []string{`"msg":"crypto/rand read"`, `"from":"seed"`, `"task_name":"server/main"`, `"task_name":"client-1/run"`} {
		if !strings.Contains(traces[0].String(), want) {
			t.Errorf("the trace lacks %s", want)
		}
	}
}

// TestCryptoRandFromOS: with the capture off, the same simulation fails
// the determinism check, and the finding names the task that read.
func TestCryptoRandFromOS(t *testing.T) {
	rep, err := orrery.Run(nonces(), orrery.Options{Seeds: 3, CheckDeterminism: true, CryptoRandFromOS: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 3 {
		t.Fatalf("%d of 3 seeds failed, want all", len(rep.Failures))
	}
	for _, f := range rep.Failures {
		want := `likely culprit: task "server/main" on host server read crypto/rand`
		if f.Kind != "nondeterminism" || !strings.Contains(f.Message, want) {
			t.Errorf("seed %#x: the finding does not say %q:\n%s", f.Seed, want, f.Message)
		}
	}
}

// TestCryptoRandCounted: the report counts the seeds' reads of crypto/rand
// and says where they came from; shards merged count as the whole run.
func TestCryptoRandCounted(t *testing.T) {
	whole, err := orrery.Run(nonces(), orrery.Options{Seeds: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Per seed, the server's key is one read of 16 bytes, and each of the
	// clients' six rand.Int calls one read or more.
	if c := whole.CryptoRand; c.Reads < 4*7 || c.Bytes < 4*(16+6) || c.FromOS {
		t.Fatalf("counted %+v, want at least 28 reads and 88 bytes, from the seed", c)
	}
	var shards []*orrery.Report
	for i := range 2 {
		rep, err := orrery.Run(nonces(), orrery.Options{Seeds: 4, Shard: orrery.Shard{Index: i, Count: 2}})
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, rep)
	}
	merged, err := orrery.MergeReports(shards...)
	if err != nil || merged.CryptoRand != whole.CryptoRand {
		t.Errorf("merged shards counted %+v (%v), the whole run %+v", merged.CryptoRand, err, whole.CryptoRand)
	}
	for _, tc := range []struct {
		fromOS bool
		want   string
	}{
		{false, "from the seed\n"},
		{true, "from the operating system: these seeds do not replay\n"},
	} {
		rep, err := orrery.Run(nonces(), orrery.Options{Seeds: 2, CryptoRandFromOS: tc.fromOS})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		rep.WriteTable(&b)
		want := fmt.Sprintf("randomness  %d crypto/rand reads, %d bytes, %s", rep.CryptoRand.Reads, rep.CryptoRand.Bytes, tc.want)
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table does not say %q:\n%s", want, b.String())
		}
	}
}
