package envhttp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// TestHandlerPanic: a handler's panic fails the seed with its message and
// the handler's line, where http.Server would log it and carry on; a
// panic with http.ErrAbortHandler only aborts the connection, as there.
func TestHandlerPanic(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		failure string // "" if the seed passes
	}{
		{"bug", "the handler broke", "panic: the handler broke"},
		{"abort", http.ErrAbortHandler, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clientErr error
			s := pair(envhttp.Server{}, handle(func(w http.ResponseWriter, r *http.Request) { panic(tc.value) }), func(e env.Env) error {
				_, clientErr = envhttp.Client(e).Get("http://server:8080/")
				return nil
			})
			rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
			if err != nil {
				t.Fatal(err)
			}
			if tc.failure == "" {
				if !rep.OK() || clientErr == nil {
					t.Fatalf("want a passing seed and a client error, got %+v and %v", rep.Failures, clientErr)
				}
				return
			}
			if rep.OK() || !strings.Contains(rep.Failures[0].Message, tc.failure) || !strings.Contains(rep.Failures[0].Stack, "panic_test.go") {
				t.Fatalf("want a failure %q with the handler's line, got %+v", tc.failure, rep.Failures)
			}
		})
	}
}
