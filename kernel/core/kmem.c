/*
 * Kernel memory at boot: hands every free page of RAM to the page
 * allocator and builds the kernel's address space:
 *   - the kernel image at KERNEL_VIRT_BASE, text R-X, rodata R--, data RW-;
 *   - the direct map of RAM and of the platform's MMIO regions, RW-, never X;
 * then switches from entry.S's boot table (RWX gigapages) to it. When boot
 * is done, the pages of the code only boot runs go to the allocator too.
 */
#include "neuron/arch/csr.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/boot_ram.h"
#include "neuron/console.h"
#include "neuron/errors.h"
#include "neuron/kernel.h"

/* NOLINTNEXTLINE(bugprone-reserved-identifier): the names kernel.ld defines */
extern char __kernel_start[], __boot_text_start[], __boot_text_end[], __text_end[];
/* NOLINTNEXTLINE(bugprone-reserved-identifier): the names kernel.ld defines */
extern char __rodata_start[], __data_start[], __kernel_end[];

static uint64_t page_down(uint64_t x) { return x & ~(PAGE_SIZE - 1); }
static uint64_t page_up(uint64_t x) { return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

static void map_or_panic(uint64_t va, uint64_t pa, uint64_t size, sv39_perm_t perms) {
  if (size == 0) return;
  if (sv39_map(&kernel.space, va, pa, size, perms | SV39_PERM_G, 0) != NX_OK) {
    kpanic("cannot build the kernel page table");
  }
}

static void map_image(char *start, char *end, sv39_perm_t perms) {
  uint64_t va = (uint64_t)(uintptr_t)start;
  map_or_panic(va, kernel_image_phys(start), page_up((uint64_t)(uintptr_t)end) - va, perms);
}

static void map_mmio(const platform_region_t *r) {
  if (r->size == 0) return;
  uint64_t base = page_down(r->base);
  map_or_panic(DIRECT_MAP_BASE + base, base, page_up(r->base + r->size) - base,
               SV39_PERM_R | SV39_PERM_W);
}

void kmem_init(uint64_t dtb_phys, uint64_t dtb_size) {
  const platform_t *p = &kernel.platform;
  uint64_t ram_base = p->memory.base, ram_end = p->memory.base + p->memory.size;

  /* What the allocator must not hand out: the firmware below the kernel,
   * the device tree and the boot archive. The kernel image is in use in the
   * first range instead, so that its boot code can be freed into it. */
  uint64_t image = kernel_image_phys(__kernel_start);
  boot_ram_hole_t holes[3] = {
      {ram_base, image},
      {dtb_phys, dtb_phys + dtb_size},
      {p->initrd.base, p->initrd.base + p->initrd.size},
  };
  if (page_alloc_init(&kernel.pages, PAGE_ALLOC_DEFAULT_MAX_ORDER, DIRECT_MAP_BASE) != NX_OK ||
      boot_ram_add(&kernel.pages, ram_base, ram_end, holes, p->initrd.size ? 3 : 2, image,
                   (page_up(kernel_image_phys(__kernel_end)) - image) / PAGE_SIZE) != NX_OK) {
    kpanic("cannot hand RAM to the page allocator");
  }
  quota_init(&kernel.root_quota, 0, QUOTA_UNLIMITED);

  if (sv39_init(&kernel.space, &kernel.pages, &kernel.root_quota, 0, 0) != NX_OK) {
    kpanic("cannot create the kernel address space");
  }
  map_image(__kernel_start, __text_end, SV39_PERM_R | SV39_PERM_X); /* .boot.text, .text */
  map_image(__rodata_start, __data_start, SV39_PERM_R);
  map_image(__data_start, __kernel_end, SV39_PERM_R | SV39_PERM_W);
  map_or_panic(DIRECT_MAP_BASE + ram_base, ram_base, p->memory.size, SV39_PERM_R | SV39_PERM_W);
  map_mmio(&p->uart);
  map_mmio(&p->test_device);
  map_mmio(&p->plic);
  /* Kernel stacks live in their own window of the image's gigabyte, with
   * unmapped guard pages between them; reserving its top-level entry now
   * makes stacks mapped later visible in every address space. */
  if (sv39_reserve_top(&kernel.space, KSTACK_WINDOW_BASE, KSTACK_WINDOW_SIZE) != NX_OK) {
    kpanic("cannot reserve the kernel stack window");
  }
  csr_write(satp, sv39_satp(&kernel.space));
  __asm__ volatile("sfence.vma" ::: "memory");
  kprintf("memory: %lu KiB free after the kernel page table (%lu table pages)\n",
          (unsigned long)(page_alloc_free_pages(&kernel.pages) * 4),
          (unsigned long)kernel.space.table_pages);
}

void kmem_free_boot_code(void) {
  uint64_t va = (uint64_t)(uintptr_t)__boot_text_start;
  uint64_t size = (uint64_t)(uintptr_t)__boot_text_end - va;
  uint64_t pa = kernel_image_phys(__boot_text_start);
  /* The mapping goes first, and with it every TLB entry (the mapping is
   * global): no stale translation may execute the pages once they hold
   * someone's data. Every address space shares these kernel tables. */
  if (sv39_unmap(&kernel.space, va, size, 0) != NX_OK) kpanic("cannot unmap the boot code");
  __asm__ volatile("sfence.vma" ::: "memory");
  /* The pages are in use in the allocator's first range (boot_ram_add()),
   * unless the device tree or the boot archive left it no room. */
  if (!page_alloc_owns(&kernel.pages, pa)) {
    kprintf("NEURON: boot code unmapped; its pages stay reserved\n");
    return;
  }
  for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
    if (page_alloc_free(&kernel.pages, pa + off, 0) != NX_OK) {
      kpanic("cannot free the boot code's pages");
    }
  }
  kprintf("NEURON: boot code freed: %lu KiB\n", (unsigned long)(size >> 10));
}
