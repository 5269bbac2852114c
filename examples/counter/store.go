package counter

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/frame"
)

// logName is the store's log on its disk: one frame per write.
const logName = "counters.log"

// kv is the store's state: the counters, and the log that makes them
// durable. A write holds mu from its check to its sync, so that two
// writes of the same version cannot both pass.
type kv struct {
	e       env.Env
	mu      env.Mutex
	entries map[string]entry
	log     env.File
	size    int64 // bytes of good frames in the log
	failed  func(error)
}

// store is the store process: recover the counters from the log, then
// serve GET and PUT /v/{key}. A failed sync leaves the log in an unknown
// state, so the store stops (and is rebooted) rather than write after it.
func store(e env.Env) error {
	s := &kv{e: e, mu: env.NewMutex(e), entries: map[string]entry{}}
	if err := s.recover(); err != nil {
		return err
	}
	defer s.log.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v/{key}", s.get)
	mux.HandleFunc("PUT /v/{key}", s.put)
	l, err := e.Net().Listen(e.Context(), ":"+storePort)
	if err != nil {
		return err
	}
	var fatal error
	s.failed = func(err error) { fatal = err; l.Close() }
	err = serveListener(e, l, mux)
	if fatal != nil {
		return fatal
	}
	return err
}

// recover replays the log up to its first bad frame (a write torn by a
// crash, never acknowledged) and cuts it there.
func (s *kv) recover() error {
	ctx := s.e.Context()
	f, err := s.e.Disk().OpenFile(ctx, logName, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	s.log = f
	if err := s.e.Disk().SyncDir(ctx, "."); err != nil { // the log's name is durable too
		return err
	}
	size, err := f.Size()
	if err != nil {
		return err
	}
	r := frame.NewReader(bufio.NewReader(io.NewSectionReader(f, 0, size)), 1024)
	for {
		body, err := r.Read()
		if err != nil {
			break // io.EOF, or the torn tail: frame tells which, either ends the log
		}
		var rec struct {
			Key string
			entry
		}
		if json.Unmarshal(body, &rec) != nil {
			break
		}
		s.entries[rec.Key] = rec.entry
		s.size += int64(frame.HeaderSize + len(body))
	}
	if s.size < size {
		return f.Truncate(s.size)
	}
	return nil
}

func (s *kv) get(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.entries[r.PathValue("key")])
}

// put sets a counter if its version is the one the writer read (409 with
// the current entry otherwise), durably before it answers.
func (s *kv) put(w http.ResponseWriter, r *http.Request) {
	var want struct {
		Value, Expect int64
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&want); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.mu.Lock(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer s.mu.Unlock()
	key := r.PathValue("key")
	cur := s.entries[key]
	if cur.Version != want.Expect {
		writeJSON(w, http.StatusConflict, cur)
		return
	}
	next := entry{Value: want.Value, Version: cur.Version + 1}
	if err := s.append(key, next); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.entries[key] = next
	writeJSON(w, http.StatusOK, next)
}

// append writes a record to the log and syncs it.
func (s *kv) append(key string, en entry) error {
	body, _ := json.Marshal(struct {
		Key string
		entry
	}{key, en})
	rec := frame.Append(nil, body)
	if _, err := s.log.WriteAt(rec, s.size); err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	if err := s.log.Sync(); err != nil {
		s.failed(err)
		return fmt.Errorf("store: sync: %w", err)
	}
	s.size += int64(len(rec))
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// readEntry decodes an entry from a response body.
func readEntry(r io.Reader) (entry, error) {
	var en entry
	if err := json.NewDecoder(r).Decode(&en); err != nil {
		return en, fmt.Errorf("decode entry: %w", err)
	}
	return en, nil
}
