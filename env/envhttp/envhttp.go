package envhttp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/orrerysim/orrery/env"
)

// Native is implemented by an Env that runs on the operating system: its
// tasks are goroutines, its clock is package time's and its network
// package net's. For an Env whose Native reports true, Serve is
// http.Server.Serve and Client's transport an http.Transport; any other
// Env gets envhttp's own implementation on the Env's tasks, clock and
// network (see the package documentation).
type Native interface {
	Native() bool
}

// isNative reports whether e says it runs on the operating system.
func isNative(e env.Env) bool {
	n, ok := e.(Native)
	return ok && n.Native()
}

// aLongTimeAgo is a deadline in the past: setting it ends a blocked Read
// or Write at once, on a simulated connection as on a real one.
var aLongTimeAgo = time.Unix(1, 0)

// Server serves HTTP/1.1 on an Env, with net/http's timeouts; the zero
// value (with a Handler) has none, as http.Server.
type Server struct {
	// Handler answers the requests (http.DefaultServeMux if nil).
	Handler http.Handler
	// ReadHeaderTimeout bounds reading a request's header (ReadTimeout if
	// zero); ReadTimeout the whole request, body included; WriteTimeout
	// the response, from the end of the request's header; IdleTimeout the
	// wait for the next request on a kept-alive connection (ReadTimeout
	// if zero). All count on the host's clock; zero means none.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's header (default
	// http.DefaultMaxHeaderBytes, 1 MiB); a larger one is answered 431.
	MaxHeaderBytes int
	// Portable uses envhttp's implementation even on a native Env.
	Portable bool
}

// Serve serves h on l until the host shuts down, with a Server of no
// timeouts: it is (&Server{Handler: h}).Serve(e, l), as http.Serve is
// to http.Server. It returns http.ErrServerClosed when e.Context() is done,
// which a process's Main may return as it is (a process being shut down
// logs no error). A service that must bound slow or stalled clients wants
// a Server with ReadHeaderTimeout and the other timeouts instead.
func Serve(e env.Env, l net.Listener, h http.Handler) error {
	s := &Server{Handler: h}
	return s.Serve(e, l)
}

// Serve accepts connections on l and serves each with s.Handler until the
// host's context (e.Context()) is done, when it closes l and returns
// http.ErrServerClosed, or until Accept fails, when it returns that
// error.
func (s *Server) Serve(e env.Env, l net.Listener) error {
	if isNative(e) && !s.Portable {
		return s.serveNative(e, l)
	}
	e.Go("envhttp/closer", func(ctx context.Context) {
		env.WaitDone(e.Context(), e)
		l.Close()
	})
	for {
		c, err := l.Accept()
		if err != nil {
			if e.Context().Err() != nil {
				return http.ErrServerClosed
			}
			return err
		}
		e.Go("envhttp/conn", func(ctx context.Context) { newServerConn(ctx, s, e, c).serve() })
	}
}

func (s *Server) handler() http.Handler {
	if s.Handler == nil {
		return http.DefaultServeMux
	}
	return s.Handler
}

// serveNative is http.Server.Serve, closed when the host shuts down.
func (s *Server) serveNative(e env.Env, l net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: s.ReadHeaderTimeout, ReadTimeout: s.ReadTimeout,
		WriteTimeout: s.WriteTimeout, IdleTimeout: s.IdleTimeout,
		MaxHeaderBytes: s.MaxHeaderBytes,
		BaseContext:    func(net.Listener) context.Context { return e.Context() },
		ErrorLog:       slog.NewLogLogger(e.Log().Handler(), slog.LevelError),
	}
	stop := context.AfterFunc(e.Context(), func() { hs.Close() })
	defer stop()
	return hs.Serve(l) //orrery:allow a Native Env runs on the operating system, where http.Server belongs
}

// ErrClientTimeout is returned by the simulated client for a request sent
// by an http.Client whose Timeout is not zero.
var ErrClientTimeout = errors.New("envhttp: http.Client.Timeout is a real-time timer that a simulation cannot see: " +
	"leave it zero and give each request a context with a deadline on the host's clock (e.Clock().WithTimeout)")

// ClientOptions shape Client's transport; the zero value is net/http's
// defaults.
type ClientOptions struct {
	// MaxIdleConnsPerHost is how many idle connections are kept per host
	// (default 2, http.DefaultMaxIdleConnsPerHost).
	MaxIdleConnsPerHost int
	// IdleConnTimeout is how long an idle connection is kept (default 90 s).
	IdleConnTimeout time.Duration
	// ExpectContinueTimeout is how long a request with "Expect:
	// 100-continue" waits for the server's 100 before sending its body
	// anyway (default 1 s).
	ExpectContinueTimeout time.Duration
	// Portable uses envhttp's implementation even on a native Env.
	Portable bool
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = http.DefaultMaxIdleConnsPerHost
	}
	if o.IdleConnTimeout <= 0 {
		o.IdleConnTimeout = 90 * time.Second
	}
	if o.ExpectContinueTimeout <= 0 {
		o.ExpectContinueTimeout = time.Second
	}
	return o
}

// Client returns an *http.Client whose transport dials through e.Net():
// NewClient with the default options.
func Client(e env.Env) *http.Client { return NewClient(e, ClientOptions{}) }

// NewClient returns an *http.Client whose transport dials through e.Net()
// with options o: on a native Env an http.Transport, elsewhere envhttp's
// own (see the package documentation).
func NewClient(e env.Env, o ClientOptions) *http.Client {
	o = o.withDefaults()
	c := &http.Client{}
	if isNative(e) && !o.Portable {
		c.Transport = nativeTransport(e, o)
		return c
	}
	c.Transport = newTransport(e, o, c)
	return c
}

// nativeTransport is net/http's default transport dialing with e.Net().
func nativeTransport(e env.Env, o ClientOptions) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) { return e.Net().Dial(ctx, addr) }
	t.MaxIdleConnsPerHost = o.MaxIdleConnsPerHost
	t.IdleConnTimeout = o.IdleConnTimeout
	t.ExpectContinueTimeout = o.ExpectContinueTimeout
	return t
}
