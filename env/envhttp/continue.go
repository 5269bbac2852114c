package envhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/orrerysim/orrery/env"
)

func expectsContinue(req *http.Request) bool {
	return req.Body != nil && req.Body != http.NoBody && strings.EqualFold(req.Header.Get("Expect"), "100-continue")
}

// errBodyNotSent ends the writing of a body that the server refused
// before it was sent.
var errBodyNotSent = errors.New("envhttp: request body not sent: the server answered first")

// sendExpectingContinue writes req's header, and its body once the server
// answered 100 Continue or ExpectContinueTimeout passed, in a task of its
// own while this one reads the response. A final response that comes
// first means the body is not sent, and the connection is not reused.
func (t *transport) sendExpectingContinue(ctx context.Context, pc *persistConn, wire, req *http.Request) (*http.Response, error) {
	gate := env.NewChan[bool](t.e, 1)
	wrote := env.NewChan[error](t.e, 1)
	r := *wire
	r.Body = &gatedBody{rc: req.Body, flush: pc.bw.Flush, wait: func() bool { return t.waitContinue(ctx, gate) }}
	t.e.Go("envhttp/write", func(context.Context) {
		err := r.Write(pc.bw)
		if err == nil {
			err = pc.bw.Flush()
		}
		wrote.TrySend(err)
	})
	for {
		resp, err := http.ReadResponse(pc.br, req)
		if err != nil {
			gate.TrySend(false)
			return nil, err
		}
		if resp.StatusCode == http.StatusContinue {
			gate.TrySend(true)
			continue
		}
		if resp.StatusCode > 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		gate.TrySend(false)
		if werr, _, _ := wrote.Recv(ctx); werr != nil {
			resp.Close = true // the request was cut short: the connection's framing is lost
		}
		return resp, nil
	}
}

// waitContinue waits for the server's verdict on the body, or the
// timeout, after which the body is sent anyway.
func (t *transport) waitContinue(ctx context.Context, gate *env.Chan[bool]) bool {
	tm := t.e.Clock().NewTimer(t.o.ExpectContinueTimeout)
	defer tm.Stop()
	var send bool
	i, err := env.Select(ctx, gate.RecvCase(&send), tm.C().RecvCase(nil))
	return err == nil && (i == 1 || send)
}

// gatedBody flushes the request's header at its first read, then waits
// for the go-ahead.
type gatedBody struct {
	rc     io.ReadCloser
	flush  func() error
	wait   func() bool
	opened bool
	refuse bool
}

func (b *gatedBody) Read(p []byte) (int, error) {
	if !b.opened {
		b.opened = true
		if err := b.flush(); err != nil {
			return 0, err
		}
		b.refuse = !b.wait()
	}
	if b.refuse {
		return 0, errBodyNotSent
	}
	return b.rc.Read(p)
}

func (b *gatedBody) Close() error { return b.rc.Close() }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
