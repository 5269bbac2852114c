package counter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// storeTimeout bounds each call of the cache to the store.
const storeTimeout = 500 * time.Millisecond

// casAttempts is how many times an increment tries its compare-and-set
// when other increments of the same key win.
const casAttempts = 3

// front is the cache: the entries it has seen, never older than one it
// answered with, and a client of the store.
type front struct {
	e     env.Env
	store *http.Client
	buggy bool
	mu    sync.Mutex // guards seen; never held across a wait
	seen  map[string]entry
}

// cache is the cache process: POST /incr/{key} and GET /count/{key},
// answered with the counter's value.
func cache(e env.Env) error {
	c := &front{e: e, store: envhttp.Client(e), seen: map[string]entry{},
		buggy: orrery.Planted(e.Context(), BugOptimisticWrite)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /incr/{key}", c.incr)
	mux.HandleFunc("GET /count/{key}", c.count)
	l, err := e.Net().Listen(e.Context(), ":"+cachePort)
	if err != nil {
		return err
	}
	return serveListener(e, l, mux)
}

func (c *front) count(w http.ResponseWriter, r *http.Request) {
	en, err := c.lookup(r.Context(), r.PathValue("key"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprint(w, en.Value)
}

// incr adds one to a counter by compare-and-set on the store, from the
// entry the cache holds, refreshed when another write won.
func (c *front) incr(w http.ResponseWriter, r *http.Request) {
	ctx, key := r.Context(), r.PathValue("key")
	for range casAttempts {
		cur, err := c.lookup(ctx, key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		next := entry{Value: cur.Value + 1, Version: cur.Version + 1}
		got, won, err := c.put(ctx, key, next.Value, cur.Version)
		if err != nil {
			c.e.Log().Warn("write to the store failed", "key", key, "value", next.Value, "err", err)
		}
		if err != nil && c.buggy {
			// The bug: a write that failed on the network is taken for
			// one that went through ("the store was only slow").
			got, won, err = next, true, nil
		}
		if err != nil {
			assert.Sometimes(ctx, true, "a write to the store fails")
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		c.remember(key, got)
		if won {
			fmt.Fprint(w, got.Value)
			return
		}
		assert.Reachable(ctx, "an increment loses a compare-and-set and retries")
	}
	http.Error(w, "too many concurrent increments", http.StatusServiceUnavailable)
}

// lookup returns the entry of key, from the cache or else the store.
func (c *front) lookup(ctx context.Context, key string) (entry, error) {
	c.mu.Lock() //orrery:allow the critical section never blocks
	en, ok := c.seen[key]
	c.mu.Unlock()
	if ok {
		return en, nil
	}
	en, err := c.call(ctx, http.MethodGet, key, nil)
	if err != nil {
		return en, err
	}
	return c.remember(key, en), nil
}

// remember keeps en unless the cache already holds a later version (a
// response that overtook this one), and returns what the cache holds.
func (c *front) remember(key string, en entry) entry {
	c.mu.Lock() //orrery:allow the critical section never blocks
	defer c.mu.Unlock()
	if cur, ok := c.seen[key]; ok && cur.Version >= en.Version {
		return cur
	}
	c.seen[key] = en
	return en
}

// put asks the store to set key to value if its version is still expect:
// won reports whether it did; got is the store's entry either way.
func (c *front) put(ctx context.Context, key string, value, expect int64) (got entry, won bool, err error) {
	body, _ := json.Marshal(map[string]int64{"Value": value, "Expect": expect})
	got, err = c.call(ctx, http.MethodPut, key, body)
	var conflict *conflictError
	if errors.As(err, &conflict) {
		return conflict.cur, false, nil
	}
	return got, err == nil, err
}

// conflictError is the store's 409: the entry it holds.
type conflictError struct{ cur entry }

func (e *conflictError) Error() string {
	return "version conflict at " + strconv.FormatInt(e.cur.Version, 10)
}

// call sends one request to the store under storeTimeout.
func (c *front) call(ctx context.Context, method, key string, body []byte) (entry, error) {
	ctx, cancel := c.e.Clock().WithTimeout(ctx, storeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://store:"+storePort+"/v/"+key, bytes.NewReader(body))
	if err != nil {
		return entry{}, err
	}
	resp, err := c.store.Do(req)
	if err != nil {
		return entry{}, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return readEntry(resp.Body)
	case http.StatusConflict:
		cur, err := readEntry(resp.Body)
		if err != nil {
			return cur, err
		}
		return cur, &conflictError{cur}
	}
	return entry{}, fmt.Errorf("store: %s", resp.Status)
}
