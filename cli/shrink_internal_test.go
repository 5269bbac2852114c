package cli

import "testing"

// TestShellWord: a list of faults is pasted into a shell as it is, unless
// it holds a character the shell reads (a connection's a->b), when it is
// quoted.
func TestShellWord(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Reboot:db#1,SyncFail:db:wal.log#2", "Reboot:db#1,SyncFail:db:wal.log#2"},
		{"Buggify:wal/log.go:52#3", "Buggify:wal/log.go:52#3"},
		{"none", "none"},
		{"Clog:10.0.0.1->10.0.1.1#1", "'Clog:10.0.0.1->10.0.1.1#1'"},
		{"Stall:it's#1", `'Stall:it'\''s#1'`},
	} {
		if got := shellWord(tc.in); got != tc.want {
			t.Errorf("shellWord(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
