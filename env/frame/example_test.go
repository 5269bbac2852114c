package frame_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/orrerysim/orrery/env/frame"
)

func Example() {
	var wire bytes.Buffer // a net.Conn, in a real protocol
	w := frame.NewWriter(&wire, 0)
	w.Write([]byte("transfer 10 from 1 to 2"))
	w.Write([]byte("total"))

	// A bit flips on the wire, in the second frame's body.
	b := wire.Bytes()
	b[len(b)-2] ^= 0x04

	r := frame.NewReader(&wire, 0)
	for {
		body, err := r.Read()
		if errors.Is(err, frame.ErrCorrupt) {
			fmt.Println("corrupt: drop the connection:", err)
			return
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s\n", body)
	}
	// Output:
	// transfer 10 from 1 to 2
	// corrupt: drop the connection: frame: body of 5 bytes has checksum ac47c4ad, want e2cda571: corrupt frame
}
