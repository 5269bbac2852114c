package raftkv

import (
	"bytes"
	"errors"
	"maps"
	"strings"
	"testing"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// TestStoreAppliesARequestOnce: a retry, and an old attempt arriving
// late, change nothing.
func TestStoreAppliesARequestOnce(t *testing.T) {
	s := newStore()
	steps := []struct {
		seq   uint64
		fresh bool
	}{{1, true}, {1, false}, {2, true}, {1, false}, {3, true}}
	for i, st := range steps {
		if got := s.apply(uint64(i+2), command{Op: opAppend, Client: 7, Seq: st.seq, Key: "a", Value: "x"}); got != st.fresh {
			t.Errorf("step %d (seq %d): applied %v, want %v", i, st.seq, got, st.fresh)
		}
	}
	if s.data["a"] != "xxx" || s.applied != 6 {
		t.Errorf("a=%q applied=%d, want xxx and 6", s.data["a"], s.applied)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	s := newStore()
	s.apply(3, command{Op: opPut, Client: 1, Seq: 1, Key: "p", Value: "v"})
	s.apply(4, command{Op: opAppend, Client: 2, Seq: 5, Key: "a", Value: "1;"})
	got, err := decodeStore(s.encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.applied != 4 || !maps.Equal(got.data, s.data) || !maps.Equal(got.sessions, s.sessions) {
		t.Errorf("decoded %+v, want %+v", got, s)
	}
	if !bytes.Equal(got.encode(), s.encode()) {
		t.Error("encoding differs after a round trip")
	}
	if _, err := decodeStore(s.encode()[:20]); err == nil {
		t.Error("a truncated store decodes")
	}
}

func TestCommandRoundTrip(t *testing.T) {
	c := command{Op: opAppend, Client: 3, Seq: 9, Key: "a1", Value: "3.9;"}
	got, err := decodeCommand(c.encode())
	if err != nil || got != c {
		t.Fatalf("decoded %+v, %v; want %+v", got, err, c)
	}
	for n := range len(c.encode()) {
		if _, err := decodeCommand(c.encode()[:n]); err == nil {
			t.Errorf("%d of %d bytes decode", n, len(c.encode()))
		}
	}
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add(command{Op: opPut, Client: 1, Seq: 2, Key: "k", Value: "v"}.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCommand(b)
		if err == nil && !bytes.Equal(c.encode(), b) {
			t.Errorf("%x decodes to %+v, which encodes to %x", b, c, c.encode())
		}
	})
}

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	must(t, writeFrame(&buf, []byte("message")))
	good := buf.Bytes()
	if b, err := readFrame(bytes.NewReader(good)); string(b) != "message" || err != nil {
		t.Fatalf("read %q, %v", b, err)
	}
	for _, bad := range [][]byte{flip(good, 10), flip(good, 5), flip(good, 0)} {
		if _, err := readFrame(bytes.NewReader(bad)); err == nil {
			t.Errorf("a corrupted frame %x reads", bad)
		} else if !errors.Is(err, errCorrupt) && !strings.Contains(err.Error(), "EOF") {
			t.Errorf("a corrupted frame: %v", err)
		}
	}
}

// TestLoadLog: a crash between writing a snapshot received from the
// leader and rewriting the WAL leaves an older HardState and a log the
// snapshot replaced; the node must still boot on a log raft accepts.
func TestLoadLog(t *testing.T) {
	snap := &raftpb.Snapshot{Data: newStore().encode(), Metadata: &raftpb.SnapshotMetadata{
		Index: proto.Uint64(5), Term: proto.Uint64(3), ConfState: &raftpb.ConfState{Voters: []uint64{1, 2, 3}}}}
	tests := []struct {
		name       string
		ws         walState
		commit     uint64
		first, end uint64 // the log raft reads: FirstIndex, LastIndex
	}{
		{"entries after the snapshot", walState{hardState(3, 6), []*raftpb.Entry{entry(5, 3), entry(6, 3), entry(7, 3)}}, 6, 6, 7},
		{"an older HardState", walState{hardState(2, 2), []*raftpb.Entry{entry(1, 1), entry(2, 2)}}, 5, 6, 5},
		{"a log the snapshot replaced", walState{hardState(2, 4), []*raftpb.Entry{entry(4, 2), entry(5, 2), entry(6, 2)}}, 5, 6, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &node{storage: raft.NewMemoryStorage()}
			must(t, n.loadLog(snap, tt.ws))
			first, _ := n.storage.FirstIndex()
			last, _ := n.storage.LastIndex()
			if n.hs.GetCommit() != tt.commit || first != tt.first || last != tt.end {
				t.Errorf("commit %d, log %d-%d; want %d, %d-%d", n.hs.GetCommit(), first, last, tt.commit, tt.first, tt.end)
			}
			if n.hs.GetTerm() < 3 {
				t.Errorf("term %d below the snapshot's", n.hs.GetTerm())
			}
		})
	}
}

func TestOneLeaderPerTerm(t *testing.T) {
	c := &cluster{nodes: map[uint64]*Status{1: {ID: 1}, 2: {ID: 2}, 3: {ID: 3}}, leaders: map[uint64]uint64{}}
	c.nodes[1].Term, c.nodes[1].Leader = 2, true
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	c.nodes[1].Leader = false // kv-1 steps down (or crashes); kv-2 leads term 3
	c.nodes[2].Term, c.nodes[2].Leader = 3, true
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	c.nodes[2].Leader = false
	c.nodes[3].Term, c.nodes[3].Leader = 2, true // a second leader of term 2, later
	if err := c.check(); err == nil || !strings.Contains(err.Error(), "kv-1 and kv-3 both lead term 2") {
		t.Fatalf("got %v", err)
	}
	c.nodes[1].Lead, c.nodes[1].Commit, c.nodes[1].Applied = 3, 9, 8
	want := "kv-1: term 2 follows kv-3 commit 9 applied 8; kv-2: term 3 no leader commit 0 applied 0; kv-3: term 2 leader commit 0 applied 0"
	if got := c.String(); got != want {
		t.Errorf("the cluster prints as\n%s\nwant\n%s", got, want)
	}
}

func TestAcknowledgedAppendsSurvive(t *testing.T) {
	tests := []struct {
		final string
		ok    bool
	}{{"1.1;2.1;", true}, {"2.1;", false}, {"1.1;2.1;1.1;", false}}
	for _, tt := range tests {
		out := &outcome{acked: map[string][]string{"a0": {"1.1;", "2.1;"}}, final: map[string][]string{"a0": {tt.final}}}
		if err := out.check(); (err == nil) != tt.ok {
			t.Errorf("final %q: %v, want ok=%v", tt.final, err, tt.ok)
		}
	}
}
