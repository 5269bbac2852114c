package envhttp

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// bufferBeforeChunking is how much of a body is held before the header is
// sent: a handler that writes less and returns gets a Content-Length, one
// that writes more a chunked body, as with net/http.
const bufferBeforeChunking = 2048

// response is the portable server's http.ResponseWriter.
type response struct {
	sc           *serverConn
	req          *http.Request
	body         *requestBody
	handlerHdr   http.Header // what Header returns
	hdr          http.Header // the header as of WriteHeader
	status       int
	buf          []byte // body held before the header is sent
	length       int64  // the declared Content-Length, -1 if none
	written      int64
	wroteHeader  bool // the status is decided
	headerSent   bool // the header is on the wire (in the writer)
	continueSent bool
	chunked      bool
	closeAfter   bool
	err          error // a write failed: the connection is done
}

var (
	_ http.ResponseWriter = (*response)(nil)
	_ http.Flusher        = (*response)(nil)
)

func newResponse(sc *serverConn, req *http.Request) *response {
	return &response{sc: sc, req: req, handlerHdr: http.Header{}, length: -1}
}

// Header returns the header map the handler fills before WriteHeader.
func (w *response) Header() http.Header { return w.handlerHdr }

// WriteHeader fixes the status and the header. A 1xx status other than
// 101 is sent at once, as an informational response; a second call is
// ignored, as net/http does (with a log line there).
func (w *response) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader {
		return
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		w.writeInformational(code)
		return
	}
	w.wroteHeader, w.status = true, code
	w.hdr = w.handlerHdr.Clone()
	if cl := w.hdr.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.length = n
		} else {
			w.hdr.Del("Content-Length")
		}
	}
}

func (w *response) writeInformational(code int) {
	if code == http.StatusContinue {
		w.continueSent = true
	}
	fmt.Fprintf(w.sc.bw, "HTTP/1.1 %d %s\r\n", code, statusText(code))
	w.handlerHdr.Write(w.sc.bw)
	w.sc.bw.WriteString("\r\n")
	w.flushWire()
}

// Write writes body bytes: held until bufferBeforeChunking, then sent.
func (w *response) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case w.err != nil:
		return 0, w.err
	case len(p) == 0:
		return 0, nil
	case !bodyAllowed(w.status):
		return 0, http.ErrBodyNotAllowed
	case w.length >= 0 && w.written+int64(len(p)) > w.length:
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if !w.headerSent {
		w.buf = append(w.buf, p...)
		if len(w.buf) > bufferBeforeChunking {
			w.sendHeader(false)
		}
		return len(p), w.err
	}
	w.writeBody(p)
	return len(p), w.err
}

// WriteString is Write of a string.
func (w *response) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Flush sends the header and what was written so far to the client.
func (w *response) Flush() { w.FlushError() }

// FlushError is Flush that returns the error, for http.ResponseController.
func (w *response) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent {
		w.sendHeader(false)
	}
	w.flushWire()
	return w.err
}

// finish ends the response once the handler returned: the header if it
// was not sent (with the Content-Length of what was written), the last
// chunk, and a flush.
func (w *response) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.body.discard() {
		w.closeAfter = true
	}
	if !w.headerSent {
		w.sendHeader(true)
	}
	if w.chunked {
		w.sc.bw.WriteString("0\r\n\r\n")
	}
	if w.length >= 0 && w.written < w.length && w.req.Method != http.MethodHead && bodyAllowed(w.status) {
		w.closeAfter = true // the client waits for bytes that will not come
	}
	w.flushWire()
}

// sendHeader writes the status line and the header, choosing how the body
// is delimited, then the body held so far. The headers the server adds
// come after the handler's, in net/http's order.
func (w *response) sendHeader(final bool) {
	w.headerSent = true
	h := w.hdr
	var extra extraHeader
	w.frameBody(h, final, &extra)
	w.closeAfter = w.closeAfter || w.req.Close || hasToken(h.Get("Connection"), "close")
	if w.closeAfter && w.req.ProtoAtLeast(1, 1) && !hasToken(h.Get("Connection"), "close") {
		extra.connection = "close"
	} else if !w.closeAfter && !w.req.ProtoAtLeast(1, 1) {
		extra.connection = "keep-alive"
	}
	if _, ok := h["Date"]; !ok {
		extra.date = w.sc.e.Clock().Now().UTC().Format(http.TimeFormat)
	}
	proto := "HTTP/1.1"
	if !w.req.ProtoAtLeast(1, 1) {
		proto = "HTTP/1.0"
	}
	fmt.Fprintf(w.sc.bw, "%s %d %s\r\n", proto, w.status, statusText(w.status))
	h.Write(w.sc.bw)
	extra.write(w.sc.bw)
	w.sc.bw.WriteString("\r\n")
	if len(w.buf) > 0 {
		w.writeBody(w.buf)
		w.buf = nil
	}
}

// extraHeader is the headers the server adds to the handler's.
type extraHeader struct {
	date, contentLength, contentType, connection, transferEncoding string
}

func (x extraHeader) write(bw *bufio.Writer) {
	for _, kv := range [...][2]string{{"Date", x.date}, {"Content-Length", x.contentLength},
		{"Content-Type", x.contentType}, {"Connection", x.connection}, {"Transfer-Encoding", x.transferEncoding}} {
		if kv[1] != "" {
			bw.WriteString(kv[0] + ": " + kv[1] + "\r\n")
		}
	}
}

// frameBody sets the headers that delimit the body: Content-Length when
// known (or, at the end, the length of what was written), else chunked
// for HTTP/1.1 and the connection's close for HTTP/1.0.
func (w *response) frameBody(h http.Header, final bool, extra *extraHeader) {
	if !bodyAllowed(w.status) {
		h.Del("Transfer-Encoding")
		h.Del("Content-Length")
		if w.status == http.StatusNotModified {
			h.Del("Content-Type")
		}
		return
	}
	if _, ok := h["Content-Type"]; !ok && h.Get("Content-Encoding") == "" && len(w.buf) > 0 {
		extra.contentType = http.DetectContentType(w.buf)
	}
	head := w.req.Method == http.MethodHead
	switch {
	case w.length >= 0:
	case final && !(head && w.written == 0):
		w.length = w.written
		extra.contentLength = strconv.FormatInt(w.written, 10)
	case head:
	case w.req.ProtoAtLeast(1, 1):
		w.chunked = true
		h.Del("Content-Length")
		extra.transferEncoding = "chunked"
	default:
		w.closeAfter = true
	}
	if !w.req.ProtoAtLeast(1, 1) && !hasToken(w.req.Header.Get("Connection"), "keep-alive") {
		w.closeAfter = true
	}
}

func (w *response) writeBody(p []byte) {
	bw := w.sc.bw
	if w.req.Method == http.MethodHead {
		return
	}
	if w.chunked {
		fmt.Fprintf(bw, "%x\r\n", len(p))
		bw.Write(p)
		_, err := bw.WriteString("\r\n")
		w.fail(err)
		return
	}
	_, err := bw.Write(p)
	w.fail(err)
}

func (w *response) flushWire() { w.fail(w.sc.bw.Flush()) }

func (w *response) fail(err error) {
	if err != nil && w.err == nil {
		w.err = err
		w.closeAfter = true
	}
}

// bodyAllowed reports whether a response of this status may have a body.
func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199) && status != http.StatusNoContent && status != http.StatusNotModified
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "status code " + strconv.Itoa(code)
}

// hasToken reports whether a comma-separated header value holds token.
func hasToken(v, token string) bool {
	for f := range strings.SplitSeq(v, ",") {
		if strings.EqualFold(strings.TrimSpace(f), token) {
			return true
		}
	}
	return false
}
