// The host's stand-ins for the kernel services (see fake_kernel_services.h).
#include "kernel/core/fake_kernel_services.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "neuron/arch/memory_layout.h"
#include "neuron/elf.h"
#include "neuron/errors.h"
#include "neuron/irq.h"
#include "neuron/mm.h"
#include "neuron/revoke.h"
#include "neuron/syscall_decl.h"
#include "neuron/user_memory.h"

kernel_t kernel;

namespace fake_kernel {
namespace {

Counters g_counters;
uint64_t g_now = 0;
PollHook g_poll_hook = nullptr;
void *g_poll_ctx = nullptr;
// FakeTask ids, in a range of their own (task.c numbers created tasks from 1).
uint32_t g_next_task_id = 1u << 20;
uint32_t g_next_thread_id = 1;
// Where thread_block_wait() goes back to: set inside FakeTask::CallMayBlock.
std::jmp_buf *g_block_point = nullptr;

interrupt_controller_t g_controller;
interrupt_t *g_bound[kIrqLines];
bool g_enabled[kIrqLines];

constexpr unsigned kStackOrder = 2;  // KSTACK_PAGES, as thread.c charges them
constexpr uint64_t kMega = uint64_t{1} << 21;

// ---- IPC and notify callbacks (wait.c's, minus the scheduler) ----

void IpcBlock(void *, ipc_thread_t *) { g_counters.ipc_blocks++; }
void IpcWake(void *, ipc_thread_t *, int) {
  Fatal("an IPC wake: no thread blocks in a host test, so none can be woken");
}
void IpcSetPriority(void *, ipc_thread_t *, unsigned) {}
void IpcRestorePriority(void *, ipc_thread_t *) {}
void IpcCopy(void *, ipc_thread_t *, ipc_thread_t *, size_t) {
  Fatal("an IPC copy: no two threads meet in a host test");
}
const ipc_ops_t kIpcOps = {IpcBlock, IpcWake, IpcSetPriority, IpcRestorePriority, IpcCopy};

void NotifyBlock(notify_waiter_t *, uint64_t) { g_counters.notify_blocks++; }
// Only a wait made through FakeTask::CallMayBlock blocks and can be woken:
// its thread stays where it is until the test plays its continuation.
void NotifyWake(notify_waiter_t *, int) { g_counters.notify_wakes++; }
const notify_ops_t kNotifyOps = {NotifyBlock, NotifyWake};

// ---- The interrupt controller ----

void IrqMask(void *, uint32_t irq) { g_enabled[irq] = false; }
void IrqUnmask(void *, uint32_t irq) { g_enabled[irq] = true; }
void IrqComplete(void *, uint32_t) {}
const interrupt_ops_t kIrqOps = {IrqMask, IrqUnmask, IrqComplete};

}  // namespace

Counters &counters() { return g_counters; }

void Fatal(const char *what) {
  std::fprintf(stderr, "fake kernel: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

void SetNow(uint64_t ticks) { g_now = ticks; }
uint64_t Now() { return g_now; }

void SetPollHook(PollHook hook, void *ctx) {
  g_poll_hook = hook;
  g_poll_ctx = ctx;
}

bool LineEnabled(uint32_t line) { return line < kIrqLines && g_enabled[line]; }

void ReleaseThreads(task_t *task) {
  while (thread_t *t = task->threads) {
    task->threads = t->task_next;
    mm_free_pages(&kernel.pages, &task->quota, t->stack_pa, kStackOrder);
    slab_free(&kernel.threads, t);
    task->live_threads--;
  }
}

void EndTask(task_t *task, int64_t code) {
  // As thread.c ends a task: task_exited() as its last thread goes, the
  // threads reaped (they never ran), then task_end().
  task_exited(task, code);
  ReleaseThreads(task);
  task_end(task);
}

// task_kill(): the kernel's ends every thread, then the task (thread.c).
extern "C" void task_kill(task_t *task, int64_t code) { EndTask(task, code); }

void FaultTask(task_t *task) {
  task->faulted = true;  // trap_user()
  EndTask(task, -1);
}

// ---- Env ----

Env::Env(size_t arena_bytes) {
  std::memset(&kernel, 0, sizeof kernel);
  g_counters = Counters{};
  g_now = 0;
  g_poll_hook = nullptr;
  std::memset(g_enabled, 0, sizeof g_enabled);
  arena_bytes = (arena_bytes + kMega - 1) / kMega * kMega;
  arena_ = static_cast<uint8_t *>(std::aligned_alloc(kMega, arena_bytes));
  if (!arena_) return;
  kernel.platform.timebase_hz = kTimebaseHz;
  ok_ = page_alloc_init(&kernel.pages, 9, 0) == NX_OK &&
        page_alloc_add_range(&kernel.pages, reinterpret_cast<uintptr_t>(arena_), arena_bytes) ==
            NX_OK &&
        quota_init(&kernel.root_quota, nullptr, QUOTA_UNLIMITED) == NX_OK &&
        quota_init(&boot_quota_, &kernel.root_quota, QUOTA_UNLIMITED) == NX_OK &&
        // The kernel's space (no mappings on the host), which task_create
        // shares; its table is charged apart, as the boot's page tables are.
        quota_init(&space_quota_, nullptr, QUOTA_UNLIMITED) == NX_OK &&
        sv39_init(&kernel.space, &kernel.pages, &space_quota_, nullptr, nullptr) == NX_OK &&
        vmo_system_init(&kernel.vmos, &kernel.pages) == NX_OK && kobject_init() == NX_OK &&
        slab_cache_init(&kernel.tasks, &kernel.pages, "task", sizeof(task_t), 16) == NX_OK &&
        slab_cache_init(&kernel.threads, &kernel.pages, "thread", sizeof(thread_t), 16) == NX_OK &&
        ipc_system_init(&kernel.ipc, &kIpcOps, nullptr) == NX_OK &&
        notify_system_init(&kernel.notify, &kNotifyOps) == NX_OK &&
        interrupt_controller_init(&g_controller, &kIrqOps, nullptr, g_bound, kIrqLines) == NX_OK;
  free_at_start_ = page_alloc_free_pages(&kernel.pages);
}

Env::~Env() {
  if (!torn_down_) Teardown();
  std::free(arena_);
}

kinterrupt_t *Env::NewInterrupt(uint32_t line) {
  kinterrupt_t *k = new kinterrupt_t{};
  interrupt_init(&k->intr);  // the kernel's reference, for good
  k->line = line;
  interrupts_.push_back(k);
  return k;
}

vmo_t *Env::NewPhysicalVmo(size_t pages) {
  void *mem = std::aligned_alloc(4096, pages * 4096);
  if (mem) std::memset(mem, 0, pages * 4096);
  vmo_t *vmo = nullptr;
  if (!mem || vmo_create_physical(&kernel.vmos, reinterpret_cast<uintptr_t>(mem), pages * 4096,
                                  &vmo) != NX_OK) {
    std::free(mem);
    return nullptr;
  }
  physical_.emplace_back(vmo, mem);
  return vmo;
}

vmo_t *Env::NewBootfs(const std::vector<uint8_t> &archive) {
  vmo_t *vmo = nullptr;
  if (vmo_create(&kernel.vmos, archive.size(), VMO_CONTIGUOUS, &boot_quota_, &vmo) != NX_OK ||
      vmo_write(vmo, 0, archive.data(), archive.size()) != NX_OK) {
    return nullptr;
  }
  bootfs_.push_back(vmo);
  return vmo;
}

std::string Env::Teardown() {
  torn_down_ = true;
  std::string why;
  auto fail = [&why](const std::string &s) { why += s + "; "; };
  for (kinterrupt_t *k : interrupts_) {
    if (k->intr.irq) {
      notification_t *n = k->intr.n;
      interrupt_unbind(&k->intr);
      object_drop(&n->obj);  // the binding's reference
    }
    if (k->intr.obj.refs != 1) fail("an interrupt object is still referenced");
    delete k;
  }
  interrupts_.clear();
  for (vmo_t *v : bootfs_) {
    if (v->obj.refs != 1) fail("the boot archive VMO is still referenced");
    vmo_release(v);
  }
  bootfs_.clear();
  for (auto &p : physical_) {
    if (p.first->obj.refs != 1) fail("a device VMO is still referenced");
    vmo_release(p.first);
    std::free(p.second);
  }
  physical_.clear();
  if (log_.refs != 1) fail("the debug log is still referenced");
  task_sweep_dead();
  if (cap_revoke_active_count() != 0) fail("a revoke is still in progress");
  if (quota_used(&kernel.root_quota) != 0) {
    fail("the root quota holds " + std::to_string(quota_used(&kernel.root_quota)) + " pages");
  }
  slab_cache_t *caches[] = {&kernel.endpoints, &kernel.notifications, &kernel.waitsets,
                            &kernel.tasks, &kernel.threads};
  for (slab_cache_t *c : caches) {
    if (slab_cache_in_use(c) != 0) fail(std::string("objects left in slab cache ") + c->name);
    slab_cache_destroy(c);
  }
  if (vmo_system_destroy(&kernel.vmos) != NX_OK) fail("VMOs are alive");
  if (page_alloc_check(&kernel.pages) != NX_OK) fail("the page allocator is inconsistent");
  if (page_alloc_free_pages(&kernel.pages) != free_at_start_) {
    fail("free pages " + std::to_string(page_alloc_free_pages(&kernel.pages)) + ", at start " +
         std::to_string(free_at_start_));
  }
  sv39_destroy(&kernel.space);
  return why;
}

// ---- FakeTask ----

FakeTask::~FakeTask() {
  if (live_) Destroy();
}

int FakeTask::Init(unsigned priority, size_t quota_pages) {
  std::memset(&task, 0, sizeof task);
  std::memset(&thread, 0, sizeof thread);
  task.id = g_next_task_id++;
  task.state = TASK_RUNNING;
  task.priority = static_cast<uint8_t>(priority);
  task.live_threads = 1;
  int err = quota_init(&task.quota, &kernel.root_quota, quota_pages);
  if (err != NX_OK) return err;
  handle_table_init(&task.handles);
  err = sv39_init(&task.space, &kernel.pages, &task.quota, nullptr, nullptr);
  if (err != NX_OK) return err;
  live_ = true;
  vmo_space_init(&task.vmos, &task.space);
  for (int i = 0; i <= kRwPages; i++) {
    const bool ro = i == kRwPages;
    uintptr_t pa = 0;
    err = mm_alloc_pages(&kernel.pages, &task.quota, 0, PAGE_ALLOC_ZERO, &pa);
    if (err != NX_OK) return err;
    user_pages_.push_back(pa);
    if (ro) std::memset(page_alloc_ptr(&kernel.pages, pa), kRoByte, PAGE_SIZE);
    const uint64_t va = ro ? kRo : kRw + i * PAGE_SIZE;
    const sv39_perm_t perms = SV39_PERM_U | SV39_PERM_R | (ro ? 0 : SV39_PERM_W);
    err = sv39_map(&task.space, va, pa, PAGE_SIZE, perms, nullptr);
    if (err != NX_OK) return err;
  }
  base_pages_ = quota_used(&task.quota) - task.space.table_pages;
  thread.task = &task;
  thread.frame = &frame;
  thread.id = g_next_thread_id++;
  ipc_thread_init(&thread.ipc, &task.handles, priority);
  notify_waiter_init(&thread.waiter);
#ifdef NX_SYS_THREAD_SET_IPC_BUFFER
  const int64_t r = Call(NX_SYS_THREAD_SET_IPC_BUFFER, kIpcBuffer);
  if (r != NX_OK) return static_cast<int>(r);
#endif
  return NX_OK;
}

void FakeTask::Destroy() {
  if (!live_) return;
  live_ = false;
  CancelWait();  // as the kernel: the thread ends before its task's handles go
  vmo_space_unmap_all(&task.vmos, nullptr);
  for (uint32_t cursor = 0;;) {
    const handle_slot_t *s = handle_table_next(&task.handles, &cursor);
    if (!s) break;
    handle_close(&task.handles, handle_slot_value(s));
  }
  ReleaseThreads(&task);
  for (size_t i = 0; i < user_pages_.size(); i++) {
    const bool ro = i == static_cast<size_t>(kRwPages);
    sv39_unmap(&task.space, ro ? kRo : kRw + i * PAGE_SIZE, PAGE_SIZE, nullptr);
    mm_free_pages(&kernel.pages, &task.quota, user_pages_[i], 0);
  }
  user_pages_.clear();
  sv39_destroy(&task.space);
}

int64_t FakeTask::Call(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5) {
  const uint64_t raw[6] = {a0, a1, a2, a3, a4, a5};
  return CallRaw(number, raw);
}

int64_t FakeTask::CallRaw(uint64_t number, const uint64_t raw[6]) {
  // As the trap path leaves them: the arguments in the frame, where a
  // syscall with register results writes them (a1..a5).
  for (int i = 0; i < 6; i++) frame.a[i] = raw[i];
  frame.a[7] = number;
  const uint64_t args[6] = {raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]};
  const int64_t r = syscall_dispatch(&thread, number, args);
  frame.a[0] = static_cast<uint64_t>(r);
  return r;
}

int64_t FakeTask::CallMayBlock(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2) {
  const uint64_t raw[6] = {a0, a1, a2, 0, 0, 0};
  return CallRawMayBlock(number, raw);
}

int64_t FakeTask::CallRawMayBlock(uint64_t number, const uint64_t raw[6]) {
  std::jmp_buf here;
  g_block_point = &here;
  if (setjmp(here) != 0) {  // NOLINT(cert-err52-cpp): thread_block_wait's way back
    g_block_point = nullptr;
    return kBlocked;
  }
  const int64_t r = CallRaw(number, raw);
  g_block_point = nullptr;
  return r;
}

int64_t FakeTask::ContinueWait() {
  syscall_wait_complete(&thread);
  return static_cast<int64_t>(frame.a[0]);
}

void FakeTask::CancelWait() { syscall_wait_cancel(&thread); }

nx_handle_value_t FakeTask::Install(object_t *obj, uint32_t rights) {
  nx_handle_value_t h = 0;
  if (handle_install(&task.handles, obj, rights, &h) != NX_OK) Fatal("cannot install a handle");
  return h;
}

bool FakeTask::Write(uint64_t va, const void *src, size_t len) {
  const uint8_t *s = static_cast<const uint8_t *>(src);
  while (len) {
    sv39_mapping_t m;
    if (sv39_lookup(&task.space, va, &m) != NX_OK) return false;
    size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
    if (chunk > len) chunk = len;
    std::memcpy(page_alloc_ptr(&kernel.pages, m.pa), s, chunk);
    s += chunk;
    va += chunk;
    len -= chunk;
  }
  return true;
}

bool FakeTask::Read(uint64_t va, void *dst, size_t len) const {
  uint8_t *d = static_cast<uint8_t *>(dst);
  while (len) {
    sv39_mapping_t m;
    if (sv39_lookup(&task.space, va, &m) != NX_OK) return false;
    size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
    if (chunk > len) chunk = len;
    std::memcpy(d, page_alloc_ptr(&kernel.pages, m.pa), chunk);
    d += chunk;
    va += chunk;
    len -= chunk;
  }
  return true;
}

// ---- Decode alone ----

#define DECODE(number, name)                        \
  case number: {                                    \
    sys_##name##_args_t args;                       \
    return sys_##name##_decode(caller, raw, &args); \
  }

int DecodeOnly(thread_t *caller, uint64_t number, const uint64_t raw[6]) {
  switch (number) {
    case NX_SYS_NULL:
    case NX_SYS_THREAD_YIELD:
    case NX_SYS_CLOCK_GET:
    case NX_SYS_ENDPOINT_CREATE:
    case NX_SYS_NOTIFICATION_CREATE:
    case NX_SYS_WAITSET_CREATE:
      return NX_OK;
      DECODE(NX_SYS_DEBUG_WRITE, debug_write)
      DECODE(NX_SYS_THREAD_EXIT, thread_exit)
      DECODE(NX_SYS_TASK_EXIT, task_exit)
      DECODE(NX_SYS_NANOSLEEP_UNTIL, nanosleep_until)
      DECODE(NX_SYS_KERNEL_STATS, kernel_stats)
      DECODE(NX_SYS_HANDLE_DUP, handle_dup)
      DECODE(NX_SYS_HANDLE_MINT, handle_mint)
      DECODE(NX_SYS_HANDLE_CLOSE, handle_close)
      DECODE(NX_SYS_HANDLE_REVOKE, handle_revoke)
      DECODE(NX_SYS_VMO_CREATE, vmo_create)
      DECODE(NX_SYS_VMO_READ, vmo_read)
      DECODE(NX_SYS_VMO_WRITE, vmo_write)
      DECODE(NX_SYS_VMO_MAP, vmo_map)
      DECODE(NX_SYS_VMO_UNMAP, vmo_unmap)
      DECODE(NX_SYS_IPC_CALL, ipc_call)
      DECODE(NX_SYS_IPC_RECV, ipc_recv)
      DECODE(NX_SYS_IPC_REPLY, ipc_reply)
      DECODE(NX_SYS_IPC_REPLY_RECV, ipc_reply_recv)
      DECODE(NX_SYS_CHANNEL_CREATE, channel_create)
      DECODE(NX_SYS_CHANNEL_SEND, channel_send)
      DECODE(NX_SYS_CHANNEL_RECV, channel_recv)
      DECODE(NX_SYS_CHANNEL_BIND, channel_bind)
      DECODE(NX_SYS_NOTIFICATION_SIGNAL, notification_signal)
      DECODE(NX_SYS_NOTIFICATION_WAIT, notification_wait)
      DECODE(NX_SYS_WAITSET_ADD, waitset_add)
      DECODE(NX_SYS_WAITSET_REMOVE, waitset_remove)
      DECODE(NX_SYS_WAITSET_WAIT, waitset_wait)
      DECODE(NX_SYS_INTERRUPT_BIND, interrupt_bind)
      DECODE(NX_SYS_INTERRUPT_ACK, interrupt_ack)
      DECODE(NX_SYS_TASK_CREATE, task_create)
      DECODE(NX_SYS_TASK_GIVE, task_give)
      DECODE(NX_SYS_TASK_START, task_start)
      DECODE(NX_SYS_THREAD_CREATE, thread_create)
      DECODE(NX_SYS_TASK_WATCH, task_watch)
      DECODE(NX_SYS_TASK_EXIT_STATUS, task_exit_status)
      DECODE(NX_SYS_THREAD_SET_IPC_BUFFER, thread_set_ipc_buffer)
      DECODE(NX_SYS_TASK_INFO, task_info)
      DECODE(NX_SYS_TASK_HANDLE_INFO, task_handle_info)
      DECODE(NX_SYS_TASK_KILL, task_kill)
    default:
      return NX_ERR_BAD_SYSCALL;
  }
}

#undef DECODE

// ---- Test inputs ----

namespace {
void Put(std::vector<uint8_t> *v, size_t at, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; i++) (*v)[at + i] = static_cast<uint8_t>(value >> (8 * i));
}
}  // namespace

std::vector<uint8_t> MinimalElf(uint64_t vaddr) {
  constexpr size_t kEh = 64, kPh = 56, kCode = 8;
  std::vector<uint8_t> f(kEh + kPh + kCode, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2 /* ELF64 */, 1 /* LSB */, 1 /* version */};
  std::memcpy(f.data(), ident, sizeof ident);
  Put(&f, 16, 2, 2);                  // ET_EXEC
  Put(&f, 18, 243, 2);                // EM_RISCV
  Put(&f, 20, 1, 4);                  // EV_CURRENT
  Put(&f, 24, vaddr + kEh + kPh, 8);  // entry: the code after the headers
  Put(&f, 32, kEh, 8);                // phoff
  Put(&f, 52, kEh, 2);                // ehsize
  Put(&f, 54, kPh, 2);                // phentsize
  Put(&f, 56, 1, 2);                  // phnum
  Put(&f, kEh + 0, 1, 4);             // PT_LOAD
  Put(&f, kEh + 4, 4 | 1, 4);         // R + X
  Put(&f, kEh + 8, 0, 8);             // offset
  Put(&f, kEh + 16, vaddr, 8);        // vaddr
  Put(&f, kEh + 24, vaddr, 8);        // paddr
  Put(&f, kEh + 32, f.size(), 8);     // filesz
  Put(&f, kEh + 40, f.size(), 8);     // memsz
  Put(&f, kEh + 48, 4096, 8);         // align
  Put(&f, kEh + kPh, 0x0000006f, 4);  // j . (an endless loop)
  return f;
}

std::vector<uint8_t> CpioArchive(
    const std::vector<std::pair<std::string, std::vector<uint8_t>>> &files) {
  std::vector<uint8_t> out;
  auto pad = [&out] {
    while (out.size() % 4) out.push_back(0);
  };
  auto entry = [&](const std::string &name, const std::vector<uint8_t> &data, uint32_t mode) {
    char header[111];
    std::snprintf(header, sizeof header,
                  "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1u, mode, 0u, 0u,
                  1u, 0u, static_cast<unsigned>(data.size()), 0u, 0u, 0u, 0u,
                  static_cast<unsigned>(name.size() + 1), 0u);
    out.insert(out.end(), header, header + 110);
    out.insert(out.end(), name.begin(), name.end());
    out.push_back(0);
    pad();
    out.insert(out.end(), data.begin(), data.end());
    pad();
  };
  for (const auto &f : files) entry(f.first, f.second, 0100644);
  entry("TRAILER!!!", {}, 0);
  return out;
}

}  // namespace fake_kernel

using fake_kernel::counters;
using fake_kernel::Fatal;

// ---- neuron/task.h, neuron/irq.h: the services the object syscalls use ----

extern "C" {

void schedule(void) {
  Fatal("a blocking path reached schedule(): only non-blocking paths may run in a host test");
}

void thread_block_ipc(void) {
  Fatal("a blocking path reached thread_block_ipc(): only non-blocking paths may run here");
}

void thread_block_wait(void) {
  if (!fake_kernel::g_block_point) {
    Fatal("a blocking path reached thread_block_wait(): only non-blocking paths may run here");
  }
  // Back to CallMayBlock, over the C frames of the dispatcher and the
  // invoke (nothing there to destroy), as the kernel abandons them.
  std::longjmp(*fake_kernel::g_block_point, 1);  // NOLINT(cert-err52-cpp): see above
}

void thread_handoff_user(thread_t *next) {
  (void)next;
  Fatal("a blocking path reached thread_handoff_user(): an IPC fastpath in a host test");
}

void thread_run_woken(thread_t *woken) {
  (void)woken;
  Fatal("a blocking path reached thread_run_woken(): a wait completed in a host test");
}

void kernel_preempt_check(void) { counters().preempt_checks++; }

void kernel_poll_interrupts(void) {
  counters().poll_interrupts++;
  if (fake_kernel::g_poll_hook) fake_kernel::g_poll_hook(fake_kernel::g_poll_ctx);
}

uint64_t kernel_now(void) { return fake_kernel::g_now; }

int thread_create(task_t *task, uint64_t entry, uint64_t user_sp, uint64_t arg, unsigned priority,
                  thread_t **out) {
  (void)entry;
  (void)user_sp;
  (void)arg;
  thread_t *t = static_cast<thread_t *>(slab_alloc(&kernel.threads, SLAB_ZERO));
  if (!t) return NX_ERR_NO_MEMORY;
  int err = mm_alloc_pages(&kernel.pages, &task->quota, fake_kernel::kStackOrder, PAGE_ALLOC_ZERO,
                           &t->stack_pa);
  if (err != NX_OK) {
    slab_free(&kernel.threads, t);
    return err;
  }
  t->task = task;
  t->id = fake_kernel::g_next_thread_id++;
  ipc_thread_init(&t->ipc, &task->handles, priority);
  notify_waiter_init(&t->waiter);
  t->task_next = task->threads;
  task->threads = t;
  task->live_threads++;
  counters().threads_created++;
  *out = t;
  return NX_OK;
}

interrupt_controller_t *irq_controller(void) { return &fake_kernel::g_controller; }

// ---- syscall_invoke.c's invokes (riscv64 only there) ----

int64_t sys_null_invoke(thread_t *caller) {
  (void)caller;
  return 0;
}

int64_t sys_debug_write_invoke(thread_t *caller, const sys_debug_write_args_t *args) {
  char buf[NX_DEBUG_WRITE_MAX];
  user_copy_in(caller, buf, args->buf, args->len);
  counters().debug_bytes += args->len;
  return (int64_t)args->len;
}

int64_t sys_thread_yield_invoke(thread_t *caller) {
  (void)caller;  // no other thread is ready in a host test
  return 0;
}

int64_t sys_thread_exit_invoke(thread_t *caller, const sys_thread_exit_args_t *args) {
  (void)caller;
  (void)args;
  Fatal("thread_exit invoked in a host test");
}

int64_t sys_task_exit_invoke(thread_t *caller, const sys_task_exit_args_t *args) {
  (void)caller;
  (void)args;
  Fatal("task_exit invoked in a host test");
}

int64_t sys_clock_get_invoke(thread_t *caller) {
  (void)caller;
  const uint64_t t = fake_kernel::g_now, hz = fake_kernel::kTimebaseHz;
  return (int64_t)((t / hz) * 1000000000ull + (t % hz) * 1000000000ull / hz);
}

int64_t sys_nanosleep_until_invoke(thread_t *caller, const sys_nanosleep_until_args_t *args) {
  (void)caller;
  const uint64_t now_ns = (uint64_t)sys_clock_get_invoke(caller);
  if (args->deadline_ns <= now_ns) return 0;
  schedule();  // it would sleep
  return 0;
}

int64_t sys_kernel_stats_invoke(thread_t *caller, const sys_kernel_stats_args_t *args) {
  const nx_kernel_stats_t stats = {};
  const uint64_t n = args->len < sizeof stats ? args->len : sizeof stats;
  user_copy_out(caller, args->buf, &stats, n);
  return (int64_t)n;
}

}  // extern "C"
