/*
 * The machine NEURON runs on, as its device tree describes it. This is the
 * one place where hardware facts enter the kernel: drivers and the boot code
 * take addresses from here, never from constants.
 */
#ifndef NEURON_PLATFORM_H
#define NEURON_PLATFORM_H

#include <stdint.h>

#include "neuron/fdt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PLATFORM_MAX_VIRTIO 8

/* The slowest timebase the kernel accepts: its time slice is a hundredth
 * of a second, which must be at least one tick. */
#define PLATFORM_MIN_TIMEBASE_HZ 100u

/* platform_t.asid_bits_max when the boot arguments set no limit. */
#define PLATFORM_ASID_BITS_ANY 0xffu
/* The most a limit can be: satp's ASID field. */
#define PLATFORM_ASID_BITS_MAX 16u

typedef struct platform_region {
  uint64_t base;
  uint64_t size;
} platform_region_t;

typedef struct platform {
  platform_region_t memory;      /* the first RAM range */
  uint64_t memory_total;         /* all RAM ranges together */
  platform_region_t uart;        /* the ns16550a console (stdout-path) */
  uint32_t uart_irq;             /* its interrupt line on the PLIC; 0 if not given */
  platform_region_t test_device; /* sifive,test0 finisher; size 0 if absent */
  platform_region_t plic;        /* size 0 if absent or not wired to S-mode */
  uint32_t plic_sources;         /* riscv,ndev: the PLIC's lines are 1 .. plic_sources */
  uint32_t plic_context;         /* the PLIC context of the first hart's S-mode */
  platform_region_t initrd;      /* the boot archive QEMU loaded; size 0 if none */
  uint64_t timebase_hz;          /* rdtime ticks per second */
  uint32_t hart_count;
  uint32_t virtio_count;
  platform_region_t virtio[PLATFORM_MAX_VIRTIO];
  uint32_t virtio_irq[PLATFORM_MAX_VIRTIO];
  /* The most ASID bits to use (the hart may implement more): the boot
   * argument neuron.asid_bits=N, 0..16; PLATFORM_ASID_BITS_ANY without
   * one. A test boots with few, so that address spaces share ASIDs and the
   * allocator rolls its generations over. */
  uint32_t asid_bits_max;
} platform_t;

/* Fills *out from a validated tree. Missing essentials (memory, console,
 * timebase) give NX_ERR_NOT_FOUND and a reason in *why; a timebase below
 * PLATFORM_MIN_TIMEBASE_HZ, a broken initrd or PLIC node (no riscv,ndev,
 * interrupts-extended not in <phandle irq> pairs) or bootargs (not a
 * string, or a neuron.asid_bits= that is no number in 0..16)
 * NX_ERR_BAD_FORMAT. The bootargs words that do not start with "neuron."
 * are not the kernel's and are skipped. */
int platform_from_fdt(const fdt_t *fdt, platform_t *out, const char **why);

#ifdef __cplusplus
}
#endif

#endif
