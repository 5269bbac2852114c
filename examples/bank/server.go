package bank

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/frame"
)

// ledger is the server's accounts.
type ledger struct {
	balances   []int64
	busy       []int // transfers in progress per account
	lostUpdate bool  // BugLostUpdate is planted in this run
}

func (l *ledger) total() int64 {
	var t int64
	for _, b := range l.balances {
		t += b
	}
	return t
}

// serve runs the bank server: it listens on :7000 and serves each
// connection in a task of its own, one request at a time.
func serve(e env.Env, o Options) error {
	ctx := e.Context()
	l := &ledger{balances: slices.Repeat([]int64{o.Balance}, o.Accounts), busy: make([]int, o.Accounts),
		lostUpdate: orrery.Planted(ctx, BugLostUpdate)}
	orrery.Publish(ctx, ledgerKey, l)
	ln, err := e.Net().Listen(ctx, ":"+port)
	if err != nil {
		return err
	}
	e.Go("closer", func(ctx context.Context) {
		env.WaitDone(ctx, e)
		ln.Close()
	})
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		e.Go("conn", func(ctx context.Context) { serveConn(ctx, e, l, c) })
	}
}

// serveConn answers the requests of one connection until it ends. A
// corrupt frame ends it: the client reconnects.
func serveConn(ctx context.Context, e env.Env, l *ledger, c net.Conn) {
	defer c.Close()
	in, out := frame.NewReader(c, maxFrame), frame.NewWriter(c, maxFrame)
	var msg []byte // the response being sent, reused
	for {
		body, err := in.Read()
		if errors.Is(err, frame.ErrCorrupt) {
			assert.Reachable(ctx, "the server refuses a corrupted frame")
			return
		}
		if err != nil {
			return
		}
		req, err := decodeRequest(body)
		if err != nil {
			return
		}
		msg = handle(ctx, e, l, req).encode(msg[:0])
		if err := out.Write(msg); err != nil {
			return
		}
	}
}

func handle(ctx context.Context, e env.Env, l *ledger, req request) response {
	if req.op == opTotal {
		return response{total: l.total()}
	}
	n := len(l.balances)
	if req.op != opTransfer || req.from >= n || req.to >= n || req.from == req.to || req.amount <= 0 {
		return response{status: statusBad}
	}
	contended := l.busy[req.from] > 0 || l.busy[req.to] > 0
	assert.Sometimes(ctx, contended, "transfers contend for an account")
	l.busy[req.from]++
	l.busy[req.to]++
	defer func() { l.busy[req.from]--; l.busy[req.to]-- }()
	// Checking the request takes a while, during which other transfers of
	// the same accounts arrive.
	if err := e.Clock().Sleep(ctx, validation(e)); err != nil {
		return response{status: statusBad}
	}
	from, to := l.balances[req.from], l.balances[req.to]
	// A Debug line that no trace shows costs the Enabled call alone; one
	// that a trace shows is built from typed attributes, boxing no value.
	if log := e.Log(); log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "transfer read", slog.Int("from", req.from), slog.Int("to", req.to),
			slog.Int64("amount", req.amount), slog.Int64("from_balance", from), slog.Int64("to_balance", to))
	}
	if from < req.amount {
		assert.Reachable(ctx, "a transfer is refused for insufficient funds")
		return response{status: statusInsufficient}
	}
	if l.lostUpdate {
		// The bug: the balances were read before this wait and are
		// written back after it, over any transfer that ran meanwhile.
		if err := e.Clock().Sleep(ctx, validation(e)); err != nil {
			return response{status: statusBad}
		}
	}
	l.balances[req.from] = from - req.amount
	l.balances[req.to] = to + req.amount
	if log := e.Log(); log.Enabled(ctx, slog.LevelDebug) {
		log.LogAttrs(ctx, slog.LevelDebug, "transfer written", slog.Int("from", req.from), slog.Int("to", req.to),
			slog.Int64("from_balance", l.balances[req.from]), slog.Int64("to_balance", l.balances[req.to]))
	}
	return response{}
}

// validation is how long the server spends checking a request: 50 to 500
// µs.
func validation(e env.Env) time.Duration {
	return 50*time.Microsecond + time.Duration(e.Rand().Int64N(int64(450*time.Microsecond)))
}
