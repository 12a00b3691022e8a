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
#include "neuron/irq.h"
#include "neuron/kernel.h"
#include "neuron/kobject.h"
#include "neuron/rights.h"
#include "neuron/task.h"
#include "neuron/version.h"

#define USER_PRIORITY 10

kernel_t kernel;

__attribute__((noreturn)) void kmain(unsigned long hartid, uint64_t dtb_phys,
                                     uint64_t entry_instret);
extern char trap_entry[];

void kpanic(const char *reason) {
  kprintf("NEURON: panic: %s\n", reason);
  machine_exit(kernel.platform.uart.size ? &kernel.platform : 0, 3);
}

/* Where boot ends, in code that stays (kmain is in kernel.ld's .boot.text):
 * frees the boot code and never returns to it. */
__attribute__((noreturn, noinline)) static void run_after_boot(void) {
  kmem_free_boot_code();
  scheduler_run();
}

/* What the kernel hands every boot program (see nx_start_info_t): objects
 * made once at boot, each holding a kernel reference for good. */
static object_t debug_log = {OBJ_DEBUG_LOG, 1};
static vmo_t *bootfs_vmo, *uart_vmo;
static kinterrupt_t uart_irq;

static void make_boot_objects(void) {
  const platform_t *p = &kernel.platform;
  uint64_t base = p->initrd.base & ~(PAGE_SIZE - 1);
  uint64_t end = (p->initrd.base + p->initrd.size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  if (p->initrd.size && vmo_create_physical(&kernel.vmos, base, end - base, &bootfs_vmo) != NX_OK) {
    kpanic("cannot make the boot archive's VMO");
  }
  uint64_t ubase = p->uart.base & ~(PAGE_SIZE - 1);
  uint64_t uend = (p->uart.base + p->uart.size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  if (vmo_create_physical(&kernel.vmos, ubase, uend - ubase, &uart_vmo) != NX_OK) {
    kpanic("cannot make the UART's VMO");
  }
  interrupt_init(&uart_irq.intr);
  uart_irq.line = p->uart_irq;
}

/* Gives `task` a handle to `obj` (if any) with `rights`; 0 if none. */
static nx_handle_t give(task_t *task, object_t *obj, uint32_t rights) {
  nx_handle_value_t h = 0;
  if (obj) handle_install(&task->handles, obj, rights, &h);
  return h;
}

/* Starts every program under bin/ in the boot archive, in archive order,
 * each with the boot handles. */
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
    size_t len = 0;
    while (name[4 + len]) len++;
    task_t *task;
    /* init, the root task, runs above everything it starts, so that it can
     * start programs at any priority (task_create never goes above the
     * creator's). */
    bool root = len == 4 && name[4] == 'i' && name[5] == 'n' && name[6] == 'i' && name[7] == 't';
    int err = task_create(name + 4, len, e.data, e.size, root ? SCHED_PRIO_MAX : USER_PRIORITY,
                          &kernel.root_quota, TASK_BOOT_QUOTA_PAGES, &why, &task);
    if (err == NX_OK) {
      nx_start_info_t info = {0};
      /* Duplicate and transfer too: a boot program passes the log on to the
       * programs it starts (task_give needs both), or they could not print. */
      info.log = give(task, &debug_log, NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
      /* Map too: init reads its boot plan (etc/bootplan) in place. */
      info.bootfs = give(
          task, bootfs_vmo ? &bootfs_vmo->obj : 0,
          NX_RIGHT_READ | NX_RIGHT_EXECUTE | NX_RIGHT_MAP | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
      info.bootfs_size = bootfs_vmo ? vmo_size(bootfs_vmo) : 0;
      info.uart = give(task, &uart_vmo->obj, NX_DEFAULT_RIGHTS_VMO);
      info.uart_irq = give(task, irq_controller() && uart_irq.line ? &uart_irq.intr.obj : 0,
                           NX_DEFAULT_RIGHTS_INTERRUPT);
      why = "out of memory for its first thread";
      err = task_start(task, &info);
      object_drop(&task->obj); /* the creator's reference: the kernel keeps none */
    }
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
  unsigned hart_asid_bits = asid_bits_from_satp(csr_read(satp));
  csr_write(satp, satp);
  /* Fewer if the boot arguments say so (neuron.asid_bits). */
  unsigned asid_bits = hart_asid_bits < kernel.platform.asid_bits_max
                           ? hart_asid_bits
                           : (unsigned)kernel.platform.asid_bits_max;
  if (asid_init(&kernel.asids, asid_bits, 1) != NX_OK) {
    kpanic("too few ASIDs for the harts (neuron.asid_bits: 0, or 2 and more)");
  }
  if (slab_cache_init(&kernel.tasks, &kernel.pages, "task", sizeof(task_t), 16) != NX_OK ||
      slab_cache_init(&kernel.threads, &kernel.pages, "thread", sizeof(thread_t), 16) != NX_OK ||
      kobject_init() != NX_OK || vmo_system_init(&kernel.vmos, &kernel.pages) != NX_OK) {
    kpanic("cannot set up the kernel object caches");
  }
  if (irq_init(&kernel.platform) != NX_OK) kpanic("cannot set up the PLIC");
  wait_init();
  make_boot_objects();
  if (asid_bits == hart_asid_bits) {
    kprintf("NEURON: %u ASID bits\n", asid_bits);
  } else {
    kprintf("NEURON: %u ASID bits (neuron.asid_bits; the hart has %u)\n", asid_bits,
            hart_asid_bits);
  }
  sched_init(&kernel.sched);
  kernel.armed_deadline = SCHED_TIME_NONE; /* nothing armed yet */
  kernel.syscall_resume = (uint64_t)(uintptr_t)syscall_resume;
  csr_write(scounteren, SCOUNTEREN_CY_TM_IR);
  csr_clear(sstatus, SSTATUS_FS_MASK); /* FP off until a thread uses it */
  csr_write(sie, SIE_STIE | (irq_controller() ? SIE_SEIE : 0));
  sbi_set_timer(UINT64_MAX);
  start_programs();
  run_after_boot();
}
