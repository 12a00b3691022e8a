"""Compiler options the kernel's modules share."""

# For modules off every measured path (the ELF loader and the boot archive
# reader, which run when a task is created; the console's formatting):
# compiled for size. They were 4,800 bytes of resident .text at -O2 and are
# 670 fewer at -Oz, for about 1,500 more instructions of boot (docs/kernel.md,
# code size).
KERNEL_COLD_COPTS = ["-Oz"]
