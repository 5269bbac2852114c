package callsite

import (
	"reflect"
	"runtime"
	"strconv"
	"strings"
)

// Module is the import path of Orrery: its packages are the engine, whose
// frames a stack of the user's code leaves out.
const Module = "github.com/orrerysim/orrery"

// Frame is one frame of a stack: the function and where it was.
type Frame struct {
	Function string // with its package path: "github.com/x/bank.(*Server).apply"
	File     string // the full path, as the runtime gives it
	Line     int
}

// Location returns the frame's file and line as "dir/file.go:line".
func (f Frame) Location() string { return ShortPath(f.File) + ":" + strconv.Itoa(f.Line) }

// Callers returns the stack of the calling goroutine, skip frames above
// Callers' caller (0 is the caller itself), innermost first, at most max
// frames deep. Inlined calls are frames of their own, as in a panic's
// stack.
func Callers(skip, max int) []Frame {
	pcs := make([]uintptr, max)
	n := runtime.Callers(skip+2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	out := make([]Frame, 0, n)
	for {
		f, more := frames.Next()
		if f.Function != "" || f.File != "" {
			out = append(out, Frame{Function: f.Function, File: f.File, Line: f.Line})
		}
		if !more {
			return out
		}
	}
}

// Package returns the import path of the package that defines function, a
// name as the runtime gives it ("github.com/x/bank.(*Server).apply" is in
// "github.com/x/bank").
func Package(function string) string {
	slash := strings.LastIndexByte(function, '/')
	if dot := strings.IndexByte(function[slash+1:], '.'); dot >= 0 {
		return function[:slash+1+dot]
	}
	return function
}

// IsEngine reports whether f is a frame of Orrery's engine or of the Go
// runtime rather than of the user's code: a function of Orrery's packages
// (the root included) that is not in a _test.go file nor under examples/,
// or of runtime or iter.
func IsEngine(f Frame) bool {
	pkg := Package(f.Function)
	switch {
	case pkg == "runtime" || strings.HasPrefix(pkg, "runtime/") || pkg == "iter" ||
		strings.HasPrefix(pkg, "internal/"):
		return true
	case pkg != Module && !strings.HasPrefix(pkg, Module+"/"):
		return false
	case strings.HasPrefix(pkg, Module+"/examples/") || strings.HasSuffix(f.File, "_test.go"):
		return false
	}
	return true
}

// User returns the frames of the user's code in frames, in order; when there
// is none, it returns frames whole, so that a stack is never lost.
func User(frames []Frame) []Frame {
	var out []Frame
	for _, f := range frames {
		if !IsEngine(f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return frames
	}
	return out
}

// Where returns the innermost frame of the user's code as "dir/file.go:line",
// or "" if no frame is the user's. Frames of the standard library (a
// sync.Mutex, strings.Repeat) are not the user's: Where is their caller.
func Where(frames []Frame) string {
	for _, f := range frames {
		if !IsEngine(f) && !IsStd(f) {
			return f.Location()
		}
	}
	return ""
}

// goroot is where the standard library's files are, as frames name them:
// the directory of strings.Cut's file, less "strings/".
var goroot = func() string {
	pc := reflect.ValueOf(strings.Cut).Pointer()
	file, _ := runtime.FuncForPC(pc).FileLine(pc)
	dir, ok := strings.CutSuffix(file, "strings/strings.go")
	if !ok {
		return ""
	}
	return dir
}()

// IsStd reports whether f is a frame of the standard library: a package
// whose path has no dot in its first element, with its file in GOROOT.
func IsStd(f Frame) bool {
	pkg := Package(f.Function)
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".") && pkg != "main" && strings.HasPrefix(f.File, goroot)
}

// Format writes frames the way Go prints a stack, one "function\n\tfile:line"
// per frame, with short paths and no program counter offsets, so that the
// text is the same on every machine and in every run.
func Format(frames []Frame) string {
	var b strings.Builder
	for _, f := range frames {
		b.WriteString(f.Function)
		b.WriteString("\n\t")
		b.WriteString(f.Location())
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseGoroutine reads one goroutine of a runtime.Stack dump: its state
// ("chan receive" from "goroutine 7 [chan receive]:") and its frames,
// innermost first, each with the raw arguments the dump printed ("0xc000012345,
// 0x1?"). The "created by" line is not a frame.
func ParseGoroutine(block string) (state string, frames []Frame, args []string) {
	lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
	if len(lines) > 0 && strings.HasPrefix(lines[0], "goroutine ") {
		if i, j := strings.IndexByte(lines[0], '['), strings.LastIndexByte(lines[0], ']'); i >= 0 && j > i {
			state = lines[0][i+1 : j]
		}
		lines = lines[1:]
	}
	for i := 0; i+1 < len(lines); i++ {
		fn, loc := lines[i], lines[i+1]
		if strings.HasPrefix(fn, "created by ") || !strings.HasPrefix(loc, "\t") {
			continue
		}
		i++
		f, a := parseFrame(fn, loc)
		frames, args = append(frames, f), append(args, a)
	}
	return state, frames, args
}

// parseFrame reads a dump's two lines of a frame:
// "pkg.fn(0x1, 0x2)" and "\t/path/file.go:12 +0x1d".
func parseFrame(fn, loc string) (Frame, string) {
	var f Frame
	var args string
	f.Function = fn
	if strings.HasSuffix(fn, ")") {
		if i := strings.LastIndexByte(fn, '('); i > 0 {
			f.Function, args = fn[:i], fn[i+1:len(fn)-1]
		}
	}
	loc = strings.TrimPrefix(loc, "\t")
	if i := strings.LastIndex(loc, " +0x"); i >= 0 {
		loc = loc[:i]
	}
	if i := strings.LastIndexByte(loc, ':'); i >= 0 {
		f.File = loc[:i]
		f.Line, _ = strconv.Atoi(loc[i+1:])
	}
	return f, args
}
