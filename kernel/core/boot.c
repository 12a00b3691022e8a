/*
 * kmain: where NEURON's C code starts. The architecture entry calls it with
 * the boot hart's id, the device tree's physical address and the
 * instruction count at entry. It validates the tree, learns the machine
 * from it, sets up memory and the scheduler, starts the programs of the
 * boot archive and runs them.
 */
#include "neuron/arch/csr.h"
#include "neuron/arch/machine.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/arch/sbi.h"
#include "neuron/bootfs.h"
#include "neuron/console.h"
#include "neuron/errors.h"
#include "neuron/fdt.h"
#include "neuron/kernel.h"
#include "neuron/task.h"
#include "neuron/version.h"

#define USER_PRIORITY 10

kernel_t kernel;
kernel_counters_t kstats;

__attribute__((noreturn)) void kmain(unsigned long hartid, uint64_t dtb_phys,
                                     uint64_t entry_instret);
extern char trap_entry[];

void kpanic(const char *reason) {
  kprintf("NEURON: panic: %s\n", reason);
  machine_exit(kernel.platform.uart.size ? &kernel.platform : 0, 3);
}

/* Starts every program under bin/ in the boot archive, in archive order. */
static void start_programs(void) {
  const platform_t *p = &kernel.platform;
  if (!p->initrd.size) {
    kprintf("NEURON: no boot archive\n");
    return;
  }
  bootfs_t fs;
  const char *why = "";
  if (bootfs_open(&fs, phys_to_virt(p->initrd.base), p->initrd.size, &why) != NX_OK) {
    kprintf("NEURON: boot archive rejected: %s\n", why);
    return;
  }
  size_t cursor = BOOTFS_ITER_START;
  bootfs_entry_t e;
  while (bootfs_next(&fs, &cursor, &e) == NX_OK) {
    const char *name = e.name;
    if (name[0] != 'b' || name[1] != 'i' || name[2] != 'n' || name[3] != '/') continue;
    int err = task_spawn(name + 4, e.data, e.size, USER_PRIORITY, &why);
    if (err != NX_OK) {
      kprintf("NEURON: %s refused: %s (%s)\n", name, why, nx_error_name(err));
    }
  }
}

void kmain(unsigned long hartid, uint64_t dtb_phys, uint64_t entry_instret) {
  kernel.entry_instret = entry_instret;
  console_set_output(sbi_console_putc);
  const void *dtb = dtb_phys ? phys_to_virt(dtb_phys) : 0;
  fdt_t fdt;
  const char *why = "no device tree";
  uint32_t size = dtb ? fdt_header_total_size(dtb) : 0;
  if (!dtb || fdt_open(&fdt, dtb, size, &why) != NX_OK) {
    kprintf("NEURON: device tree rejected: %s\n", why);
    machine_exit(0, 1);
  }
  if (platform_from_fdt(&fdt, &kernel.platform, &why) != NX_OK) {
    kprintf("NEURON: device tree incomplete: %s\n", why);
    machine_exit(0, 1);
  }
  machine_console_init(&kernel.platform);
  kprintf("NEURON %s hart %lu\n", NEURON_VERSION, hartid);
  kprintf("memory: %lu MiB at %#lx\n", (unsigned long)(kernel.platform.memory_total >> 20),
          (unsigned long)kernel.platform.memory.base);

  kmem_init(dtb_phys, size);
  csr_write(stvec, (uint64_t)(uintptr_t)trap_entry);
  csr_write(sscratch, 0);
  /* Find how many ASID bits the hart implements: write all ones, read back. */
  uint64_t satp = csr_read(satp);
  csr_write(satp, satp | ASID_SATP_MASK);
  unsigned asid_bits = asid_bits_from_satp(csr_read(satp));
  csr_write(satp, satp);
  if (asid_init(&kernel.asids, asid_bits, 1) != NX_OK ||
      slab_cache_init(&kernel.tasks, &kernel.pages, "task", sizeof(task_t), 16) != NX_OK ||
      slab_cache_init(&kernel.threads, &kernel.pages, "thread", sizeof(thread_t), 16) != NX_OK) {
    kpanic("cannot set up the kernel object caches");
  }
  kprintf("NEURON: %u ASID bits\n", asid_bits);
  sched_init(&kernel.sched);
  csr_write(scounteren, SCOUNTEREN_CY_TM_IR);
  csr_clear(sstatus, SSTATUS_FS_MASK); /* FP off until a thread uses it */
  csr_write(sie, SIE_STIE);
  sbi_set_timer(UINT64_MAX);
  start_programs();
  scheduler_run();
}
