package envhttp_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// TestTimeoutsCountOnTheHostsClock: a server's ReadHeaderTimeout of 1 s
// lasts 1 s of the server's own clock. On a clock running 50 % fast it
// ends after 2/3 s of true time, on one running 50 % slow after 2 s, as
// the client (on true time) measures.
func TestTimeoutsCountOnTheHostsClock(t *testing.T) {
	tests := []struct {
		ppm  int64
		want time.Duration
	}{{0, time.Second}, {500_000, 666_666_667}, {-500_000, 2 * time.Second}}
	for _, tc := range tests {
		var took time.Duration
		s := pair(envhttp.Server{ReadHeaderTimeout: time.Second}, handle(func(http.ResponseWriter, *http.Request) {}), func(e env.Env) error {
			ctx := e.Context()
			if err := orrery.SetClockDrift(ctx, "server", tc.ppm); err != nil {
				return err
			}
			c, err := e.Net().Dial(ctx, "server:8080")
			if err != nil {
				return err
			}
			defer c.Close()
			start := e.Clock().Monotonic()
			io.WriteString(c, "GET / HTTP/1.1\r\n")
			io.ReadAll(c)
			took = e.Clock().Monotonic() - start
			return nil
		})
		if rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}}); err != nil || !rep.OK() {
			t.Fatalf("run: %v %+v", err, rep)
		}
		t.Logf("drift %d ppm: closed after %v", tc.ppm, took)
		if d := took - tc.want; d < 0 || d > 10*time.Millisecond {
			t.Errorf("drift %d ppm: the connection closed after %v, want %v (plus the network's latency)", tc.ppm, took, tc.want)
		}
	}
}
