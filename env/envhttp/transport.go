package envhttp

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/orrerysim/orrery/env"
)

// transport is the portable http.RoundTripper: it dials with e.Net(),
// writes requests with Request.Write, reads responses with
// http.ReadResponse and keeps idle connections per host.
type transport struct {
	e      env.Env
	o      ClientOptions
	client *http.Client // whose Timeout is refused

	mu   sync.Mutex // guards idle; never held across a wait
	idle map[string][]*persistConn
}

var _ http.RoundTripper = (*transport)(nil)

func newTransport(e env.Env, o ClientOptions, c *http.Client) *transport {
	return &transport{e: e, o: o, client: c, idle: map[string][]*persistConn{}}
}

// persistConn is a client connection, kept between requests.
type persistConn struct {
	key    string
	c      net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	idleAt time.Duration // monotonic reading when it became idle
	reused bool
	w      *watch // of the request under way
}

// RoundTrip sends req and returns the response, whose body releases the
// connection when read to the end or closed.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.check(req); err != nil {
		closeBody(req)
		return nil, err
	}
	ctx := req.Context()
	if ctx.Done() == nil {
		ctx = t.e.Context() // every wait of a simulation needs one of its contexts
	}
	key := hostPort(req)
	for {
		pc, err := t.getConn(ctx, key)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		resp, err := t.roundTrip(ctx, pc, req)
		if err == nil {
			return resp, nil
		}
		if !pc.reused || ctx.Err() != nil || !replayable(req) {
			return nil, err
		}
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// check refuses what the simulated client cannot do.
func (t *transport) check(req *http.Request) error {
	switch {
	case t.client != nil && t.client.Timeout != 0: //orrery:allow read to be refused
		return ErrClientTimeout
	case req.URL == nil:
		return errors.New("envhttp: nil Request.URL")
	case req.URL.Scheme != "http":
		return fmt.Errorf("envhttp: unsupported protocol scheme %q: a simulation speaks plain http", req.URL.Scheme)
	case req.URL.Host == "":
		return errors.New("envhttp: no Host in request URL")
	}
	return nil
}

func hostPort(req *http.Request) string {
	port := req.URL.Port()
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(req.URL.Hostname(), port)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// replayable reports whether req may be sent again after its connection
// failed: idempotent, with a body that can be had again.
func replayable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// rewind returns req with a fresh body, for a retry.
func rewind(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := *req
	r.Body = body
	return &r, nil
}

// getConn returns an idle connection to key, or dials one.
func (t *transport) getConn(ctx context.Context, key string) (*persistConn, error) {
	if pc := t.takeIdle(key); pc != nil {
		return pc, nil
	}
	c, err := t.e.Net().Dial(ctx, key)
	if err != nil {
		return nil, err
	}
	pc := &persistConn{key: key, c: c}
	pc.br, pc.bw = bufio.NewReaderSize(watchedConn{pc}, 4<<10), bufio.NewWriterSize(watchedConn{pc}, 4<<10)
	return pc, nil
}

// watchedConn is a client connection's I/O, which fails with the
// request's context's error once that context ended it: a deadline in
// the past stops a blocked Read, but a simulated connection still hands
// over bytes that already arrived, and would take a write with room.
type watchedConn struct{ pc *persistConn }

func (w watchedConn) Read(p []byte) (int, error) {
	if err := w.pc.ended(); err != nil {
		return 0, err
	}
	return w.pc.c.Read(p)
}

func (w watchedConn) Write(p []byte) (int, error) {
	if err := w.pc.ended(); err != nil {
		return 0, err
	}
	return w.pc.c.Write(p)
}

// ended returns the error of the request whose context ended, if so.
func (pc *persistConn) ended() error {
	if pc.w != nil && pc.w.fired.Load() {
		return pc.w.ctx.Err()
	}
	return nil
}

// takeIdle takes the most recently used idle connection to key, closing
// those idle for longer than IdleConnTimeout.
func (t *transport) takeIdle(key string) *persistConn {
	now := t.e.Clock().Monotonic()
	t.mu.Lock() //orrery:allow the critical section never blocks
	defer t.mu.Unlock()
	for conns := t.idle[key]; len(conns) > 0; conns = t.idle[key] {
		pc := conns[len(conns)-1]
		t.idle[key] = conns[:len(conns)-1]
		if now-pc.idleAt <= t.o.IdleConnTimeout {
			pc.reused = true
			return pc
		}
		pc.c.Close()
	}
	return nil
}

// putIdle keeps pc for the next request to its host, or closes it when
// MaxIdleConnsPerHost are already kept.
func (t *transport) putIdle(pc *persistConn) {
	t.mu.Lock() //orrery:allow the critical section never blocks
	defer t.mu.Unlock()
	if len(t.idle[pc.key]) >= t.o.MaxIdleConnsPerHost {
		pc.c.Close()
		return
	}
	pc.idleAt = t.e.Clock().Monotonic()
	t.idle[pc.key] = append(t.idle[pc.key], pc)
}

// CloseIdleConnections closes the connections kept idle, as
// http.Client.CloseIdleConnections asks.
func (t *transport) CloseIdleConnections() {
	t.mu.Lock() //orrery:allow the critical section never blocks
	idle := t.idle
	t.idle = map[string][]*persistConn{}
	t.mu.Unlock()
	for _, key := range sortedKeys(idle) {
		for _, pc := range idle[key] {
			pc.c.Close()
		}
	}
}

// roundTrip sends req on pc and reads the response's header; the body
// is read by the caller.
func (t *transport) roundTrip(ctx context.Context, pc *persistConn, req *http.Request) (*http.Response, error) {
	w := watchConn(t.e, ctx, pc.c)
	pc.w = w
	wire, gzipped := askGzip(req)
	var resp *http.Response
	var err error
	if expectsContinue(req) {
		resp, err = t.sendExpectingContinue(ctx, pc, wire, req)
	} else {
		resp, err = t.send(pc, wire, req)
	}
	if err != nil {
		w.stop()
		pc.c.Close()
		return nil, w.err(err)
	}
	b := &body{t: t, pc: pc, w: w, rc: resp.Body, reusable: !resp.Close && !req.Close}
	if resp.Body == http.NoBody {
		b.finish(true)
		return resp, nil
	}
	resp.Body = b
	if gzipped && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		resp.Body = &gzipBody{body: b}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	return resp, nil
}

// askGzip returns the request to write: req, or a copy asking for a gzip
// body when the caller asked for no encoding, as http.Transport does
// (which then decompresses what it asked for).
func askGzip(req *http.Request) (*http.Request, bool) {
	if req.Header.Get("Accept-Encoding") != "" || req.Header.Get("Range") != "" || req.Method == http.MethodHead {
		return req, false
	}
	r := *req
	r.Header = req.Header.Clone()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Accept-Encoding", "gzip")
	return &r, true
}

// gzipBody decompresses a response body that the transport asked for
// compressed; the reader is made at the first Read, as net/http does.
type gzipBody struct {
	body io.ReadCloser
	zr   *gzip.Reader
	err  error
}

func (g *gzipBody) Read(p []byte) (int, error) {
	if g.zr == nil && g.err == nil {
		g.zr, g.err = gzip.NewReader(g.body)
	}
	if g.err != nil {
		return 0, g.err
	}
	return g.zr.Read(p)
}

func (g *gzipBody) Close() error { return g.body.Close() }

// send writes wire (req, or its copy with more headers) and reads the
// response to req.
func (t *transport) send(pc *persistConn, wire, req *http.Request) (*http.Response, error) {
	if err := wire.Write(pc.bw); err != nil {
		return nil, err
	}
	if err := pc.bw.Flush(); err != nil {
		return nil, err
	}
	return readResponse(pc, req)
}

// readResponse reads the final response to req, skipping informational
// ones.
func readResponse(pc *persistConn, req *http.Request) (*http.Response, error) {
	for {
		resp, err := http.ReadResponse(pc.br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, nil
		}
	}
}

// body is a response's body: at its end the connection goes back to the
// idle pool; closed early, or failed, the connection is closed.
type body struct {
	t        *transport
	pc       *persistConn
	w        *watch
	rc       io.ReadCloser
	reusable bool
	done     bool
}

var errReadOnClosed = errors.New("http: read on closed response body")

func (b *body) Read(p []byte) (int, error) {
	if b.done {
		return 0, errReadOnClosed
	}
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		b.finish(true)
	case err != nil:
		err = b.w.err(err)
		b.finish(false)
	}
	return n, err
}

func (b *body) Close() error {
	if !b.done {
		b.finish(false)
	}
	return nil
}

func (b *body) finish(eof bool) {
	b.done = true
	b.w.stop()
	if eof && b.reusable && !b.w.fired.Load() {
		b.t.putIdle(b.pc)
		return
	}
	b.pc.c.Close()
}
