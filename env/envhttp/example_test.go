package envhttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
	"github.com/orrerysim/orrery/env/realenv"
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

// In production the same code runs on env/realenv: Serve is then
// http.Server.Serve, and the client an http.Transport dialing e.Net().
func ExampleServer_Serve() {
	ctx, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	e, _ := realenv.New(realenv.Options{Name: "greeter", Context: ctx})
	l, err := e.Net().Listen(ctx, "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := envhttp.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }),
		ReadHeaderTimeout: time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(e, l) }()

	resp, err := envhttp.Client(e).Get("http://" + l.Addr().String() + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, string(body))

	shutdown() // the host's context ends: Serve returns
	fmt.Println(<-served)
	// Output:
	// 200 OK hello
	// http: Server closed
}
