package cli

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/orrerysim/orrery/internal/shellword"
)

// programName is how this program's usage lines and replay commands
// invoke it, as the user did (see progName).
func programName() string {
	var b build
	if bi, ok := debug.ReadBuildInfo(); ok {
		b = build{pkg: bi.Path, module: bi.Main.Path, version: bi.Main.Version, replaced: bi.Main.Replace != nil}
	}
	wd, err := os.Getwd()
	if err != nil {
		return progName(os.Args[0], b, workModule{})
	}
	return progName(os.Args[0], b, findModule(wd))
}

// build is what progName needs of the program's build information.
type build struct {
	pkg      string // the main package's import path
	module   string // the path of the module that holds it
	version  string // that module's version: "(devel)" when built from its own tree
	replaced bool   // the module was replaced by a directory
}

// workModule is the module of the working directory.
type workModule struct {
	dir   string   // the working directory
	root  string   // the directory of its go.mod; "" when there is none
	path  string   // its module path
	tools []string // the packages its tool directives name
}

// progName names the program as a command that works when pasted in the
// working directory. A program the go command started (its executable lies
// in a go-build temporary directory or in the build cache) is named
// "go run ./cmd/orrery" when its package is in the working directory's
// module (the path relative to it), "go tool orrery" when that module
// names it as a tool, "go run <package>@<version>" otherwise; any other
// program, one installed or built, by its file name.
func progName(exe string, b build, wd workModule) string {
	if !startedByGo(exe) || b.pkg == "" {
		return filepath.Base(exe)
	}
	if wd.root != "" && wd.path == b.module {
		if rel, ok := localPackage(b, wd); ok {
			return "go run " + shellword.Quote(rel)
		}
	}
	for _, t := range wd.tools {
		if t == b.pkg {
			return "go tool " + toolName(b.pkg, wd.tools)
		}
	}
	if semver.IsValid(b.version) && !b.replaced {
		return "go run " + b.pkg + "@" + b.version
	}
	return "go run " + b.pkg
}

// goRunDir and goCacheDir match the directories the go command runs
// executables from: go run's temporary .../go-build123/b001/exe, and the
// build cache's .../ab/<hash>-d where go run and go tool keep the
// executables they built.
var (
	goRunDir   = regexp.MustCompile(`(^|/)go-build[0-9]+/b[0-9]+/exe$`)
	goCacheDir = regexp.MustCompile(`(^|/)[0-9a-f]{2}/[0-9a-f]{64}-d$`)
)

// startedByGo reports whether the executable exe was built and started by
// go run or go tool.
func startedByGo(exe string) bool {
	dir := path.Dir(filepath.ToSlash(exe))
	return goRunDir.MatchString(dir) || goCacheDir.MatchString(dir)
}

// localPackage returns the path of b's main package relative to the
// working directory, "./cmd/orrery" or "../cmd/orrery", as go run takes it.
func localPackage(b build, wd workModule) (string, bool) {
	sub, ok := strings.CutPrefix(b.pkg, b.module)
	if !ok || (sub != "" && sub[0] != '/') {
		return "", false
	}
	rel, err := filepath.Rel(wd.dir, filepath.Join(wd.root, filepath.FromSlash(sub)))
	if err != nil {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	if rel != "." && !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel, true
}

// toolName is how go tool names the tool pkg: the last element of its
// path when no other tool's ends the same, else the whole path.
func toolName(pkg string, tools []string) string {
	name := path.Base(pkg)
	for _, t := range tools {
		if t != pkg && path.Base(t) == name {
			return pkg
		}
	}
	return name
}

// findModule finds the module of the directory dir: the nearest go.mod at
// or above it. A go.mod that does not parse counts as none.
func findModule(dir string) workModule {
	wd := workModule{dir: dir}
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			f, err := modfile.Parse("go.mod", data, nil)
			if err != nil || f.Module == nil {
				return wd
			}
			wd.root, wd.path = d, f.Module.Mod.Path
			for _, t := range f.Tool {
				wd.tools = append(wd.tools, t.Path)
			}
			return wd
		}
		if filepath.Dir(d) == d {
			return wd
		}
	}
}
