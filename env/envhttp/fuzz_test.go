package envhttp_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// FuzzServer sends arbitrary bytes to the simulated server (with
// timeouts, and a handler that reads the body, flushes and writes): the
// seed must pass, whatever the bytes, with the connection answered or
// closed by the server's own timeouts, never hung.
func FuzzServer(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte("POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n"))
	f.Add([]byte("HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGARBAGE\r\n\r\n"))
	handler := handle(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 64))
		w.Header().Set("X-Len", "1")
		w.Write(b)
		w.(http.Flusher).Flush()
		io.WriteString(w, r.URL.Path)
	})
	srv := envhttp.Server{ReadHeaderTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, IdleTimeout: time.Second}
	f.Fuzz(func(t *testing.T, input []byte) {
		s := pair(srv, handler, func(e env.Env) error {
			c, err := e.Net().Dial(e.Context(), "server:8080")
			if err != nil {
				return err
			}
			defer c.Close()
			c.Write(input)
			_, err = io.ReadAll(c) // until the server closes: its timeouts see to it
			return err
		})
		rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("%q: %s: %s", input, rep.Failures[0].Kind, rep.Failures[0].Message)
		}
	})
}
