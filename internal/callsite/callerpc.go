package callsite

import (
	"sync"
	"unsafe"
)

// maxChainSkip is the deepest skip CallerPC serves from its table.
const maxChainSkip = 7

// chain is the return addresses of the frames between CallerPC and the
// frame it answers for, padded with zeros.
type chain [maxChainSkip + 1]uintptr

var chains struct {
	sync.Mutex
	pc map[chain]uintptr // PC's answer for each chain seen, shared by every run
}

// CallerPC returns what PC(skip) returns when called where CallerPC is:
// the program counter skip frames above CallerPC's caller. It asks
// runtime.Callers once per chain of calls that leads to it, then answers
// from a table.
//
// The key of the table is the return addresses of the skip+1 frames above
// CallerPC, read through the frame pointers: each names the function of
// its frame and where in it the call was made, and so which calls were
// inlined there; together they fix the logical frames that
// runtime.Callers counts, and so its answer. Where frame pointers are not
// kept (not amd64), or the stack ends first, it is PC(skip).
//
//go:noinline
func CallerPC(skip int) uintptr {
	if !haveFramePointers || skip < 0 || skip > maxChainSkip {
		return PC(skip + 1)
	}
	var key chain
	fp := framePointer() // CallerPC's frame
	for i := 0; i <= skip; i++ {
		if fp == nil {
			return PC(skip + 1)
		}
		key[i] = *(*uintptr)(unsafe.Add(fp, unsafe.Sizeof(fp)))
		fp = *(*unsafe.Pointer)(fp)
	}
	chains.Lock()
	pc, ok := chains.pc[key]
	chains.Unlock()
	if ok {
		return pc
	}
	pc = PC(skip + 1)
	chains.Lock()
	if chains.pc == nil {
		chains.pc = make(map[chain]uintptr)
	}
	chains.pc[key] = pc
	chains.Unlock()
	return pc
}
