package bank

import (
	"bytes"
	"context"
	"net"
	"slices"
	"testing"

	"github.com/orrerysim/orrery/env/frame"
)

func TestEncodeLayout(t *testing.T) {
	tests := []struct {
		name string
		got  func(dst []byte) []byte
		want []byte
	}{
		{"transfer", request{op: opTransfer, from: 1, to: 4, amount: 300}.encode,
			[]byte{1, 1, 4, 0, 0, 0, 0, 0, 0, 1, 44}},
		{"total", request{op: opTotal}.encode, []byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"ok", response{total: 500}.encode, []byte{0, 0, 0, 0, 0, 0, 0, 1, 244}},
		{"insufficient", response{status: statusInsufficient}.encode, []byte{1, 0, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(nil); !bytes.Equal(got, tt.want) {
				t.Errorf("encode(nil) = %v, want %v", got, tt.want)
			}
			prefix := []byte{9, 9}
			if got := tt.got(prefix); !bytes.Equal(got, append(slices.Clip(prefix), tt.want...)) {
				t.Errorf("encode(%v) = %v, want the prefix and %v", prefix, got, tt.want)
			}
		})
	}
}

// streamConn is a connection that reads from r and discards what is
// written to it.
type streamConn struct {
	net.Conn
	r *bytes.Reader
}

func (c *streamConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *streamConn) Write(p []byte) (int, error) { return len(p), nil }
func (c *streamConn) Close() error                { return nil }

// frames returns n frames of body, one after the other.
func frames(n int, body []byte) []byte {
	var b []byte
	for range n {
		b = frame.Append(b, body)
	}
	return b
}

// TestExchangeAllocs checks that a client's request, once its connection
// is set up, allocates nothing: the request is encoded into the client's
// buffer.
func TestExchangeAllocs(t *testing.T) {
	conn := &streamConn{r: bytes.NewReader(frames(201, response{total: 500}.encode(nil)))}
	c := &client{conn: conn, in: frame.NewReader(conn, maxFrame), out: frame.NewWriter(conn, maxFrame)}
	req := request{op: opTransfer, from: 1, to: 2, amount: 7}
	allocs := testing.AllocsPerRun(200, func() {
		if resp, err := c.exchange(req); err != nil || resp.total != 500 {
			t.Fatalf("exchange = %+v, %v; want a total of 500", resp, err)
		}
	})
	if allocs != 0 {
		t.Errorf("an exchange allocates %v times, want 0", allocs)
	}
}

// TestServeConnAllocs checks that the server's allocations for a
// connection do not grow with its requests: each response is encoded into
// the connection's buffer.
func TestServeConnAllocs(t *testing.T) {
	l := &ledger{balances: []int64{100, 100}, busy: make([]int, 2)}
	serveN := func(n int) float64 {
		stream := frames(n, request{op: opTotal}.encode(nil))
		conn := &streamConn{r: bytes.NewReader(nil)}
		return testing.AllocsPerRun(20, func() {
			conn.r.Reset(stream)
			serveConn(context.Background(), nil, l, conn)
			if conn.r.Len() != 0 {
				t.Fatalf("the server stopped with %d bytes unread", conn.r.Len())
			}
		})
	}
	if one, many := serveN(1), serveN(100); many != one {
		t.Errorf("a connection of 100 requests allocates %v times, of 1 request %v, want the same", many, one)
	}
}
