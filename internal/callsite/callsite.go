// Package callsite names the places in the user's code that Orrery keys
// things by (assertions by message and location, Buggify sites by program
// counter) in a form that is the same on every machine.
package callsite

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// PC returns the program counter skip frames above PC's caller (0 is the
// caller itself), or 0 if the stack is not that deep.
func PC(skip int) uintptr {
	var pc [1]uintptr
	if runtime.Callers(skip+2, pc[:]) == 0 {
		return 0
	}
	return pc[0]
}

var locations struct {
	sync.Mutex
	byPC map[uintptr]string // shared by every run of the process
}

// Location returns the call site of pc as "dir/file.go:line". Its file and
// line are looked up once per site per process, then served from a table.
func Location(pc uintptr) string {
	if pc == 0 {
		return "unknown"
	}
	locations.Lock()
	defer locations.Unlock()
	if loc, ok := locations.byPC[pc]; ok {
		return loc
	}
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	loc := ShortPath(frame.File) + ":" + strconv.Itoa(frame.Line)
	if locations.byPC == nil {
		locations.byPC = make(map[uintptr]string)
	}
	locations.byPC[pc] = loc
	return loc
}

// ShortPath keeps the last directory and the file name of a slash-separated
// path: enough to find the file, and the same on every machine, so that
// reports of runs sharded over machines merge.
func ShortPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return p
	}
	if j := strings.LastIndexByte(p[:i], '/'); j >= 0 {
		return p[j+1:]
	}
	return p
}
