package callsite

import "unsafe"

// haveFramePointers says that every Go function that calls another keeps
// the frame pointer: its caller's frame pointer at [BP], its return
// address at [BP+8] (the compiler's rule on amd64).
const haveFramePointers = true

// framePointer returns its caller's frame pointer.
func framePointer() unsafe.Pointer
