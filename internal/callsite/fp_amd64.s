#include "textflag.h"

// func framePointer() uintptr
//
// Without a frame of its own (NOFRAME), it leaves BP as its caller set it:
// the caller's frame pointer.
TEXT ·framePointer(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	BP, ret+0(FP)
	RET
