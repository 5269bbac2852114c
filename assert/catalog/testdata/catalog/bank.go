// Package bank is sample code for the Catalog test. It is never compiled.
package bank

import (
	"context"
	"time"

	"github.com/orrerysim/orrery/assert"
)

const lost = "money lost"

func transfer(ctx context.Context, from, to string, amount, balance int, latency time.Duration) {
	assert.Always(ctx, balance >= 0, "balance never negative", "account", from)
	assert.AlwaysLessThan[time.Duration](ctx, latency, time.Second, "transfer latency bounded")
	assert.Sometimes(ctx, amount == 0, `empty transfer`)
	assert.Unreachable(ctx, lost)
	if from == to {
		assert.Reachable(ctx,
			"self transfer")
	}
	check := assert.Always // a function value is not a call site
	check(ctx, true, "not found")
}
