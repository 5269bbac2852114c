package counter

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
	"github.com/orrerysim/orrery/netsim"
)

// BugOptimisticWrite is the planted bug: the cache takes a write to the
// store that failed on the network for one that went through.
const BugOptimisticWrite = "optimistic-write"

// Model is the fault families the service claims to survive, which
// --swarm draws from: every stream family of the network, and reboots.
// Bit flips are left out: HTTP/1.1 has no checksum of its own (TCP's
// catches what a real network flips, and netsim's flips model what it
// misses), so a flipped digit in a body is a different count; a protocol
// that needs that safety frames its messages (env/frame). Datagrams and
// disk faults are not in the model either: the service uses no datagram,
// and its log is checked by frame but kept on one disk.
var Model = []string{"latency", "pair-latency", "clog", "partition", "host-partition", "cut",
	"random-close", "partial", "connect-fail"}

// The ports of the two services.
const (
	storePort = "8000"
	cachePort = "8080"
)

// The keys the clients count.
var keys = []string{"apples", "pears", "plums"}

// Simulation returns the counter service: a store and a cache process,
// three client workloads sending 60 increments and reads each, and the
// network's standard faults (no bit flips) with reboots of either process
// every 2 to 8 s.
func Simulation() orrery.Simulation {
	net := netsim.StandardFaults()
	net.BitFlipP = 0
	return orrery.Simulation{
		Name: "counter",
		Processes: []orrery.Process{
			{Name: "store", Main: store},
			{Name: "cache", Main: cache},
		},
		Workloads: []orrery.Workload{{Name: "client", Count: 3, New: func() orrery.Driver { return &client{} }}},
		Chaos: chaos.Config{
			Duration:  20 * time.Second,
			Attrition: chaos.Attrition{MaxDead: 1, Crash: 2, Graceful: 1, MinInterval: 2 * time.Second, MaxInterval: 8 * time.Second},
			Net:       net,
			Model:     Model,
		},
		Bugs: []string{BugOptimisticWrite},
	}
}

// entry is a counter and its version, which every write increments.
type entry struct {
	Value   int64 `json:"value"`
	Version int64 `json:"version"`
}

// serveListener serves h on l until the host shuts down (nil) or l
// fails (its error).
func serveListener(e env.Env, l net.Listener, h http.Handler) error {
	srv := envhttp.Server{Handler: h, ReadHeaderTimeout: time.Second, IdleTimeout: 30 * time.Second}
	if err := srv.Serve(e, l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
