/*
 * NEURON's virtual memory layout on Sv39 (the one place these numbers live).
 *
 *   0x0000_0000_0000_1000 .. USER_MAX             user space (page 0 stays unmapped)
 *   DIRECT_MAP_BASE + pa                          all RAM and MMIO, kernel-only, never X
 *   KERNEL_VIRT_BASE + (pa - KERNEL_PHYS_BASE)    the kernel image, W^X per section
 *   KSTACK_WINDOW_BASE ..                         kernel stacks with guard pages
 *
 * The kernel image is linked at KERNEL_VIRT_BASE and loaded at
 * KERNEL_PHYS_BASE (where OpenSBI's fw_jump enters); entry.S switches to
 * the high addresses before any C code runs. The whole lower half belongs
 * to user space, so no kernel mapping ever sits where a user one could.
 */
#ifndef NEURON_ARCH_MEMORY_LAYOUT_H
#define NEURON_ARCH_MEMORY_LAYOUT_H

/* Constants usable from C (unsigned long) and from assembly. */
#ifdef __ASSEMBLER__
#define LAYOUT_UL(x) x
#else
#define LAYOUT_UL(x) x##ul
#endif

#define PAGE_SIZE LAYOUT_UL(4096)
#define PAGE_SHIFT 12

#define USER_MIN LAYOUT_UL(0x1000)
#define USER_MAX LAYOUT_UL(0x4000000000) /* the Sv39 lower half: 256 GiB */

#define DIRECT_MAP_BASE LAYOUT_UL(0xffffffc000000000)
#define KERNEL_VIRT_BASE LAYOUT_UL(0xffffffff80000000)
#define KERNEL_PHYS_BASE LAYOUT_UL(0x80000000)

/* Kernel stacks: KSTACK_PAGES mapped pages per thread, each stack below an
 * unmapped guard page, in a window inside the kernel image's gigabyte. */
#define KSTACK_WINDOW_BASE LAYOUT_UL(0xffffffffa0000000)
#define KSTACK_WINDOW_SIZE LAYOUT_UL(0x10000000)
#define KSTACK_PAGES 4
#define KSTACK_SLOT_SIZE ((KSTACK_PAGES + 1) * PAGE_SIZE)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* A physical address as a kernel pointer, through the direct map. */
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa); }

/* The physical address of a kernel-image symbol (text, data, bss, stacks). */
static inline uint64_t kernel_image_phys(const void *va) {
  return (uint64_t)(uintptr_t)va - KERNEL_VIRT_BASE + KERNEL_PHYS_BASE;
}
#endif

#endif
