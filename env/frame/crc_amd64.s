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

// func bodyChecksum(p []byte) uint32
//
// CRC-32C of p by the CRC32 instruction, eight bytes at a time, then the
// last four, two and one as the length has them; a body longer than
// 64 bytes, or a processor without the instruction (haveCRC32
// false), goes to longChecksum, with the same arguments.
TEXT ·bodyChecksum(SB),NOSPLIT,$0-28
	MOVQ	p_len+8(FP), CX
	CMPQ	CX, $64
	JA	long
	CMPB	·haveCRC32(SB), $0
	JEQ	long
	MOVQ	p_base+0(FP), SI
	MOVL	$0xffffffff, AX
words:
	CMPQ	CX, $8
	JB	four
	CRC32Q	(SI), AX
	ADDQ	$8, SI
	SUBQ	$8, CX
	JMP	words
four:
	TESTQ	$4, CX
	JZ	two
	CRC32L	(SI), AX
	ADDQ	$4, SI
two:
	TESTQ	$2, CX
	JZ	one
	CRC32W	(SI), AX
	ADDQ	$2, SI
one:
	TESTQ	$1, CX
	JZ	done
	CRC32B	(SI), AX
done:
	NOTL	AX
	MOVL	AX, ret+24(FP)
	RET
long:
	JMP	·longChecksum(SB)
