package shellword

import "testing"

// TestQuote: a list of faults is pasted into a shell as it is, unless it
// holds a character the shell reads (a connection's a->b), when it is
// quoted.
func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Reboot:db#1,SyncFail:db:wal.log#2", "Reboot:db#1,SyncFail:db:wal.log#2"},
		{"Buggify:wal/log.go:52#3", "Buggify:wal/log.go:52#3"},
		{"none", "none"},
		{"Clog:10.0.0.1->10.0.1.1#1", "'Clog:10.0.0.1->10.0.1.1#1'"},
		{"Stall:it's#1", `'Stall:it'\''s#1'`},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
