/*
 * Threads: kernel stacks with guard pages, the scheduler loop, the tickless
 * timer and thread exit.
 *
 * One hart, interrupts off in the kernel: nothing here needs a lock. Each
 * thread has its own kernel stack, so a thread preempted or sleeping
 * inside a syscall simply stays in the middle of its C frames, while one
 * that blocks in IPC or in a notification wait leaves a continuation
 * instead (block_to_continuation); schedule() switches straight from one thread to
 * the next (no separate scheduler thread), and when nothing is ready it
 * waits for the timer on the current stack.
 */
#include "neuron/arch/csr.h"
#include "neuron/arch/machine.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/arch/sbi.h"
#include "neuron/console.h"
#include "neuron/errors.h"
#include "neuron/irq.h"
#include "neuron/kernel.h"
#include "neuron/mm.h"
#include "neuron/task.h"

#define KSTACK_SLOTS 256
#define KSTACK_ORDER 2 /* 1 << 2 = KSTACK_PAGES */
_Static_assert((1 << KSTACK_ORDER) == KSTACK_PAGES, "kernel stack order and pages disagree");
_Static_assert(KSTACK_SLOTS *KSTACK_SLOT_SIZE <= KSTACK_WINDOW_SIZE, "stack window too small");

static thread_t *zombie; /* the last thread that died, freed by the next one */
static uint64_t stack_slots[KSTACK_SLOTS / 64];
static uint32_t next_thread_id = 1;
static arch_context_t boot_context; /* where kmain's stack is parked for good */
static uint32_t live_threads;

static int slot_alloc(void) {
  for (int i = 0; i < KSTACK_SLOTS; i++) {
    if (!(stack_slots[i / 64] & (1ull << (i % 64)))) {
      stack_slots[i / 64] |= 1ull << (i % 64);
      return i;
    }
  }
  return NX_ERR_NO_MEMORY;
}

static void slot_free(uint32_t i) { stack_slots[i / 64] &= ~(1ull << (i % 64)); }

/* Resuming `t` runs `continuation` on its trap frame, whatever its kernel
 * stack holds: syscall_resume returns to user mode with the frame as it is
 * (the syscall's results already in it), wait_resume first completes a
 * notification or wait-set wait (both in trap.S).
 *
 * The rule the switches keep (seL4's: a thread in user mode has no kernel
 * context): every thread that is not switched out in the middle of kernel
 * work has the continuation syscall_resume. A new thread gets it; one that
 * runs again after a switch (switch_to) or after its wait's continuation
 * (wait_resume, notify_fast.S) gets it back. So a thread that enters a
 * syscall has it already, and a switch that leaves the thread to resume
 * from its frame (the IPC hand-offs, a wake that preempts, the assembly
 * fastpaths) sets nothing. */
static void set_continuation(thread_t *t, void (*continuation)(void)) {
  t->context.ra = (uint64_t)(uintptr_t)continuation;
  t->context.sp = (uint64_t)(uintptr_t)t->frame;
}

int thread_create(task_t *task, uint64_t entry, uint64_t user_sp, uint64_t arg, unsigned priority,
                  thread_t **out) {
  thread_t *t = slab_alloc(&kernel.threads, SLAB_ZERO);
  if (!t) return NX_ERR_NO_MEMORY;
  int slot = slot_alloc();
  int err = slot;
  if (slot < 0) goto fail_slot;
  err = mm_alloc_pages(&kernel.pages, &task->quota, KSTACK_ORDER, PAGE_ALLOC_ZERO, &t->stack_pa);
  if (err != NX_OK) goto fail_pages;
  /* The first page of each slot stays unmapped: an overflow faults there. */
  t->stack_va = KSTACK_WINDOW_BASE + (uint64_t)slot * KSTACK_SLOT_SIZE + PAGE_SIZE;
  err = sv39_map(&kernel.space, t->stack_va, t->stack_pa, KSTACK_PAGES * PAGE_SIZE,
                 SV39_PERM_R | SV39_PERM_W | SV39_PERM_G, 0);
  if (err != NX_OK) goto fail_map;
  /* A 10 ms slice: at least a tick (PLATFORM_MIN_TIMEBASE_HZ). */
  err = sched_entity_init(&t->sched, priority, kernel.platform.timebase_hz / 100);
  if (err != NX_OK) goto fail_sched;

  t->stack_slot = (uint32_t)slot;
  t->task = task;
  t->id = next_thread_id++;
  t->frame = (trap_frame_t *)(uintptr_t)(t->stack_va + KSTACK_PAGES * PAGE_SIZE) - 1;
  t->frame->sepc = entry;
  t->frame->sp = user_sp;
  t->frame->a[0] = arg;
  t->frame->thread = (uint64_t)(uintptr_t)t;
  t->frame->kernel = (uint64_t)(uintptr_t)&kernel;
  set_continuation(t, syscall_resume); /* its first run: to user mode, from the frame */
  ipc_thread_init(&t->ipc, &task->handles, priority);
  notify_waiter_init(&t->waiter);
  t->task_next = task->threads;
  task->threads = t;
  sched_wake(&kernel.sched, &t->sched);
  task->live_threads++;
  live_threads++;
  *out = t;
  return NX_OK;

fail_sched:
  sv39_unmap(&kernel.space, t->stack_va, KSTACK_PAGES * PAGE_SIZE, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
fail_map:
  mm_free_pages(&kernel.pages, &task->quota, t->stack_pa, KSTACK_ORDER);
fail_pages:
  slot_free((uint32_t)slot);
fail_slot:
  slab_free(&kernel.threads, t);
  return err;
}

/* Frees a dead thread's stack and struct (never the running one's); the
 * task ends with its last thread. */
static void reap(thread_t *t) {
  sv39_unmap(&kernel.space, t->stack_va, KSTACK_PAGES * PAGE_SIZE, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  task_t *task = t->task;
  mm_free_pages(&kernel.pages, &task->quota, t->stack_pa, KSTACK_ORDER);
  slot_free(t->stack_slot);
  slab_free(&kernel.threads, t);
  if (task->live_threads == 0) task_end(task);
}

/* Takes `t` out of everything it may be waiting in and out of its task's
 * list: from here on nothing in the kernel points at it. Not inlined: a
 * thread's exit and its task's share it. */
__attribute__((noinline)) static void detach(thread_t *t) {
  ipc_thread_cancel(&kernel.ipc, &t->ipc);
  syscall_wait_cancel(t);
  /* A revoke must not stay on the list of revokes in progress with its
   * state freed: finish it (the work it has left, done now). */
  while (cap_revoke_step(&t->revoke, UINT32_MAX)) {
  }
  sched_exit(&kernel.sched, &t->sched);
  for (thread_t **p = &t->task->threads; *p; p = &(*p)->task_next) {
    if (*p == t) {
      *p = t->task_next;
      break;
    }
  }
  t->task->live_threads--;
  live_threads--;
}

void reap_zombie(void) {
  if (zombie && zombie != kernel.current) {
    thread_t *z = zombie;
    zombie = 0; /* first: reaping may switch threads, and another may die */
    reap(z);
  }
}

/* Programs the timer for the scheduler's next deadline. `exact` also moves
 * it later or disarms it; otherwise (between two threads) an armed deadline
 * that is earlier than needed is left alone: firing early costs one
 * interrupt that finds nothing to do, while writing the timer costs an SBI
 * call on every switch. The idle path is always exact, so an idle system
 * has no timer armed. Not inlined: five paths share it. */
__attribute__((noinline)) static void timer_program(bool exact) {
  uint64_t now = rdtime();
  uint64_t deadline = sched_next_deadline(
      &kernel.sched, now, kernel.current ? &kernel.current->sched : (sched_entity_t *)0);
  if (deadline == kernel.armed_deadline ||
      (!exact && kernel.armed_deadline && kernel.armed_deadline < deadline)) {
    return;
  }
  kernel.armed_deadline = deadline;
  kernel.stats.timer_programs++;
  sbi_set_timer(deadline); /* SCHED_TIME_NONE (UINT64_MAX) disarms it */
}

void timer_rearm(void) { timer_program(true); }

/* A thread READY at the level of the running thread `t` takes turns with
 * it only once t's slice end is armed (alone at its level, t runs with no
 * timer): whether a deadline no later is armed already (the lazy rule of
 * timer_program(), without reading the clock). */
static bool slice_end_covered(const thread_t *t) {
  const sched_entity_t *e = &t->sched;
  return kernel.armed_deadline && kernel.armed_deadline <= e->slice_end;
}

uint64_t kernel_now(void) { return rdtime(); }

/*
 * Lazy FP: sstatus.FS is Off while a thread that never used FP runs, so it
 * pays nothing. Its first FP instruction traps; thread_fp_first_use() turns
 * FP on with zeroed registers. From then on its registers are saved when it
 * is switched out having changed them (FS Dirty) and restored when it is
 * switched in; threads without FP neither save nor restore anything.
 * Not inlined into enter(): ipc_fast.S calls it too, and one copy serves
 * both.
 */
__attribute__((noinline)) void thread_fp_switch(thread_t *prev, thread_t *next) {
  if (prev && prev->fp_used && (csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY) {
    fpu_save(&prev->fp);
  }
  csr_clear(sstatus, SSTATUS_FS_MASK);
  if (next->fp_used) {
    csr_set(sstatus, SSTATUS_FS_INITIAL); /* FP on, so the registers can be loaded */
    fpu_restore(&next->fp);
    csr_clear(sstatus, SSTATUS_FS_MASK);
    csr_set(sstatus, SSTATUS_FS_CLEAN);
  }
}

bool thread_fp_first_use(void) {
  if (!kernel.current || kernel.current->fp_used ||
      (csr_read(sstatus) & SSTATUS_FS_MASK) != SSTATUS_FS_OFF) {
    return false;
  }
  kernel.current->fp_used = true;
  csr_set(sstatus, SSTATUS_FS_INITIAL);
  fpu_zero();
  return true;
}

/* Loads task's address space. The satp value is kept per task: while the
 * space's ASID tag is of the current generation and the ASID needs no
 * flush, switching is a CSR write (asid_switch_fast); otherwise
 * sv39_activate() assigns one, which is the only change a live space's tag
 * sees (asid_switch() through it), and satp is made again for it. */
static void switch_space(task_t *task) {
  sv39_space_t *space = &task->space;
  if (!asid_switch_fast(&kernel.asids, 0, space->asid_tag)) {
    unsigned flags = 0;
    if (sv39_activate(space, 0, &task->satp, &flags) != NX_OK) kpanic("no ASID");
    csr_write(satp, task->satp);
    if (flags & ASID_FLUSH_LOCAL) __asm__ volatile("sfence.vma" ::: "memory");
    return;
  }
  csr_write(satp, task->satp);
}

/* What every switch from `prev` (NULL at boot) to `next` does before next
 * runs: the user gp and tp (which the kernel leaves alone, so they are
 * still prev's), its FP state (nothing when neither uses FP: FS is Off
 * already, as prev never turned it on), `current`, its address space, the
 * counter. Not inlined into the three switches: the hot switches are the
 * assembly fastpaths (switch_fast.h's ENTER_NEXT is this, in place). */
__attribute__((noinline)) static void enter(thread_t *prev, thread_t *next) {
  if (prev)
    __asm__ volatile("sd gp, %0\n sd tp, %1" : "=m"(prev->frame->gp), "=m"(prev->frame->tp));
  __asm__ volatile("ld gp, %0\n ld tp, %1" : : "m"(next->frame->gp), "m"(next->frame->tp));
  if (!prev || prev->fp_used || next->fp_used) thread_fp_switch(prev, next);
  kernel.current = next;
  if (!prev || prev->task != next->task) switch_space(next->task);
  kernel.stats.context_switches++;
}

/* Switches to `next` (which the scheduler has picked) from `prev`, saving
 * prev's kernel context in *save; `retime`: whether the timer may need to
 * change. */
static void switch_to(thread_t *prev, thread_t *next, arch_context_t *save, bool retime) {
  enter(prev, next);
  if (retime) timer_program(false);
  if (!kernel.stats.boot_instret) {
    /* The first switch to user space: boot is done but for the switch itself. */
    kernel.stats.boot_instret = rdinstret() - kernel.entry_instret;
  }
  context_switch(save, &next->context);
  /* This thread runs again: its saved context is spent, and it resumes from
   * its frame if it leaves again without one (set_continuation's rule). */
  set_continuation(kernel.current, syscall_resume);
  reap_zombie();
}

/* The timer fired: counts it and wakes the sleepers that are due, with
 * `running` (NULL when idle) the thread it interrupted. Reads the time into
 * *now; true if `running` must give way. Never switches. Not inlined: the
 * interrupt and the idle loop share it. */
__attribute__((noinline)) static bool timer_tick(sched_entity_t *running, uint64_t *now) {
  kernel.stats.timer_irqs++;
  /* It fired and stays pending until the timer is written again, so the
   * next timer_rearm() must write it even to disarm it. */
  kernel.armed_deadline = 0;
  uint64_t before = kernel.sched.counters.woken;
  *now = rdtime();
  bool resched = sched_tick(&kernel.sched, *now, running);
  kernel.stats.wakeups += kernel.sched.counters.woken - before;
  if (!resched && kernel.sched.counters.woken == before) kernel.stats.timer_irqs_idle++;
  return resched;
}

/* Waits (interrupts off) until the timer fires, then lets it wake sleepers.
 * No thread runs (current is NULL), so none is preempted: this is
 * timer_interrupt() without its schedule(), which is what called us. */
static void idle_wait(void) {
  if (live_threads == 0) {
    kprintf("NEURON: no threads left, powering off\n");
    machine_exit(&kernel.platform, 0);
  }
  timer_rearm();
  __asm__ volatile("wfi");
  if (csr_read(sip) & SIP_STIP) {
    uint64_t now;
    (void)timer_tick(0, &now);
    timer_rearm();
  }
  if (csr_read(sip) & SIP_SEIP) irq_external();
}

/* Runs the most urgent ready thread, saving the current kernel context in
 * *save; returns when that context is resumed, or at once if the current
 * thread is picked again. */
static void schedule_saving(arch_context_t *save) {
  thread_t *prev = kernel.current;
  sched_entity_t *e;
  while (!(e = sched_pick(&kernel.sched, rdtime()))) {
    kernel.current = 0;
    idle_wait();
  }
  thread_t *next = (thread_t *)e;
  if (next == prev) {
    kernel.current = prev;
    timer_program(false);
    return;
  }
  switch_to(prev, next, save, true);
}

void schedule(void) { schedule_saving(kernel.current ? &kernel.current->context : &boot_context); }

void thread_run_woken(thread_t *woken) {
  thread_t *prev = kernel.current;
  kernel.stats.wakeups++;
  /* prev resumes from its frame, where its syscall's result is already
   * (its continuation is syscall_resume: set_continuation's rule). */
  sched_wake_preempting(&kernel.sched, &prev->sched, &woken->sched, rdtime());
  enter(prev, woken);
  /* No timer work: no sleeper changed, and woken needs no slice end, as
   * nothing is READY at its level (sched_wake_would_preempt held, and prev
   * went back to its own, lower one). An armed deadline for prev's slice
   * may fire early, harmlessly. */
  context_continue(&woken->context);
}

/* The current thread, RUNNING, gives the CPU to a more urgent READY
 * thread: back to the head of its level keeping its slice; returns when it
 * runs again. */
static void thread_preempt_current(void) {
  thread_t *prev = kernel.current;
  uint64_t now = rdtime();
  sched_preempt(&kernel.sched, &prev->sched, now);
  thread_t *next = (thread_t *)sched_pick(&kernel.sched, now); /* prev at least */
  if (next == prev) return;
  /* No sleeper changed and prev only went back to its queue: the timer needs
   * a change only for a slice end of next's, when a peer waits at its level
   * (an armed deadline for prev's slice may fire early, harmlessly). */
  switch_to(prev, next, &prev->context, sched_ready_at(&kernel.sched, next->sched.prio));
}

/* kernel_preempt_check()'s rare cases, apart so that its common ones need
 * no stack frame: a READY thread above t's level runs now; for one at its
 * level, t's slice end is armed. */
__attribute__((noinline)) static void preempt_or_arm(thread_t *t) {
  if (!sched_none_above(&kernel.sched, t->sched.prio)) {
    thread_preempt_current();
  } else {
    timer_program(false);
  }
}

void kernel_preempt_check(void) {
  thread_t *t = kernel.current;
  /* t is RUNNING (in a syscall, or interrupted). Nothing to do when no
   * thread at or above its level is READY, or only peers at its level and
   * its slice end is armed already. */
  if (!t || !sched_ready_from(&kernel.sched, t->sched.prio)) return;
  if (sched_none_above(&kernel.sched, t->sched.prio) && slice_end_covered(t)) return;
  preempt_or_arm(t);
}

/* Where a thread that blocks with a continuation saves the context it will
 * never resume (its continuation is what the next switch loads). */
static arch_context_t discarded_context;

/* Blocks the current thread, which runs its continuation (completing its
 * syscall and returning to user mode from its frame) when it runs again,
 * and runs others. */
__attribute__((noreturn)) static void block_to_continuation(void) {
  thread_t *self = kernel.current;
  schedule_saving(&discarded_context);
  /* self was picked again at once (woken while this stack idled): its
   * continuation ends the syscall all the same. */
  context_continue(&self->context);
}

/* Its continuation is syscall_resume already (set_continuation's rule). */
void thread_block_ipc(void) { block_to_continuation(); }

void thread_block_wait(void) {
  set_continuation(kernel.current, wait_resume);
  block_to_continuation();
}

void thread_yield(thread_t *self) {
  /* Its yield is complete: it resumes from its frame (as a yield through
   * yield_fast.S leaves it), so that its peer's next yield can take the
   * fastpath too, which needs a peer that resumes from its frame. */
  self->frame->a[0] = 0;
  sched_relinquish(&kernel.sched, &self->sched);
  block_to_continuation(); /* syscall_resume, as every running thread's */
}

void thread_handoff_user(thread_t *next) {
  thread_t *prev = kernel.current;
  sched_handoff(&prev->sched, &next->sched); /* prev resumes from its frame */
  enter(prev, next);
  /* Only a READY peer at next's priority can need a new deadline (a
   * round-robin slice end): the sleepers did not change, and next runs on
   * the rest of prev's slice, which the armed timer already covers if prev
   * needed it. */
  if (sched_ready_at(&kernel.sched, next->sched.prio)) timer_program(false);
  thread_resume_user(next->frame);
}

void scheduler_run(void) {
  kernel.current = 0;
  schedule();
  kpanic("the boot context was resumed");
}

void timer_interrupt(void) {
  sched_entity_t *running = kernel.current ? &kernel.current->sched : (sched_entity_t *)0;
  uint64_t now;
  bool resched = timer_tick(running, &now);
  if (resched && running) {
    sched_preempt(&kernel.sched, running, now);
    schedule();
  } else {
    timer_rearm();
  }
}

/* Detaches every thread of `task` but `keep` (none of them is running: one
 * hart) and returns them linked through task_next, for reap_all(). */
static thread_t *detach_all_but(task_t *task, const thread_t *keep) {
  thread_t *victims = 0;
  thread_t **p = &task->threads;
  while (*p) {
    thread_t *v = *p;
    if (v == keep) {
      p = &v->task_next;
      continue;
    }
    detach(v); /* unlinks v: *p is its successor now */
    v->task_next = victims;
    victims = v;
  }
  return victims;
}

/* Frees the threads detach_all_but() returned; the reap of a task's last
 * thread ends the task (task_end). */
static void reap_all(thread_t *victims) {
  while (victims) {
    thread_t *v = victims;
    victims = v->task_next;
    reap(v);
  }
}

void task_exit_current(int64_t code) {
  thread_t *self = kernel.current;
  /* The others are READY or blocked inside a syscall: their kernel stacks
   * can go at once. */
  reap_all(detach_all_but(self->task, self));
  thread_exit_current(code);
}

void task_kill(task_t *task, int64_t code) {
  kprintf("NEURON: task %s killed, exit code %ld\n", task->name, (long)code);
  /* Never the caller's task: nothing will resume these threads. */
  thread_t *victims = detach_all_but(task, 0);
  task_exited(task, code);
  reap_all(victims);
}

void thread_exit_current(int64_t code) {
  thread_t *t = kernel.current;
  task_t *task = t->task;
  reap_zombie();
  detach(t);
  if (task->live_threads == 0) {
    kprintf("NEURON: task %s exited with %ld\n", task->name, (long)code);
    task_exited(task, code); /* its supervisor runs next if it is more urgent */
  }
  zombie = t;
  schedule();
  kpanic("a dead thread was scheduled");
}
