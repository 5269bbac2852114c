package envhttp_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// A server process serves an ordinary http.Handler and a workload calls
// it with an ordinary *http.Client, in a simulation; in production the
// same Main and the same client code run on env/realenv.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.PathValue("name"))
	})
	s := orrery.Simulation{
		Name: "hello",
		Processes: []orrery.Process{{Name: "greeter", Main: func(e env.Env) error {
			l, err := e.Net().Listen(e.Context(), ":8080")
			if err != nil {
				return err
			}
			if err := envhttp.Serve(e, l, mux); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx, cancel := e.Clock().WithTimeout(e.Context(), time.Second)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, "GET", "http://greeter:8080/hello/orrery", nil)
				resp, err := envhttp.Client(e).Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				fmt.Println(resp.Status, string(body))
				return err
			}}
		}}},
	}
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
	fmt.Println(rep.OK(), err)
	// Output:
	// 200 OK hello, orrery
	// true <nil>
}
