/*
 * Floating-point register save/restore for lazy FP switching (thread.c).
 * The kernel itself is built without F/D, so only this file may touch the
 * FP registers; its BUILD target assembles it with the D extension
 * (-march=rv64imafdc), which clang 14's assembler takes only from the
 * command line (it does not know `.option arch`).
 */
  .section .text.fpu, "ax"

#define FREG(op, n) op f##n, (n * 8)(a0)

/* fpu_save(uint64_t regs[33]): f0..f31, then fcsr. */
  .globl fpu_save
fpu_save:
  FREG(fsd, 0); FREG(fsd, 1); FREG(fsd, 2); FREG(fsd, 3)
  FREG(fsd, 4); FREG(fsd, 5); FREG(fsd, 6); FREG(fsd, 7)
  FREG(fsd, 8); FREG(fsd, 9); FREG(fsd, 10); FREG(fsd, 11)
  FREG(fsd, 12); FREG(fsd, 13); FREG(fsd, 14); FREG(fsd, 15)
  FREG(fsd, 16); FREG(fsd, 17); FREG(fsd, 18); FREG(fsd, 19)
  FREG(fsd, 20); FREG(fsd, 21); FREG(fsd, 22); FREG(fsd, 23)
  FREG(fsd, 24); FREG(fsd, 25); FREG(fsd, 26); FREG(fsd, 27)
  FREG(fsd, 28); FREG(fsd, 29); FREG(fsd, 30); FREG(fsd, 31)
  frcsr t0
  sd t0, (32 * 8)(a0)
  ret

/* fpu_restore(const uint64_t regs[33]). */
  .globl fpu_restore
fpu_restore:
  FREG(fld, 0); FREG(fld, 1); FREG(fld, 2); FREG(fld, 3)
  FREG(fld, 4); FREG(fld, 5); FREG(fld, 6); FREG(fld, 7)
  FREG(fld, 8); FREG(fld, 9); FREG(fld, 10); FREG(fld, 11)
  FREG(fld, 12); FREG(fld, 13); FREG(fld, 14); FREG(fld, 15)
  FREG(fld, 16); FREG(fld, 17); FREG(fld, 18); FREG(fld, 19)
  FREG(fld, 20); FREG(fld, 21); FREG(fld, 22); FREG(fld, 23)
  FREG(fld, 24); FREG(fld, 25); FREG(fld, 26); FREG(fld, 27)
  FREG(fld, 28); FREG(fld, 29); FREG(fld, 30); FREG(fld, 31)
  ld t0, (32 * 8)(a0)
  fscsr t0
  ret

/* fpu_zero(): a thread's first FP state, so it sees nothing of another's. */
  .globl fpu_zero
fpu_zero:
  fcvt.d.l f0, zero
  fsgnj.d f1, f0, f0; fsgnj.d f2, f0, f0; fsgnj.d f3, f0, f0
  fsgnj.d f4, f0, f0; fsgnj.d f5, f0, f0; fsgnj.d f6, f0, f0; fsgnj.d f7, f0, f0
  fsgnj.d f8, f0, f0; fsgnj.d f9, f0, f0; fsgnj.d f10, f0, f0; fsgnj.d f11, f0, f0
  fsgnj.d f12, f0, f0; fsgnj.d f13, f0, f0; fsgnj.d f14, f0, f0; fsgnj.d f15, f0, f0
  fsgnj.d f16, f0, f0; fsgnj.d f17, f0, f0; fsgnj.d f18, f0, f0; fsgnj.d f19, f0, f0
  fsgnj.d f20, f0, f0; fsgnj.d f21, f0, f0; fsgnj.d f22, f0, f0; fsgnj.d f23, f0, f0
  fsgnj.d f24, f0, f0; fsgnj.d f25, f0, f0; fsgnj.d f26, f0, f0; fsgnj.d f27, f0, f0
  fsgnj.d f28, f0, f0; fsgnj.d f29, f0, f0; fsgnj.d f30, f0, f0; fsgnj.d f31, f0, f0
  fscsr zero
  ret
