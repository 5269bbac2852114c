// Command publishonly is a server that calls only orrery.Publish, as
// shipped code does: the dependency test checks what it links.
package main

import (
	"context"
	"flag"

	"github.com/orrerysim/orrery"
)

func main() {
	flag.Parse()
	orrery.Publish(context.Background(), "ready", true)
}
