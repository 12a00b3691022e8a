"""Compiler options the kernel's modules share."""

# For modules off every measured path (the ELF loader and the boot archive
# reader, which run when a task is created; the console's formatting):
# compiled for size. At -Oz the kernel's resident .text is 776 bytes smaller
# than at -O2, for 810 more instructions of boot.to_init (docs/kernel.md,
# code size).
KERNEL_COLD_COPTS = ["-Oz"]
