package envhttp_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// handle makes a case's handler from a function that needs no Env.
func handle(f http.HandlerFunc) func(env.Env) http.Handler {
	return func(env.Env) http.Handler { return f }
}

// pattern is n deterministic bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i*7%26)
	}
	return b
}

var conformanceCases = []conformanceCase{
	{name: "json api", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Name string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "42")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": 1, "name": in.Name, "method": r.Method})
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/items", strings.NewReader(`{"name":"orrery"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		return describe(resp, err, "Content-Type", "X-Request-Id")
	}},
	{name: "small body gets a length and a sniffed type", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body>hello</body></html>")
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return get(ctx, c, "http://"+addr+"/", "Content-Type")
	}},
	{name: "large body is chunked", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		b := pattern(200 << 10)
		for len(b) > 0 {
			n := min(len(b), 1000)
			w.Write(b[:n])
			b = b[n:]
		}
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return get(ctx, c, "http://"+addr+"/")
	}},
	{name: "declared length", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(pattern(100000))
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return get(ctx, c, "http://"+addr+"/")
	}},
	{name: "flushed stream", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		for _, part := range []string{"one ", "two ", "three"} {
			io.WriteString(w, part)
			w.(http.Flusher).Flush()
		}
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return get(ctx, c, "http://"+addr+"/")
	}},
	{name: "slow client reads a large body", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		w.Write(pattern(64 << 10))
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
		resp, err := c.Do(req)
		if err != nil {
			return describe(nil, err)
		}
		var got bytes.Buffer
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			got.Write(buf[:n])
			if err != nil {
				break
			}
			e.Clock().Sleep(ctx, time.Millisecond)
		}
		resp.Body.Close()
		return fmt.Sprintf("%d read %d bytes, intact=%v", resp.StatusCode, got.Len(), bytes.Equal(got.Bytes(), pattern(64<<10)))
	}},
	{name: "head", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		req, _ := http.NewRequestWithContext(ctx, "HEAD", "http://"+addr+"/", nil)
		resp, err := c.Do(req)
		return describe(resp, err, "Content-Type", "Content-Length")
	}},
	{name: "no content and not modified", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Path == "/304" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return get(ctx, c, "http://"+addr+"/204", "Content-Type") + "; " + get(ctx, c, "http://"+addr+"/304", "Content-Type")
	}},
	{name: "mux not found", handler: func(env.Env) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "item "+r.PathValue("id")) })
		return mux
	}, client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return get(ctx, c, "http://"+addr+"/items/7") + "; " + get(ctx, c, "http://"+addr+"/nothing", "Content-Type", "X-Content-Type-Options")
	}},
	{name: "keep-alive reuses the connection", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.RemoteAddr)
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return sameConnections(ctx, c, "http://"+addr+"/", 3)
	}},
	{name: "connection close", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, r.RemoteAddr)
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return sameConnections(ctx, c, "http://"+addr+"/", 2)
	}},
	{name: "100-continue accepted", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "got %q", b)
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return postExpecting(ctx, c, "http://"+addr+"/", "payload")
	}},
	{name: "100-continue refused", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return postExpecting(ctx, c, "http://"+addr+"/", strings.Repeat("x", 100<<10))
	}},
	{name: "max bytes reader", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 10))
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			http.Error(w, fmt.Sprintf("over %d bytes", mb.Limit), http.StatusRequestEntityTooLarge)
			return
		}
		io.WriteString(w, "fits")
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		small, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/", strings.NewReader("tiny"))
		big, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/", strings.NewReader(strings.Repeat("y", 100)))
		r1, err1 := c.Do(small)
		d1 := describe(r1, err1)
		r2, err2 := c.Do(big)
		return d1 + "; " + describe(r2, err2)
	}},
	{name: "chunked request body", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "read %d bytes (%v), length %d, %v", len(b), err, r.ContentLength, r.TransferEncoding)
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		body := io.MultiReader(strings.NewReader("part one, "), strings.NewReader("part two"))
		req, _ := http.NewRequestWithContext(ctx, "PUT", "http://"+addr+"/", body)
		resp, err := c.Do(req)
		return describe(resp, err)
	}},
	{name: "request headers a client adds", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q %q", r.Header.Get("Accept-Encoding"), r.Header.Get("User-Agent"))
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return get(ctx, c, "http://"+addr+"/")
	}},
	{name: "gzip asked for and decompressed", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			io.WriteString(w, "plain")
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(pattern(5000))
		zw.Close()
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
		resp, err := c.Do(req)
		if err != nil {
			return describe(nil, err)
		}
		uncompressed := resp.Uncompressed
		return fmt.Sprintf("uncompressed=%v ", uncompressed) + describe(resp, nil, "Content-Encoding")
	}},
	clientGoesAway(),
	contextDeadline(),
	{name: "pipelined requests", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return raw(ctx, e, addr, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}},
	{name: "http/1.0", handler: handle(func(w http.ResponseWriter, r *http.Request) {
		w.Write(pattern(3000))
	}), client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
		return firstLines(raw(ctx, e, addr, "GET / HTTP/1.0\r\n\r\n"), 4)
	}},
	{name: "malformed request", handler: handle(func(w http.ResponseWriter, r *http.Request) {}),
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			return raw(ctx, e, addr, "GARBAGE\r\n\r\n")
		}},
	{name: "missing host", handler: handle(func(w http.ResponseWriter, r *http.Request) {}),
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			return raw(ctx, e, addr, "GET / HTTP/1.1\r\n\r\n")
		}},
	{name: "unknown expectation", handler: handle(func(w http.ResponseWriter, r *http.Request) {}),
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			return raw(ctx, e, addr, "GET / HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n")
		}},
	{name: "header too large", server: envhttp.Server{MaxHeaderBytes: 1000},
		handler: handle(func(w http.ResponseWriter, r *http.Request) {}),
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			return raw(ctx, e, addr, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("b", 20000)+"\r\n\r\n")
		}},
	{name: "read header timeout", server: envhttp.Server{ReadHeaderTimeout: 100 * time.Millisecond},
		handler: handle(func(w http.ResponseWriter, r *http.Request) {}),
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			return raw(ctx, e, addr, "GET / HTTP/1.1\r\nHost: x\r\n")
		}},
	{name: "write timeout", server: envhttp.Server{WriteTimeout: 100 * time.Millisecond},
		handler: func(e env.Env) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				e.Clock().Sleep(r.Context(), 300*time.Millisecond)
				io.WriteString(w, "too late")
			})
		},
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			return get(ctx, c, "http://"+addr+"/")
		}},
	{name: "read timeout", server: envhttp.Server{ReadTimeout: 100 * time.Millisecond},
		handler: handle(func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, fmt.Sprintf("read %d bytes, then a timeout: %v", len(b), errors.Is(err, os.ErrDeadlineExceeded)), http.StatusRequestTimeout)
				return
			}
			io.WriteString(w, "whole body")
		}),
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			return raw(ctx, e, addr, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
		}},
	{name: "idle timeout closes, the client retries", server: envhttp.Server{IdleTimeout: 100 * time.Millisecond},
		handler: handle(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			first := get(ctx, c, "http://"+addr+"/")
			e.Clock().Sleep(ctx, 300*time.Millisecond)
			return first + "; " + get(ctx, c, "http://"+addr+"/")
		}},
}

// sameConnections sends n GETs whose handler answers with the client's
// address, and says whether they came on one connection.
func sameConnections(ctx context.Context, c *http.Client, url string, n int) string {
	var addrs []string
	var out []string
	for range n {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := c.Do(req)
		if err != nil {
			return describe(nil, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		addrs = append(addrs, string(b))
		out = append(out, fmt.Sprintf("%d close=%v", resp.StatusCode, resp.Close))
	}
	distinct := map[string]bool{}
	for _, a := range addrs {
		distinct[a] = true
	}
	return fmt.Sprintf("%s; %d connections", strings.Join(out, ", "), len(distinct))
}

func postExpecting(ctx context.Context, c *http.Client, url, body string) string {
	req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	req.Header.Set("Expect", "100-continue")
	resp, err := c.Do(req)
	return describe(resp, err)
}

// firstLines returns the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\r\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\r\n")
}

// clientGoesAway: the client's deadline passes while the handler works;
// the handler's context is cancelled, which a second request reads back.
func clientGoesAway() conformanceCase {
	return conformanceCase{name: "request context cancelled when the client goes away",
		handler: func(e env.Env) http.Handler {
			var mu sync.Mutex
			var saw string
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/slow" {
					err := e.Clock().Sleep(r.Context(), 10*time.Second)
					mu.Lock() //orrery:allow the critical section never blocks
					saw = fmt.Sprint(err)
					mu.Unlock()
					return
				}
				for range 200 {
					mu.Lock() //orrery:allow the critical section never blocks
					s := saw
					mu.Unlock()
					if s != "" {
						io.WriteString(w, "handler saw: "+s)
						return
					}
					e.Clock().Sleep(r.Context(), 10*time.Millisecond)
				}
				io.WriteString(w, "handler still running")
			})
		},
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			short, cancel := e.Clock().WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			first := get(short, c, "http://"+addr+"/slow")
			return first + "; " + get(ctx, c, "http://"+addr+"/status")
		}}
}

// contextDeadline: a deadline passes while the body is being read.
func contextDeadline() conformanceCase {
	return conformanceCase{name: "deadline during the body",
		handler: func(e env.Env) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "first part")
				w.(http.Flusher).Flush()
				e.Clock().Sleep(r.Context(), 10*time.Second)
			})
		},
		client: func(ctx context.Context, e env.Env, c *http.Client, addr string) string {
			short, cancel := e.Clock().WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(short, "GET", "http://"+addr+"/", nil)
			resp, err := c.Do(req)
			if err != nil {
				return describe(nil, err)
			}
			br := bufio.NewReader(resp.Body)
			part, _ := br.ReadString('t')
			_, err = io.ReadAll(br)
			resp.Body.Close()
			return fmt.Sprintf("%d %q then %s", resp.StatusCode, part, errorKind(err))
		}}
}

func TestConformance(t *testing.T) {
	for _, tc := range conformanceCases {
		t.Run(tc.name, func(t *testing.T) {
			want := runHTTPTest(t, tc)
			t.Logf("net/http: %s", want)
			for _, r := range runners {
				if got := r.run(t, tc); got != want {
					t.Errorf("%s:\n got %s\nwant %s", r.name, got, want)
				}
			}
		})
	}
}
