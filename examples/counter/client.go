package counter

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// requestTimeout bounds each request of a client.
const requestTimeout = time.Second

// ledgerKey is where the clients keep what they saw, for the checks.
const ledgerKey = "counter/ledger"

// ledger is what all clients saw, per key: increments acknowledged,
// increments whose outcome is unknown (an error), and the highest value
// read.
type ledger struct {
	acked, unsure, seen map[string]int64
}

// client sends increments and reads to the cache, and checks that the
// counts it sees never go back.
type client struct {
	led  *ledger
	seen map[string]int64
	http *http.Client
}

// Setup finds (or makes) the ledger the clients share.
func (c *client) Setup(e env.Env) error {
	ctx := e.Context()
	if v, ok := orrery.Published(ctx, ledgerKey); ok {
		c.led = v.(*ledger)
	} else {
		c.led = &ledger{acked: map[string]int64{}, unsure: map[string]int64{}, seen: map[string]int64{}}
		orrery.Publish(ctx, ledgerKey, c.led)
	}
	c.seen, c.http = map[string]int64{}, envhttp.Client(e)
	return nil
}

// Run sends 60 requests over about 15 s, increments and reads half and
// half.
func (c *client) Run(e env.Env) error {
	ctx := e.Context()
	for range 60 {
		if err := e.Clock().Sleep(ctx, time.Duration(e.Rand().IntN(500))*time.Millisecond); err != nil {
			return err
		}
		key := keys[e.Rand().IntN(len(keys))]
		if e.Rand().IntN(2) == 0 {
			c.increment(e, key)
		} else if v, err := c.send(e, http.MethodGet, "/count/"+key); err == nil {
			c.observe(ctx, key, v)
		}
	}
	return nil
}

func (c *client) increment(e env.Env, key string) {
	v, err := c.send(e, http.MethodPost, "/incr/"+key)
	if err != nil {
		c.led.unsure[key]++
		return
	}
	c.led.acked[key]++
	c.observe(e.Context(), key, v)
}

// observe checks that a count read is not below one read before.
func (c *client) observe(ctx context.Context, key string, v int64) {
	assert.Always(ctx, v >= c.seen[key], "a counter never goes back as a client sees it",
		"key", key, "read", v, "before", c.seen[key])
	c.seen[key] = max(c.seen[key], v)
	c.led.seen[key] = max(c.led.seen[key], v)
}

// send sends one request to the cache and returns the count it answers.
func (c *client) send(e env.Env, method, path string) (int64, error) {
	return call(e, c.http, method, "http://cache:"+cachePort+path)
}

func call(e env.Env, hc *http.Client, method, url string) (int64, error) {
	ctx, cancel := e.Clock().WithTimeout(e.Context(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
}

// Check reads every counter from the store once the faults are healed
// and compares it with what the clients saw: at least every acknowledged
// increment and every value read, at most every increment sent.
func (c *client) Check(e env.Env) error {
	for _, key := range keys {
		v, err := c.stored(e, key)
		if err != nil {
			return err
		}
		acked, unsure, seen := c.led.acked[key], c.led.unsure[key], c.led.seen[key]
		switch {
		case v < seen:
			return fmt.Errorf("counter %s: the store holds %d, but a client read %d", key, v, seen)
		case v < acked:
			return fmt.Errorf("counter %s: the store holds %d, but %d increments were acknowledged", key, v, acked)
		case v > acked+unsure:
			return fmt.Errorf("counter %s: the store holds %d, more than the %d increments sent", key, v, acked+unsure)
		}
	}
	return nil
}

// stored reads a counter from the store, retrying while it reboots.
func (c *client) stored(e env.Env, key string) (int64, error) {
	var last error
	for range 100 {
		en, err := storeEntry(e, c.http, key)
		if err == nil {
			return en.Value, nil
		}
		last = err
		if err := e.Clock().Sleep(e.Context(), 200*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("counter %s: the store does not answer: %w", key, last)
}

func storeEntry(e env.Env, hc *http.Client, key string) (entry, error) {
	ctx, cancel := e.Clock().WithTimeout(e.Context(), requestTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://store:"+storePort+"/v/"+key, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return entry{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return entry{}, fmt.Errorf("store: %s", resp.Status)
	}
	return readEntry(resp.Body)
}
