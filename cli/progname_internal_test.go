package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestProgName: usage lines and replay commands name the program as the
// user invoked it, so that they work when pasted in the same directory:
// by its file name when installed or built, as go run of its directory
// when the go command started it from its own module, as go tool when the
// working directory's module declares it a tool, else as go run of its
// package at its version.
func TestProgName(t *testing.T) {
	const (
		cached  = "/root/.cache/go-build/86/86badacf75ee0d3b5ec4fcbc64a4f0cb38e0ba906cec12f47393edf1c7c87683-d/orrery"
		tempRun = "/tmp/go-build3642500812/b001/exe/orrery"
		pkg     = "github.com/orrerysim/orrery/cmd/orrery"
		mod     = "github.com/orrerysim/orrery"
	)
	orrery := build{pkg: pkg, module: mod, version: "(devel)"}
	released := build{pkg: pkg, module: mod, version: "v1.4.0"}
	repo := workModule{dir: "/src/orrery", root: "/src/orrery", path: mod, tools: []string{pkg}}
	user := workModule{dir: "/src/counter", root: "/src/counter", path: "example.com/counter", tools: []string{pkg}}
	tests := []struct {
		name string
		exe  string
		b    build
		wd   workModule
		want string
	}{
		{"installed", "/root/go/bin/orrery", released, user, "orrery"},
		{"built here", "./orrery", orrery, repo, "orrery"},
		{"built elsewhere", "/usr/local/bin/countersim", build{pkg: "example.com/counter/cmd/countersim", module: "example.com/counter"}, user, "countersim"},
		{"go run, first time", tempRun, orrery, repo, "go run ./cmd/orrery"},
		{"go run, cached", cached, orrery, repo, "go run ./cmd/orrery"},
		{"go run from a subdirectory", cached, orrery, workModule{dir: "/src/orrery/examples", root: "/src/orrery", path: mod}, "go run ../cmd/orrery"},
		{"go run from the package", cached, orrery, workModule{dir: "/src/orrery/cmd/orrery", root: "/src/orrery", path: mod}, "go run ."},
		{"go run of the user's own binary", cached, build{pkg: "example.com/counter/cmd/countersim", module: "example.com/counter", version: "(devel)"},
			user, "go run ./cmd/countersim"},
		{"go tool", cached, released, user, "go tool orrery"},
		{"go tool, replaced module", cached, build{pkg: pkg, module: mod, version: "v0.0.0", replaced: true}, user, "go tool orrery"},
		{"go tool, two tools named orrery", cached, released,
			workModule{dir: "/src/counter", root: "/src/counter", path: "example.com/counter", tools: []string{"example.com/other/orrery", pkg}}, "go tool " + pkg},
		{"go run of the package at a version", cached, released, workModule{dir: "/tmp"}, "go run " + pkg + "@v1.4.0"},
		{"go run of the package, in a module that does not list it", tempRun, released,
			workModule{dir: "/src/x", root: "/src/x", path: "example.com/x"}, "go run " + pkg + "@v1.4.0"},
		{"go run of a replaced package", cached, build{pkg: pkg, module: mod, version: "v0.0.0", replaced: true}, workModule{dir: "/tmp"}, "go run " + pkg},
		{"no build information", cached, build{}, user, "orrery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progName(tt.exe, tt.b, tt.wd); got != tt.want {
				t.Errorf("progName(%q) = %q, want %q", tt.exe, got, tt.want)
			}
		})
	}
}

// TestFindModule reads the module path and the tools of the nearest
// go.mod at or above a directory.
func TestFindModule(t *testing.T) {
	root := t.TempDir()
	gomod := "module example.com/counter\n\ngo 1.26\n\ntool github.com/orrerysim/orrery/cmd/orrery\n"
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "cmd", "countersim")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	got := findModule(sub)
	want := workModule{dir: sub, root: root, path: "example.com/counter", tools: []string{"github.com/orrerysim/orrery/cmd/orrery"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findModule = %+v, want %+v", got, want)
	}
}
