package bank

import (
	"context"
	"testing"

	. "github.com/orrerysim/orrery/assert"
)

func TestBank(t *testing.T) {
	ctx := context.Background()
	SometimesAll(ctx, map[string]bool{"a": true}, "all accounts touched")
	AlwaysOrUnreachable(ctx, true, "recovered ledger balances")
}
