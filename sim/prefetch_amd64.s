//go:build amd64 && !purego

#include "textflag.h"

// func prefetchLines(base unsafe.Pointer, mask uint64, size uintptr, fps []uint64) byte
TEXT ·prefetchLines(SB), NOSPLIT, $0-49
	MOVQ base+0(FP), DI
	MOVQ mask+8(FP), DX
	MOVQ size+16(FP), BX
	MOVQ fps_base+24(FP), SI
	MOVQ fps_len+32(FP), CX

loop:
	MOVQ  (SI), AX
	ANDQ  DX, AX
	IMULQ BX, AX
	PREFETCHT0 (DI)(AX*1)
	ADDQ  $8, SI
	DECQ  CX
	JNE   loop
	MOVB  $0, ret+48(FP)
	RET
