package raftkv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// The operations of the store. Gets are answered by a read index, not
// through the log.
const (
	opGet    = 1
	opPut    = 2
	opAppend = 3
)

// command is a client's request, and the data of the log entry that
// carries a write. Client and Seq name the request: a retry carries the
// same, so that the store applies it once.
type command struct {
	Op          byte
	Client, Seq uint64
	Key, Value  string
}

var errShort = errors.New("short command")

func (c command) encode() []byte {
	b := make([]byte, 0, 23+len(c.Key)+len(c.Value))
	b = append(b, c.Op)
	b = binary.BigEndian.AppendUint64(b, c.Client)
	b = binary.BigEndian.AppendUint64(b, c.Seq)
	b = appendString(b, c.Key)
	return appendString(b, c.Value)
}

func decodeCommand(b []byte) (command, error) {
	if len(b) < 17 {
		return command{}, errShort
	}
	c := command{Op: b[0], Client: binary.BigEndian.Uint64(b[1:]), Seq: binary.BigEndian.Uint64(b[9:])}
	var err error
	b = b[17:]
	if c.Key, b, err = readString(b); err != nil {
		return command{}, err
	}
	if c.Value, b, err = readString(b); err != nil || len(b) != 0 {
		return command{}, errors.Join(err, errShort)
	}
	return c, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func readString(b []byte) (string, []byte, error) {
	if len(b) < 4 {
		return "", nil, errShort
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return "", nil, errShort
	}
	return string(b[4 : 4+n]), b[4+n:], nil
}

// store is the replicated state machine: the keys and values, the index
// of the last entry applied, and for each client the last request applied
// (the dedup table), so that a retried request is applied once.
type store struct {
	applied  uint64
	sessions map[uint64]uint64 // client -> seq of its last request applied
	data     map[string]string
}

func newStore() *store {
	return &store{sessions: map[uint64]uint64{}, data: map[string]string{}}
}

// apply applies a write at index; it reports false for a request already
// applied (a retry, or an attempt the client gave up on that arrived
// late), which changes nothing.
func (s *store) apply(index uint64, c command) bool {
	s.applied = index
	if c.Seq <= s.sessions[c.Client] {
		return false
	}
	s.sessions[c.Client] = c.Seq
	switch c.Op {
	case opPut:
		s.data[c.Key] = c.Value
	case opAppend:
		s.data[c.Key] += c.Value
	}
	return true
}

// encode writes the store, keys in order so that the bytes are the same
// on every run: the header (applied index and sessions), then the data.
func (s *store) encode() []byte {
	b := binary.BigEndian.AppendUint64(nil, s.applied)
	clients := sortedKeys(s.sessions)
	b = binary.BigEndian.AppendUint32(b, uint32(len(clients)))
	for _, c := range clients {
		b = binary.BigEndian.AppendUint64(b, c)
		b = binary.BigEndian.AppendUint64(b, s.sessions[c])
	}
	keys := sortedKeys(s.data)
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, s.data[k])
	}
	return b
}

// decodeStore reads what encode wrote.
func decodeStore(b []byte) (*store, error) {
	s := newStore()
	if len(b) < 12 {
		return nil, fmt.Errorf("store: %w", errShort)
	}
	s.applied = binary.BigEndian.Uint64(b)
	n := int(binary.BigEndian.Uint32(b[8:]))
	b = b[12:]
	if len(b) < 16*n+4 {
		return nil, fmt.Errorf("store: %w", errShort)
	}
	for range n {
		s.sessions[binary.BigEndian.Uint64(b)] = binary.BigEndian.Uint64(b[8:])
		b = b[16:]
	}
	n = int(binary.BigEndian.Uint32(b))
	b = b[4:]
	for range n {
		k, rest, err := readString(b)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		v, rest, err := readString(rest)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		s.data[k], b = v, rest
	}
	return s, nil
}

func sortedKeys[K string | uint64, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
