package bank

import (
	"context"

	a "github.com/orrerysim/orrery/assert"
)

func audit(ctx context.Context, accounts map[string]int) {
	for name := range accounts {
		a.SometimesEach(ctx, "account audited", name)
	}
	a.AlwaysSome(ctx, map[string]bool{"x": true}, "some account nonzero")
}
