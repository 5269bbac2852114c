package envhttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/orrerysim/orrery/env"
)

// maxPostHandlerReadBytes is how much of a request body the handler left
// unread is read and discarded to keep the connection, as net/http does.
const maxPostHandlerReadBytes = 256 << 10

// serverConn is one connection of the portable server, served by one task.
type serverConn struct {
	s   *Server
	e   env.Env
	ctx context.Context // the task's
	c   net.Conn
	r   *connReader
	br  *bufio.Reader
	bw  *bufio.Writer
	tm  *timeouts // nil without timeouts
	bg  *backgroundRead
}

func newServerConn(ctx context.Context, s *Server, e env.Env, c net.Conn) *serverConn {
	sc := &serverConn{s: s, e: e, ctx: ctx, c: c}
	if s.ReadHeaderTimeout > 0 || s.ReadTimeout > 0 || s.WriteTimeout > 0 || s.IdleTimeout > 0 {
		sc.tm = newTimeouts(e, c)
	}
	sc.r = &connReader{c: c, tm: sc.tm, limit: -1}
	sc.br = bufio.NewReader(sc.r)
	sc.bw = bufio.NewWriterSize(connWriter{c, sc.tm}, 4<<10)
	return sc
}

// serve answers requests until the connection ends or is not kept alive.
func (sc *serverConn) serve() {
	defer sc.c.Close()
	defer sc.tm.stop()
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			panic(v)
		}
	}()
	for n := 0; ; n++ {
		req, err := sc.readRequest(n)
		if err != nil {
			sc.refuse(err)
			return
		}
		if !sc.serveRequest(req) {
			return
		}
	}
}

// httpError is a request that is answered with an error status and the
// connection closed; detail, if any, is said in the status line too, as
// net/http does.
type httpError struct {
	status int
	detail string
}

func (e *httpError) Error() string { return http.StatusText(e.status) + ": " + e.detail }

// readRequest reads the next request: after the idle wait for its first
// byte (n > 0), under the header timeout, then under the read timeout for
// its body, and arms the write timeout.
func (sc *serverConn) readRequest(n int) (*http.Request, error) {
	s := sc.s
	if n > 0 && sc.br.Buffered() == 0 {
		sc.tm.armRead(cmpOr(s.IdleTimeout, s.ReadTimeout))
		if _, err := sc.br.Peek(1); err != nil {
			return nil, err
		}
	}
	start := sc.e.Clock().Monotonic()
	sc.tm.armRead(cmpOr(s.ReadHeaderTimeout, s.ReadTimeout))
	sc.r.limit = int64(cmpOr(s.MaxHeaderBytes, http.DefaultMaxHeaderBytes)) + 4096
	req, err := http.ReadRequest(sc.br)
	hitLimit := sc.r.limit == 0
	sc.r.limit = -1
	if err != nil {
		return nil, sc.readError(err, hitLimit)
	}
	sc.tm.armRead(0)
	if s.ReadTimeout > 0 {
		sc.tm.armRead(max(s.ReadTimeout-(sc.e.Clock().Monotonic()-start), 1))
	}
	sc.tm.armWrite(s.WriteTimeout)
	return sc.checkRequest(req)
}

// readError says how to answer a request that could not be read: not at
// all when the client went away or a timeout passed, 431 for a header
// too large, 400 for a malformed one.
func (sc *serverConn) readError(err error, hitLimit bool) error {
	var ne net.Error
	var oe *net.OpError
	switch {
	case hitLimit:
		return &httpError{status: http.StatusRequestHeaderFieldsTooLarge}
	case err == io.EOF, errors.As(err, &ne) && ne.Timeout(), errors.As(err, &oe) && oe.Op == "read", sc.tm.readTimedOut():
		return err
	}
	return &httpError{status: http.StatusBadRequest}
}

// checkRequest applies net/http's checks to a request read: HTTP/1.1
// needs a Host header (http.ReadRequest moved it to req.Host), and an Expect other than 100-continue is refused.
func (sc *serverConn) checkRequest(req *http.Request) (*http.Request, error) {
	if req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != "CONNECT" {
		return nil, &httpError{http.StatusBadRequest, "missing required Host header"}
	}
	if ex := req.Header.Get("Expect"); ex != "" && !(strings.EqualFold(ex, "100-continue") && req.ProtoAtLeast(1, 1)) {
		return nil, &httpError{status: http.StatusExpectationFailed}
	}
	req.RemoteAddr = sc.c.RemoteAddr().String()
	return req, nil
}

// refuse answers a request that could not be read, if it deserves an
// answer, in net/http's words.
func (sc *serverConn) refuse(err error) {
	var he *httpError
	if !errors.As(err, &he) {
		return
	}
	const headers = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	status := fmt.Sprintf("%d %s", he.status, http.StatusText(he.status))
	switch {
	case he.status == http.StatusExpectationFailed:
		fmt.Fprintf(sc.bw, "HTTP/1.1 %s\r\nConnection: close\r\nDate: %s\r\nContent-Length: 0\r\n\r\n",
			status, sc.e.Clock().Now().UTC().Format(http.TimeFormat))
	case he.detail != "":
		status += ": " + he.detail
		fallthrough
	default:
		fmt.Fprintf(sc.bw, "HTTP/1.1 %s%s%s", status, headers, status)
	}
	sc.bw.Flush()
	if he.status == http.StatusRequestHeaderFieldsTooLarge {
		sc.closeWriteAndWait()
	}
}

// rstAvoidanceDelay is how long a connection is kept after its answer
// when the client may still be sending, so that closing it with unread
// data does not reset it before the client read the answer (net/http's
// delay).
const rstAvoidanceDelay = 500 * time.Millisecond

func (sc *serverConn) closeWriteAndWait() {
	if cw, ok := sc.c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	sc.e.Clock().Sleep(sc.ctx, rstAvoidanceDelay)
}

// serveRequest runs the handler on req and finishes its response; it
// reports whether the connection stays open for another request.
func (sc *serverConn) serveRequest(req *http.Request) bool {
	ctx, cancel := context.WithCancel(sc.ctx)
	defer cancel()
	req = req.WithContext(ctx)
	w := newResponse(sc, req)
	body := &requestBody{rc: req.Body, w: w, onEOF: func() { sc.startBackgroundRead(cancel) }}
	body.expect = strings.EqualFold(req.Header.Get("Expect"), "100-continue")
	if req.Body == http.NoBody {
		body.eof = true
		sc.startBackgroundRead(cancel)
	} else {
		req.Body = body
	}
	w.body = body
	sc.s.handler().ServeHTTP(w, req)
	alive := sc.stopBackgroundRead()
	w.finish()
	return alive && !w.closeAfter && w.err == nil
}

// cmpOr returns a if it is not zero, else b.
func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// connReader reads the connection for the bufio.Reader, with a byte that
// a background read took, and a limit while a header is read.
type connReader struct {
	c       net.Conn
	tm      *timeouts
	b       byte
	hasByte bool
	limit   int64 // bytes left before the header is too large; -1 none
}

func (r *connReader) Read(p []byte) (int, error) {
	if r.limit == 0 {
		return 0, io.EOF
	}
	if r.limit > 0 && int64(len(p)) > r.limit {
		p = p[:r.limit]
	}
	if r.tm.readTimedOut() {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: r.c.LocalAddr(), Addr: r.c.RemoteAddr(), Err: os.ErrDeadlineExceeded}
	}
	if r.hasByte && len(p) > 0 {
		p[0], r.hasByte = r.b, false
		r.limit -= min(r.limit, 1)
		return 1, nil
	}
	n, err := r.c.Read(p)
	if r.limit > 0 {
		r.limit -= int64(n)
	}
	return n, err
}

// connWriter writes to the connection, failing once the write timeout
// expired, as a write past its deadline fails on the operating system
// (even one that would fit in the socket's buffer).
type connWriter struct {
	c  net.Conn
	tm *timeouts
}

func (w connWriter) Write(p []byte) (int, error) {
	if w.tm.writeTimedOut() {
		return 0, &net.OpError{Op: "write", Net: "tcp", Source: w.c.LocalAddr(), Addr: w.c.RemoteAddr(), Err: os.ErrDeadlineExceeded}
	}
	return w.c.Write(p)
}

// backgroundRead reads a byte of a connection while its handler runs with
// the request's body consumed: an error means the client went away, and
// cancels the request's context, as net/http does.
type backgroundRead struct {
	done    *env.Chan[struct{}]
	aborted atomic.Bool
	gone    atomic.Bool
}

func (sc *serverConn) startBackgroundRead(cancel context.CancelFunc) {
	if sc.bg != nil || sc.br.Buffered() > 0 || sc.r.hasByte {
		return // a pipelined request is already here: the client is alive
	}
	bg := &backgroundRead{done: env.NewChan[struct{}](sc.e, 1)}
	sc.bg = bg
	sc.e.Go("envhttp/background-read", func(context.Context) {
		var b [1]byte
		n, err := sc.c.Read(b[:])
		if n == 1 {
			sc.r.b, sc.r.hasByte = b[0], true
		} else if err != nil && !bg.aborted.Load() {
			bg.gone.Store(true)
			cancel()
		}
		bg.done.TrySend(struct{}{})
	})
}

// stopBackgroundRead ends the background read, if any, and reports
// whether the client is still there.
func (sc *serverConn) stopBackgroundRead() bool {
	bg := sc.bg
	if bg == nil {
		return true
	}
	sc.bg = nil
	bg.aborted.Store(true)
	sc.c.SetReadDeadline(aLongTimeAgo)
	bg.done.Recv(sc.ctx)
	if !sc.tm.readTimedOut() {
		sc.c.SetReadDeadline(time.Time{})
	}
	return !bg.gone.Load()
}

// requestBody is a request's body as the handler reads it: it sends "100
// Continue" on the first read when the client expects it, and starts the
// background read at the end of the body.
type requestBody struct {
	rc     io.ReadCloser
	w      *response
	expect bool
	eof    bool
	onEOF  func()
}

func (b *requestBody) Read(p []byte) (int, error) {
	if b.eof {
		return 0, io.EOF
	}
	if b.expect && !b.w.headerSent && !b.w.continueSent {
		b.w.continueSent = true
		b.w.sc.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
		b.w.sc.bw.Flush()
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
		b.onEOF()
	}
	return n, err
}

// Close is a no-op: the server reads what the handler left of the body.
func (b *requestBody) Close() error { return nil }

// discard reads and drops the rest of the body, up to a bound, and
// reports whether it reached the end.
func (b *requestBody) discard() bool {
	if b.eof {
		return true
	}
	if b.expect && !b.w.continueSent {
		return false // the client has not sent it: the framing is unknown
	}
	_, err := io.CopyN(io.Discard, b.rc, maxPostHandlerReadBytes)
	return err == io.EOF
}
