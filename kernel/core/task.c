/*
 * Tasks: building a user address space from a validated ELF image, and
 * tearing it down again. Every page a task uses (page tables, segments,
 * stack, kernel stacks of its threads, the objects it creates) is charged
 * to its quota, so a task that asks for too much gets NX_ERR_NO_MEMORY and
 * the kernel keeps going.
 *
 * A task is also a kernel object (task_create hands its creator a handle).
 * Its lifetime has two ends: task_end() releases everything it holds when
 * its last thread is gone (or, for a task never started, when the last
 * handle to it goes); the record itself is freed once no handle names it
 * and its quota is empty. Objects it created may outlive it (another task
 * holds them) and are still charged to its quota, so such a record waits
 * on a list until they are gone (task_sweep_dead()).
 *
 * Portable: page contents go through the page allocator's view of memory
 * and the TLB through kobject_fence_all(), so the host tests run this code
 * (the host kernel, fake_kernel_services.h, fakes only the threads).
 */
#include "neuron/task.h"

#include "neuron/arch/memory_layout.h"
#include "neuron/console.h"
#include "neuron/elf.h"
#include "neuron/errors.h"
#include "neuron/kernel.h"
#include "neuron/kobject.h"
#include "neuron/mm.h"
#include "neuron/rights.h"
#include "neuron/user_memory.h"

void *memcpy(void *dst, const void *src, size_t n);

static sv39_perm_t user_perms(uint32_t elf_perms) {
  sv39_perm_t p = SV39_PERM_U;
  if (elf_perms & ELF_PERM_R) p |= SV39_PERM_R;
  if (elf_perms & ELF_PERM_W) p |= SV39_PERM_W;
  if (elf_perms & ELF_PERM_X) p |= SV39_PERM_X;
  return p;
}

/* Unmaps and frees every page of a region (pages never mapped are skipped,
 * so a half-built region is torn down the same way). */
static void free_region(task_t *task, const task_region_t *r) {
  for (uint64_t va = r->va; va < r->va + r->size; va += PAGE_SIZE) {
    sv39_mapping_t m;
    if (sv39_lookup(&task->space, va, &m) != NX_OK) continue;
    sv39_unmap(&task->space, va, PAGE_SIZE, 0);
    mm_free_pages(&kernel.pages, &task->quota, m.pa, 0);
  }
}

/* Maps fresh zeroed pages over [va, va + size) and copies `data` (filesz
 * bytes, meant for va_data) into them. */
static int map_region(task_t *task, uint64_t va, uint64_t size, uint64_t va_data, const void *data,
                      uint64_t filesz, sv39_perm_t perms) {
  if (task->region_count == TASK_MAX_REGIONS) return NX_ERR_NO_MEMORY;
  task_region_t *r = &task->regions[task->region_count++];
  r->va = va;
  r->size = size;
  for (uint64_t page = va; page < va + size; page += PAGE_SIZE) {
    uint64_t pa;
    int err = mm_alloc_pages(&kernel.pages, &task->quota, 0, PAGE_ALLOC_ZERO, &pa);
    if (err != NX_OK) return err;
    /* The part of [va_data, va_data + filesz) that falls on this page. */
    uint64_t from = va_data > page ? va_data : page;
    uint64_t to = va_data + filesz < page + PAGE_SIZE ? va_data + filesz : page + PAGE_SIZE;
    if (from < to) {
      memcpy((char *)page_alloc_ptr(&kernel.pages, pa) + (from - page),
             (const char *)data + (from - va_data), to - from);
    }
    err = sv39_map(&task->space, page, pa, PAGE_SIZE, perms, 0);
    if (err != NX_OK) {
      mm_free_pages(&kernel.pages, &task->quota, pa, 0);
      return err;
    }
  }
  return NX_OK;
}

/* Releases what the task holds: its mappings, its handles (which may
 * free objects), its memory and page tables. */
static void teardown(task_t *task) {
  kinterrupt_release_bindings(task);
  vmo_space_unmap_all(&task->vmos, 0);
  for (uint32_t cursor = 0;;) {
    const handle_slot_t *s = handle_table_next(&task->handles, &cursor);
    if (!s) break;
    handle_close(&task->handles, handle_slot_value(s));
  }
  for (uint32_t i = 0; i < task->region_count; i++) free_region(task, &task->regions[i]);
  task->region_count = 0;
  sv39_destroy(&task->space);
  kobject_fence_all();
  task->state = TASK_DEAD;
}

/* Apart from task_sweep_dead(), whose common case (no dead task waiting
 * for its quota to empty) then needs no stack frame. */
__attribute__((noinline)) static void sweep(void) {
  for (task_t **p = &kernel.dead_tasks; *p;) {
    task_t *t = *p;
    if (quota_used(&t->quota) == 0) {
      *p = t->next_dead;
      slab_free(&kernel.tasks, t);
    } else {
      p = &t->next_dead;
    }
  }
}

void task_sweep_dead(void) {
  if (kernel.dead_tasks) sweep();
}

/* The last reference went: free the record now, or once its quota is
 * empty. */
void task_destroy(task_t *task) {
  if (task->state != TASK_DEAD) teardown(task); /* never started */
  task_watch_end(task, false);
  task->next_dead = kernel.dead_tasks;
  kernel.dead_tasks = task;
  task_sweep_dead();
}

void task_exited(task_t *task, int64_t code) {
  task->exit_code = code;
  /* Ended from here on, for task_exit_status and task_watch, though the
   * teardown (task_end) comes later. */
  task->state = TASK_DEAD;
  task_watch_end(task, true);
}

void task_end(task_t *task) {
  teardown(task);
  object_drop(&task->obj); /* its "alive" reference */
}

int task_create(const char *name, size_t name_len, const void *image, size_t size,
                unsigned priority, quota_t *parent_quota, size_t quota_pages, const char **why,
                task_t **out) {
  elf_image_t elf;
  int err = elf_describe(&elf, image, size, USER_MIN, TASK_STACK_BOTTOM, why);
  if (err != NX_OK) return err;
  *why = "out of memory for the address space";
  task_t *task = slab_alloc(&kernel.tasks, SLAB_ZERO);
  if (!task) return NX_ERR_NO_MEMORY;
  task->obj.type = OBJ_TASK;
  task->obj.refs = 1;
  for (size_t i = 0; i < TASK_NAME_MAX - 1 && i < name_len; i++) task->name[i] = name[i];
  task->id = ++kernel.last_task_id;
  task->state = TASK_NEW;
  task->priority = (uint8_t)priority;
  task->entry = elf.entry;
  quota_init(&task->quota, parent_quota, quota_pages);
  handle_table_init(&task->handles);
  err = sv39_init(&task->space, &kernel.pages, &task->quota, &kernel.asids, 0);
  if (err != NX_OK) {
    slab_free(&kernel.tasks, task);
    return err;
  }
  vmo_space_init(&task->vmos, &task->space);
  err = sv39_share_kernel(&task->space, &kernel.space);
  for (uint32_t i = 0; err == NX_OK && i < elf.segment_count; i++) {
    const elf_segment_t *s = &elf.segments[i];
    uint64_t start = s->vaddr & ~(PAGE_SIZE - 1);
    uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    err = map_region(task, start, end - start, s->vaddr, s->data, s->filesz, user_perms(s->perms));
  }
  if (err == NX_OK) {
    err = map_region(task, TASK_STACK_BOTTOM, TASK_STACK_PAGES * PAGE_SIZE, 0, 0, 0,
                     SV39_PERM_U | SV39_PERM_R | SV39_PERM_W);
  }
  if (err != NX_OK) {
    teardown(task);
    slab_free(&kernel.tasks, task);
    return err;
  }
  *out = task;
  return NX_OK;
}

int task_start(task_t *task, const nx_start_info_t *info) {
  /* The start information sits at the top of the stack, 16-byte aligned
   * like the stack pointer below it. */
  uint64_t at = (TASK_STACK_TOP - sizeof *info) & ~15ull;
  thread_t *thread;
  int err = thread_create(task, task->entry, at, at, task->priority, &thread);
  if (err != NX_OK) return err;
  user_copy_out(thread, at, info, sizeof *info);
  task->state = TASK_RUNNING;
  object_retain(&task->obj); /* alive: dropped by task_end() */
  kprintf("NEURON: task %s started (%lu pages)\n", task->name,
          (unsigned long)quota_used(&task->quota));
  return NX_OK;
}
