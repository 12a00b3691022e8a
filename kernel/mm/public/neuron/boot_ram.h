/*
 * RAM at boot: which of the machine's RAM the page allocator gets. The
 * kernel (kmem.c) knows the numbers (RAM, the firmware below the kernel, the
 * device tree, the boot archive, the kernel image); this module turns them
 * into allocator ranges, portable and tested on the host. It only runs at
 * boot (kernel.ld puts it in .boot.text).
 */
#ifndef NEURON_BOOT_RAM_H
#define NEURON_BOOT_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/page_alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Physical memory the allocator must not hand out: [base, end). */
typedef struct boot_ram_hole {
  uint64_t base, end;
} boot_ram_hole_t;

/* Hands [base, end) minus the holes to pa, one range per piece between
 * them. Holes may come in any order, overlap, reach outside [base, end) or
 * not be page aligned (each is widened to whole pages); they are sorted in
 * place. The piece that starts at in_use_base (if one does) starts with
 * in_use_pages pages in use (page_alloc_add_range_in_use()): the kernel
 * image, whose boot code is freed later. A piece the allocator refuses as
 * invalid (too small for a free page besides its records and pages in use,
 * or pages in use from address 0) is left out: its pages are never handed out, and
 * page_alloc_owns() tells the caller whether the pages in use made it. NX_OK, or the allocator's
 * NX_ERR_NOT_SUPPORTED (more pieces than ranges) or NX_ERR_OUT_OF_RANGE
 * (a piece of 2^32 pages or more): the pieces before stay added. */
int boot_ram_add(page_alloc_t *pa, uint64_t base, uint64_t end, boot_ram_hole_t *holes, size_t n,
                 uint64_t in_use_base, size_t in_use_pages);

#ifdef __cplusplus
}
#endif

#endif
