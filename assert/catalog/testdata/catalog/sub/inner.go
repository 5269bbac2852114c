package sub

import "github.com/orrerysim/orrery/assert"

func count(ctx context.Context, n int) {
	assert.SometimesGreaterThan(ctx, n, 0, "positive count")
}
