package cli

import "testing"

// FuzzParseShard: a shard flag either is refused or names a slice K of N
// with 0 <= K < N, and no input panics.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"3/16", "1/1", "0/3", "4/3", "/", "a/b", "1/", "-1/2", "2/-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := parseShard(s, func(string) string { return "" })
		if err == nil && s != "" && (sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count) {
			t.Errorf("parseShard(%q) = %+v", s, sh)
		}
	})
}
