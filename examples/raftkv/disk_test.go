package raftkv

import (
	"context"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/realenv"
)

func entry(index, term uint64) *raftpb.Entry {
	return &raftpb.Entry{Index: proto.Uint64(index), Term: proto.Uint64(term), Data: []byte{byte(index)}}
}

func hardState(term, commit uint64) *raftpb.HardState {
	return &raftpb.HardState{Term: proto.Uint64(term), Commit: proto.Uint64(commit), Vote: proto.Uint64(0)}
}

// records encodes batches as save writes them, one after the other.
func records(t *testing.T, batches ...walState) []byte {
	var data []byte
	for _, b := range batches {
		buf, err := encodeRecords(int64(len(data)), b.hs, b.ents)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, buf...)
	}
	return data
}

// describe prints a recovered log as "term/commit: index.term ...".
func describe(st walState) string {
	s := ""
	if st.hs != nil {
		s = string(rune('0'+st.hs.GetTerm())) + "/" + string(rune('0'+st.hs.GetCommit())) + ":"
	}
	for _, e := range st.ents {
		s += " " + string(rune('0'+e.GetIndex())) + "." + string(rune('0'+e.GetTerm()))
	}
	return s
}

func TestParseWAL(t *testing.T) {
	two := records(t, walState{hardState(1, 1), []*raftpb.Entry{entry(1, 1), entry(2, 1)}},
		walState{hardState(2, 2), []*raftpb.Entry{entry(3, 2)}})
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "0/0:"},
		{"two batches", two, "2/2: 1.1 2.1 3.2"},
		{"a torn tail keeps the batches before it", two[:len(two)-3], "1/1: 1.1 2.1 3.2"},
		{"a torn first record", two[:5], "0/0:"},
		{"a flipped bit ends the log there", flip(two, 20), "0/0: 1.1"},
		{"an entry replaces those from its index", records(t,
			walState{hardState(1, 1), []*raftpb.Entry{entry(1, 1), entry(2, 1), entry(3, 1)}},
			walState{hardState(2, 1), []*raftpb.Entry{entry(2, 2)}}), "2/1: 1.1 2.2"},
		{"garbage after the last record", append(two[:len(two):len(two)], 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 9, 9), "2/2: 1.1 2.1 3.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := parseWAL(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(st); got != tt.want {
				t.Errorf("recovered %q, want %q", got, tt.want)
			}
		})
	}
}

func flip(b []byte, at int) []byte {
	c := append([]byte(nil), b...)
	c[at] ^= 1
	return c
}

// TestRecordsAreBoundToTheirOffset: a valid record read at another offset
// does not pass.
func TestRecordsAreBoundToTheirOffset(t *testing.T) {
	rec := records(t, walState{ents: []*raftpb.Entry{entry(1, 1)}})
	if _, _, _, ok := recordAt(append(make([]byte, 7), rec...), 7); ok {
		t.Error("a record written at 0 reads as valid at 7")
	}
}

// TestWALSurvivesReopening saves batches, opens the log again (which
// rewrites it) and saves more, on a real disk.
func TestWALSurvivesReopening(t *testing.T) {
	e, err := realenv.New(realenv.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := e.Context()
	w, _, err := openWAL(ctx, e.Disk())
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.save(hardState(1, 0), []*raftpb.Entry{entry(1, 1), entry(2, 1)}))
	must(t, w.save(hardState(1, 2), nil))
	w.close()
	w, st := reopen(t, ctx, e.Disk())
	if got := describe(st); got != "1/2: 1.1 2.1" {
		t.Fatalf("after reopening: %q", got)
	}
	must(t, w.save(nil, []*raftpb.Entry{entry(2, 2), entry(3, 2)}))
	w.close()
	if _, st = reopen(t, ctx, e.Disk()); describe(st) != "1/2: 1.1 2.2 3.2" {
		t.Fatalf("after a conflicting append: %q", describe(st))
	}
}

func reopen(t *testing.T, ctx context.Context, d env.Disk) (*wal, walState) {
	t.Helper()
	w, st, err := openWAL(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return w, st
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBlobs(t *testing.T) {
	e, err := realenv.New(realenv.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, d := e.Context(), e.Disk()
	if b, err := readBlob(ctx, d, "x"); b != nil || err != nil {
		t.Fatalf("a missing blob: %q, %v", b, err)
	}
	must(t, writeBlob(ctx, d, "x", []byte("hello")))
	must(t, writeBlob(ctx, d, "x", []byte("world")))
	if b, err := readBlob(ctx, d, "x"); string(b) != "world" || err != nil {
		t.Fatalf("read back %q, %v", b, err)
	}
}

func FuzzParseWAL(f *testing.F) {
	f.Add([]byte(nil))
	buf, _ := encodeRecords(0, hardState(1, 1), []*raftpb.Entry{entry(1, 1)})
	f.Add(buf)
	f.Fuzz(func(t *testing.T, data []byte) {
		parseWAL(data) // must not panic
	})
}
