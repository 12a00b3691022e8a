/*
 * The kernel's global state on the one hart NEURON runs on today, and the
 * boot-time services the rest of the core uses. Everything here is set up
 * once by kmain() in this order: platform, memory, scheduler, first tasks.
 */
#ifndef NEURON_KERNEL_H
#define NEURON_KERNEL_H

#include <stdint.h>

#include "neuron/asid.h"
#include "neuron/ipc.h"
#include "neuron/kernel_stats.h"
#include "neuron/notification.h"
#include "neuron/page_alloc.h"
#include "neuron/platform.h"
#include "neuron/quota.h"
#include "neuron/sched.h"
#include "neuron/slab.h"
#include "neuron/sv39.h"
#include "neuron/vmo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counters a benchmark reads through the kernel_stats syscall (an ABI struct). */
typedef nx_kernel_stats_t kernel_counters_t;

typedef struct kernel {
  /* First, within 2 KiB of &kernel: what the assembly fastpaths touch, so
   * they reach all of it from one base register (trap.S leaves &kernel in
   * ra for them) with no address to build. */
  kernel_counters_t stats;
  /* Syscalls the assembly fastpaths completed with a switch to another
   * thread: each is a syscall and a context switch, which kernel_stats adds
   * to those counters (the fastpaths count once, the C paths count each). */
  uint64_t fast_switches;
  struct thread *current;  /* the running thread (NULL while the idle loop runs) */
  uint64_t armed_deadline; /* what the timer is armed for (SCHED_TIME_NONE: none) */
  /* &syscall_resume, the continuation a thread blocked in a syscall gets:
   * the fastpaths load it with one instruction instead of building it. */
  uint64_t syscall_resume;
  sched_t sched;
  asid_alloc_t asids; /* its hot fields first, its ASID bitmap last */
  platform_t platform;
  page_alloc_t pages; /* all free RAM */
  quota_t root_quota; /* every page charged anywhere is charged here too */
  sv39_space_t space; /* the kernel's own address space (ASID 0) */
  slab_cache_t tasks;
  slab_cache_t threads;
  slab_cache_t endpoints; /* kobject.c's records, one cache per type */
  slab_cache_t notifications;
  slab_cache_t waitsets;
  slab_cache_t channels;
  vmo_system_t vmos;
  ipc_system_t ipc;
  notify_system_t notify;
  uint64_t entry_instret;  /* rdinstret at _start */
  struct task *dead_tasks; /* task.c: records kept until their quota empties */
  uint32_t last_task_id;   /* task.c: the id the last task created got */
} kernel_t;

extern kernel_t kernel;

/* Sets up kernel.pages, kernel.space (W^X per kernel section, the direct
 * map of RAM and MMIO) and switches to it. Panics on failure: at boot there
 * is nothing to fall back to. */
void kmem_init(uint64_t dtb_phys, uint64_t dtb_size);

/* The end of boot: unmaps the code only boot runs (kernel.ld's .boot.text:
 * the entry, the device-tree reader, kmain and the init functions) and
 * gives its pages to the page allocator. Must not be called from that code,
 * which it cannot return to. */
void kmem_free_boot_code(void);

/* Prints the reason and ends the run with a failure code. */
__attribute__((noreturn)) void kpanic(const char *reason);

#ifdef __cplusplus
}
#endif

#endif
