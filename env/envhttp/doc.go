// Package envhttp runs net/http handlers and clients on an env.Env: an
// unmodified http.Handler served, and an ordinary *http.Client sending,
// deterministically inside a simulation, with every network fault, and on
// the operating system in production, with the same code.
//
//	// In a process's Main:
//	l, err := e.Net().Listen(e.Context(), ":8080")
//	...
//	return envhttp.Serve(e, l, mux) // until the host shuts down
//
//	// In a workload, or in a service that calls another:
//	c := envhttp.Client(e)
//	ctx, cancel := e.Clock().WithTimeout(ctx, 2*time.Second)
//	defer cancel()
//	req, _ := http.NewRequestWithContext(ctx, "GET", "http://shortener:8080/x", nil)
//	resp, err := c.Do(req)
//
// # Simulation and production
//
// net/http's own Server and Transport start goroutines (one per
// connection, a reader per client connection) and use real timers, which
// a simulation cannot schedule; so envhttp has an implementation of its
// own, built on the Env alone: a task per connection (e.Go) that parses
// requests with http.ReadRequest and answers with its own ResponseWriter,
// and an http.RoundTripper that dials with e.Net(), writes with
// Request.Write, reads with http.ReadResponse and keeps idle connections
// per host. Every timeout counts on the host's clock (e.Clock()).
//
// Which one an Env gets is its own to say, by implementing Native: an Env
// whose Native method reports true (env/realenv's does) runs on the
// operating system, and gets http.Server.Serve and an http.Transport
// dialing with e.Net(). Any other Env (a simulation's host, a test
// double) gets envhttp's own implementation. envhttp imports no
// simulation package: production binaries carry no simulator for it, and
// the check is one interface assertion. Server.Portable and
// ClientOptions.Portable force envhttp's implementation on a native Env,
// which is how this package tests it against net/http's.
//
// # What the implementation does
//
// The server supports status codes and headers, Content-Length and
// chunked bodies (a body the handler writes at once gets a Content-Length,
// a longer or flushed one is chunked, as net/http does), Flush,
// Content-Type sniffing, HEAD, HTTP/1.1 keep-alive and pipelined requests
// (answered in order), Expect: 100-continue, http.MaxBytesReader, request
// contexts cancelled when the client goes away (a background read, as
// net/http's), and ReadHeaderTimeout, ReadTimeout, WriteTimeout and
// IdleTimeout. A panic in a handler is not recovered as http.Server does:
// in a simulation it fails the seed with its stack, which is what a test
// wants; http.ErrAbortHandler aborts the connection quietly.
//
// The client keeps up to MaxIdleConnsPerHost idle connections per host
// (2, as net/http's default), honours request contexts (a deadline made
// with e.Clock().WithTimeout counts on the host's clock), retries an
// idempotent request (GET, HEAD, OPTIONS, TRACE, or one with an
// Idempotency-Key header, whose body can be replayed) once on a fresh
// connection when a reused one turns out to be closed, and supports
// Expect: 100-continue (waiting ExpectContinueTimeout, 1 s, on the host's
// clock). Like http.Transport, it asks for a gzip body when the request
// names no Accept-Encoding, and decompresses it. Errors come back as
// net/http's do: the *url.Error of
// http.Client wrapping the network error, or the context's error when the
// request's context ended it. Plain http only: TLS and HTTP/2 are for
// production. A nonzero http.Client.Timeout is a real-time timer that a
// simulation cannot see: the simulated client refuses it (ErrClientTimeout)
// and asks for a context deadline instead.
//
// A request whose context can never be cancelled (context.Background, as
// http.Get and http.NewRequest give) waits on the host's context instead:
// in a simulation every blocking wait needs a context of the simulation.
// Close every response body: until it is read to the end or closed, its
// connection is neither reused nor released.
package envhttp
