package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	same := filepath.Join(dir, "same.golden")
	if err := os.WriteFile(same, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		got  string
		want string // substring of the one error, "" for none
	}{
		{"equal", same, "a\nb\n", ""},
		{"differs", same, "a\nc\n", "differs (go test -update rewrites it)"},
		{"missing", filepath.Join(dir, "none.golden"), "x", "read golden file: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Check(r, tt.path, []byte(tt.got))
			switch {
			case tt.want == "" && len(r.errors) != 0:
				t.Errorf("Check reported %q, want nothing", r.errors)
			case tt.want != "" && (len(r.errors) != 1 || !strings.Contains(r.errors[0], tt.want)):
				t.Errorf("Check reported %q, want one error containing %q", r.errors, tt.want)
			}
		})
	}
}

func TestCheckUpdateWrites(t *testing.T) {
	defer func(old bool) { *update = old }(*update)
	*update = true
	path := filepath.Join(t.TempDir(), "sub", "new.golden")
	r := &recorder{TB: t}
	Check(r, path, []byte("fresh\n"))
	got, err := os.ReadFile(path)
	if len(r.errors) != 0 || err != nil || string(got) != "fresh\n" {
		t.Errorf("after Check with -update: errors %q, file %q (%v), want the file to hold %q", r.errors, got, err, "fresh\n")
	}
}
