#include "textflag.h"

// func hasSSE42() bool
TEXT ·hasSSE42(SB),NOSPLIT,$0-1
	MOVL	$1, AX
	XORL	CX, CX
	CPUID
	SHRL	$20, CX
	ANDL	$1, CX
	MOVB	CX, ret+0(FP)
	RET

// func castagnoliSmall(p []byte) uint32
//
// CRC-32C of p by the CRC32 instruction, eight bytes at a time, then one.
TEXT ·castagnoliSmall(SB),NOSPLIT,$0-28
	MOVQ	p_base+0(FP), SI
	MOVQ	p_len+8(FP), CX
	MOVL	$0xffffffff, AX
words:
	CMPQ	CX, $8
	JB	bytes
	CRC32Q	(SI), AX
	ADDQ	$8, SI
	SUBQ	$8, CX
	JMP	words
bytes:
	TESTQ	CX, CX
	JZ	done
	CRC32B	(SI), AX
	INCQ	SI
	DECQ	CX
	JMP	bytes
done:
	NOTL	AX
	MOVL	AX, ret+24(FP)
	RET
