//go:build !amd64

package callsite

import "unsafe"

const haveFramePointers = false

func framePointer() unsafe.Pointer { return nil }
