// Command alwaysonly calls only assert.Always, as shipped code does: the
// dependency test checks what it links.
package main

import (
	"context"

	"github.com/orrerysim/orrery/assert"
)

func main() { assert.Always(context.Background(), true, "holds", nil) }
