package bank

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// Options shape the bank simulation; the zero value is the default cluster.
type Options struct {
	Accounts  int   // accounts in the bank (default 5)
	Balance   int64 // each account's opening balance (default 100)
	Clients   int   // client workloads (default 4)
	Transfers int   // transfers each client sends (default 50)
}

func (o Options) withDefaults() Options {
	if o.Accounts == 0 {
		o.Accounts = 5
	}
	if o.Balance == 0 {
		o.Balance = 100
	}
	if o.Clients == 0 {
		o.Clients = 4
	}
	if o.Transfers == 0 {
		o.Transfers = 50
	}
	return o
}

// BugLostUpdate is the planted bug: a transfer reads both balances, yields
// to other requests, then writes them back.
const BugLostUpdate = "lost-update"

// Keys under which the server publishes its state.
const (
	inboxKey  = "bank/inbox"
	ledgerKey = "bank/ledger"
)

// Simulation returns the bank: one server process, o.Clients client
// workloads, and the conservation invariant.
func Simulation(o Options) orrery.Simulation {
	o = o.withDefaults()
	total := int64(o.Accounts) * o.Balance
	return orrery.Simulation{
		Name:      "bank",
		Processes: []orrery.Process{{Name: "bank", Main: func(e env.Env) error { return serve(e, o) }}},
		Workloads: []orrery.Workload{{Name: "client", Count: o.Clients, New: func() orrery.Driver {
			return &client{opts: o}
		}}},
		Invariants: []orrery.Invariant{{Name: "conservation", Check: func(s *orrery.State) error {
			v, ok := s.Get(ledgerKey)
			if !ok {
				return nil
			}
			if got := v.(*ledger).total(); got != total {
				return fmt.Errorf("the accounts hold %d in total, want %d", got, total)
			}
			return nil
		}}},
		Bugs: []string{BugLostUpdate},
	}
}

// ledger is the server's accounts.
type ledger struct {
	balances []int64
	busy     []int // transfers in progress per account
}

func (l *ledger) total() int64 {
	var t int64
	for _, b := range l.balances {
		t += b
	}
	return t
}

// request is one call to the server; the reply carries an error or the
// balances' total.
type request struct {
	from, to int
	amount   int64
	total    bool // a query of the total instead of a transfer
	reply    *env.Chan[response]
}

type response struct {
	total int64
	err   error
}

// ErrInsufficientFunds is the server's answer to an overdraft.
var ErrInsufficientFunds = errors.New("insufficient funds")

// serve runs the bank server: it publishes its inbox and ledger, then
// handles each request in a task of its own.
func serve(e env.Env, o Options) error {
	ctx := e.Context()
	l := &ledger{balances: slices.Repeat([]int64{o.Balance}, o.Accounts), busy: make([]int, o.Accounts)}
	inbox := env.NewChan[request](e, 16)
	orrery.Publish(ctx, ledgerKey, l)
	orrery.Publish(ctx, inboxKey, inbox)
	for {
		req, ok, err := inbox.Recv(ctx)
		if err != nil || !ok {
			return err
		}
		e.Go("transfer", func(ctx context.Context) {
			_ = req.reply.Send(ctx, handle(ctx, e, l, req))
		})
	}
}

func handle(ctx context.Context, e env.Env, l *ledger, req request) response {
	if req.total {
		return response{total: l.total()}
	}
	contended := l.busy[req.from] > 0 || l.busy[req.to] > 0
	assert.Sometimes(ctx, contended, "transfers contend for an account")
	l.busy[req.from]++
	l.busy[req.to]++
	defer func() { l.busy[req.from]--; l.busy[req.to]-- }()
	// Checking the request takes a while, during which other transfers of
	// the same accounts arrive.
	if err := e.Clock().Sleep(ctx, validation(e)); err != nil {
		return response{err: err}
	}
	from, to := l.balances[req.from], l.balances[req.to]
	e.Log().Debug("transfer read", "from", req.from, "to", req.to, "amount", req.amount,
		"from_balance", from, "to_balance", to)
	if from < req.amount {
		assert.Reachable(ctx, "a transfer is refused for insufficient funds")
		return response{err: ErrInsufficientFunds}
	}
	if orrery.Planted(ctx, BugLostUpdate) {
		// The bug: the balances were read before this wait and are
		// written back after it, over any transfer that ran meanwhile.
		if err := e.Clock().Sleep(ctx, validation(e)); err != nil {
			return response{err: err}
		}
	}
	l.balances[req.from] = from - req.amount
	l.balances[req.to] = to + req.amount
	e.Log().Debug("transfer written", "from", req.from, "to", req.to,
		"from_balance", l.balances[req.from], "to_balance", l.balances[req.to])
	return response{}
}

// validation is how long the server spends checking a request: 50 to 500
// µs.
func validation(e env.Env) time.Duration {
	return 50*time.Microsecond + time.Duration(e.Rand().Int64N(int64(450*time.Microsecond)))
}

// client sends transfers between random accounts.
type client struct {
	opts Options
	done int // transfers the server applied
}

// Setup waits for the server to publish its inbox.
func (c *client) Setup(e env.Env) error { return nil }

// Run sends o.Transfers transfers with random pauses.
func (c *client) Run(e env.Env) error {
	ctx := e.Context()
	r := e.Rand()
	for range c.opts.Transfers {
		if err := e.Clock().Sleep(ctx, time.Duration(r.Int64N(int64(10*time.Millisecond)))); err != nil {
			return err
		}
		from, to := r.IntN(c.opts.Accounts), r.IntN(c.opts.Accounts-1)
		if to >= from {
			to++
		}
		resp, err := call(ctx, e, request{from: from, to: to, amount: 1 + r.Int64N(30)})
		if err != nil {
			return err
		}
		if resp.err == nil {
			c.done++
		}
	}
	assert.Sometimes(ctx, c.done > 0, "a client's transfers go through")
	return nil
}

// Check asks the server for the total once the run is over.
func (c *client) Check(e env.Env) error {
	resp, err := call(e.Context(), e, request{total: true})
	if err != nil {
		return err
	}
	want := int64(c.opts.Accounts) * c.opts.Balance
	assert.Always(e.Context(), resp.total == want, "the bank's total is conserved", "total", resp.total, "want", want)
	return nil
}

// call sends req to the server and waits for its response.
func call(ctx context.Context, e env.Env, req request) (response, error) {
	v, ok := orrery.Published(ctx, inboxKey)
	if !ok {
		return response{}, errors.New("the bank server has not published its inbox")
	}
	req.reply = env.NewChan[response](e, 1)
	if err := v.(*env.Chan[request]).Send(ctx, req); err != nil {
		return response{}, err
	}
	resp, _, err := req.reply.Recv(ctx)
	return resp, err
}
