package bank

import "github.com/orrerysim/orrery/assert"

func early(ctx context.Context) { assert.Always(ctx, true, "twice") }

// late checks the same message again, further down: one assertion, two
// sites. The catalog sorts them by line number, 5 before 11, which a
// comparison of the locations as strings would not.
func late(ctx context.Context) {
	assert.Always(ctx, true, "twice")
}
