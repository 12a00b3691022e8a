// A model-checking harness for the object syscalls: several fake tasks
// (fake_kernel_services.h) make random syscalls, decoded and invoked
// exactly as the kernel's dispatcher does, while a model of the kernel's
// state (capabilities and their derivation tree, objects, mappings, quotas,
// notification bits, channel queues, task watches and exit statuses)
// predicts each result. After every
// step the kernel's state must equal the model's:
//  - every handle table (the tasks', the channels' holding tables, the
//    created tasks') holds exactly the model's capabilities: same object,
//    rights, badge and parent, and cap_tree_check_node() holds for each;
//  - rights never grow: a task's handle carries only rights the task was
//    given for that object (created, received or installed at start), and
//    names only objects it was given (provenance);
//  - closed and revoked handles stay refused;
//  - each object's reference count is what its capabilities, mappings,
//    wait-set entries, bindings and waits make it, and its state (pending
//    bits, queued waits, queue, entries, mapping list, VMO bytes) is the
//    model's;
//  - every task's quota holds exactly its objects, page tables and stacks.
// A call the model says must fail must fail with one of the errors that
// apply, and change nothing.
//
// A notification or wait-set wait with nothing to take and a deadline
// ahead blocks for real (FakeTask::CallRawMayBlock): its task makes no
// calls until the wait ends. The model keeps each notification's queue of
// waits in FIFO order and delivers every bit that arrives
// (notification_signal, a message on a bound channel, an interrupt, a
// watched task's end) as the notify module does (Deliver); the kernel's
// queues, waiters and wait sets must match it, and the reference a wait
// holds on what it waits on counts, so that object outlives its handles
// until the wait ends. A blocked task runs its continuation
// (FakeTask::ContinueWait) on a later turn once a signal has completed its
// wait or the clock has passed its deadline, and the model predicts its
// result: the bits, or a wait set's slot with the bits written to the
// task's memory, or NX_ERR_TIMED_OUT. Every task holds a channel, a
// notification and a wait set from the start (shared), so capabilities
// travel between tasks, waits of several tasks queue on one notification,
// and one task signals, closes handles to or finds BUSY what another waits
// on. The other syscalls that would block (IPC calls and receives,
// nanosleep, thread and task exit) are decoded only.
//
// At the end every wait ends (through its continuation if it can run, else
// cancelled as a killed thread's) and every handle is closed: every quota,
// reference and page must come back.
//
// The steps come from a Source: a seeded PRNG (the model test) or the bytes
// of a fuzz input (the libFuzzer target), through the same generators.
#ifndef KERNEL_CORE_SYSCALL_HARNESS_H
#define KERNEL_CORE_SYSCALL_HARNESS_H

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kernel/core/fake_kernel_services.h"

namespace syscall_harness {

// Where a step's choices come from.
class Source {
 public:
  virtual ~Source() = default;
  // A value in [0, n) (n > 0).
  virtual uint64_t Below(uint64_t n) = 0;
  virtual uint64_t Word() = 0;
  // Whether the source ran dry (a fuzz input's bytes are all used).
  virtual bool Empty() const { return false; }
  bool Percent(unsigned p) { return Below(100) < p; }
};

class RandomSource : public Source {
 public:
  explicit RandomSource(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) override { return rng_() % n; }
  uint64_t Word() override { return rng_(); }

 private:
  std::mt19937_64 rng_;
};

// Consumes the bytes of a fuzz input; zeros once they are used up.
class BytesSource : public Source {
 public:
  BytesSource(const uint8_t *data, size_t size) : data_(data), size_(size) {}
  uint64_t Below(uint64_t n) override;
  uint64_t Word() override;
  bool Empty() const override { return pos_ >= size_; }

 private:
  uint64_t Take(unsigned bytes);
  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
};

struct Config {
  int tasks = 3;
  size_t quota_pages = 512;  // each task's
  size_t arena_bytes = size_t{16} << 20;
  int check_every = 1;  // full invariant check every this many steps
};

class Harness {
 public:
  explicit Harness(const Config &config = Config());
  ~Harness();
  Harness(const Harness &) = delete;
  Harness &operator=(const Harness &) = delete;

  // One step drawn from src: a syscall of one task (with arguments that are
  // mostly meaningful, sometimes not) or a kernel event (an interrupt, a
  // created task's exit, a user load or store through a mapping), run and
  // checked. False once src is empty.
  bool Step(Source &src);

  // Closes every handle and mapping, ends created tasks and undoes the boot
  // objects, checking that every quota, reference and page came back.
  void Finish();

  // Counts per syscall (by name) and per result, kernel events, skips.
  std::string Report() const;
  uint64_t calls(uint64_t number) const;
  uint64_t successes(uint64_t number) const;
  uint64_t errors(uint64_t number, int err) const;  // err < 0
  uint64_t error_total(int err) const;
  uint64_t events(const std::string &kind) const;
  uint64_t steps() const { return steps_; }

  // ---- The model (public for the implementation's helpers) ----

  // The pages a task made from app/hello (fake_kernel::MinimalElf: one
  // page of code at 0x10000) holds until it ends: its Sv39 root, a level-1
  // and a level-0 table each for the code (1 GiB region 0) and for the
  // stack under the top of user space (another region), the code page and
  // the TASK_STACK_PAGES stack pages (task.c).
  static constexpr size_t kHelloPages = 1 + 2 + 2 + 1 + TASK_STACK_PAGES;

  enum TableKind { kTaskTable, kHolding, kChildTable };
  struct MTable {
    TableKind kind;
    handle_table_t *kt;
    int owner;  // task index, channel or child task object
    bool alive = true;
    std::map<uint32_t, int> caps;  // handle value -> capability
  };
  struct MCap {
    int obj;
    uint32_t rights;
    uint64_t badge;
    int parent = -1;
    std::set<int> children;
    int table;
    uint32_t handle;
    bool alive = true;
  };
  struct MMsg {
    uint64_t words[4];
    std::vector<int> caps;
  };
  // A wait queued on a notification: the notify module's node.
  struct MNode {
    int task;
    uint64_t mask;
    uint32_t index;  // 0, or the wait set's slot
  };
  struct MObj {
    uint32_t type = 0;
    object_t *ptr = nullptr;
    bool alive = true;
    quota_t *payer = nullptr;  // charged `charge` pages while alive
    size_t charge = 0;
    int fixed_refs = 0;  // kept by the kernel (boot objects, a running task)
    // VMO
    uint64_t size = 0;
    bool shadow_known = true;
    std::vector<uint8_t> shadow;
    // notification
    uint64_t pending = 0;
    std::vector<MNode> waiters;  // queued waits, FIFO
    // wait set
    int ws_n[16];
    uint64_t ws_mask[16];
    // channel
    std::deque<MMsg> queue;
    uint32_t depth = 0;
    int bound = -1;
    uint64_t bit = 0;
    int holding = -1;
    // interrupt
    uint32_t line = 0;
    int irq_n = -1;
    uint64_t irq_bit = 0;
    bool masked = false;
    // created task
    int table = -1;
    int creator = -1;
    uint8_t state = 0;
    uint32_t threads = 0;
    int watch_n = -1;  // task_watch: the notification (it holds a reference)
    uint64_t watch_bit = 0;
    int64_t exit_code = 0;  // once DEAD after running
    bool faulted = false;
  };
  struct MMap {
    int task;
    uint64_t va, size, offset;
    int vmo;
    uint32_t prot;
    int cap;  // attributed to; -1: none
    bool via_child;
  };
  // A wait blocked in a task (from the call that blocked until its
  // continuation runs).
  struct MWait {
    uint64_t number;    // NX_SYS_NOTIFICATION_WAIT or NX_SYS_WAITSET_WAIT
    int obj;            // the notification or wait set (the wait holds it)
    uint64_t mask;      // a notification's wait: the bits it asks for
    uint64_t bits_out;  // a wait set's: where the bits go
    uint64_t deadline;  // timer ticks; NOTIFY_DEADLINE_NEVER: none
    std::string call;   // the call that blocked, for failure messages
    bool done = false;  // a signal completed it: `bits`, from slot `index`
    uint64_t bits = 0;
    uint32_t index = 0;
  };
  struct MTask {
    std::unique_ptr<fake_kernel::FakeTask> ft;
    int table;
    std::map<int, uint32_t> granted;  // provenance: object -> rights given
    std::deque<uint32_t> dead;        // closed or revoked handle values
    uint64_t ipc_buffer;
    uint32_t threads = 0;       // made by thread_create
    size_t base_pages;          // quota held beyond page tables at start
    std::optional<MWait> wait;  // while blocked
  };

  // What a call may return: it must fail with one of `required` (if any
  // applies), or may fail with one of `possible`; or, if `blocks`, block.
  struct Expect {
    std::set<int> required, possible;
    bool blocks = false;
    void Req(int err) { required.insert(err); }
    void Maybe(int err) { possible.insert(err); }
  };

  // Ends the process with what went wrong and the step that did it.
  [[noreturn]] void Fail(const std::string &what);
  // Compares the kernel's state with the model's (see the top).
  void CheckAll();
  // Runs a syscall through syscall_dispatch() and checks its result against
  // `e`; a refused call must change nothing. FakeTask::kBlocked for a wait
  // that blocked (its model is the caller's to record: Block).
  int64_t Run(int task, uint64_t number, const uint64_t raw[6], const Expect &e);
  // The decode half only (a syscall that would block); checked the same way.
  int DecodeOnly(int task, uint64_t number, const uint64_t raw[6], const Expect &e);
  void Count(const std::string &key) { counts[key]++; }

  // Model operations (used by the call implementations).
  int NewObj(uint32_t type, object_t *ptr, quota_t *payer, size_t charge);
  int NewTable(TableKind kind, handle_table_t *kt, int owner);
  int AddCap(int table, uint32_t handle, int obj, uint32_t rights, uint64_t badge, int parent);
  void MoveCap(int cap, int table, uint32_t handle);
  void CloseCap(int cap);
  size_t RevokeCap(int cap);
  void RemoveMapping(size_t index);
  void Collect();
  uint32_t ExpectedRefs(int obj) const;
  int ObjOf(const object_t *ptr) const;
  // The capability `value` names in `table`, or -1.
  int CapAt(int table, uint64_t value) const;
  // Errors of looking `value` up in task's table for `type` (HANDLE_ANY_TYPE:
  // any) and `rights`; the capability, or -1 if it is not live.
  int Lookup(int task, uint64_t value, uint32_t type, uint32_t rights, Expect *e) const;
  // Whether [addr, addr + len) is user memory of task with `write` access.
  bool UserRange(int task, uint64_t addr, uint64_t len, bool write) const;
  // Whether putting a capability to `obj` into container `into` (a channel
  // or created task) would make a reference cycle nothing could free.
  bool MakesCycle(int obj, int into) const;
  void Grant(int task, int obj, uint32_t rights);
  void Resync(int vmo);
  // The kernel or the harness wrote [addr, addr + len) of task's memory:
  // the VMOs mapped there changed.
  void UserWrote(int task, uint64_t addr, uint64_t len);
  void RecordDead(int table, uint32_t handle);
  // A created task that runs ends (its last thread exits with `code`, or a
  // fault ends it): the kernel's side (fake_kernel::EndTask / FaultTask) and
  // the model's (its watch signalled and dropped, its handles closed).
  void EndTask(int obj, int64_t code, bool faulted);

  // Blocked tasks (syscall_harness_blocked.cc).
  // `task`'s wait `w` blocked: it is queued at the tail of its notification,
  // or of each entry's of its wait set.
  void Block(int task, MWait w);
  // Bits arrive on notification n (every way they can, `by` says which):
  // the waits whose masks meet them take theirs, head first.
  void Deliver(int n, uint64_t bits, const char *by);
  // Whether a blocked task's continuation can run: a signal completed its
  // wait or its deadline has passed.
  bool Runnable(int task) const;
  // Runs it and checks its result.
  void Resume(int task);
  // Ends a task's wait without its continuation (FakeTask::CancelWait).
  void CancelWait(int task);
  // The task whose wait is queued through wait set ws, or -1.
  int WaiterOn(int ws) const;

  Config config;
  fake_kernel::Env env;
  std::vector<MTask> tasks;
  std::vector<MTable> tables;
  std::vector<MCap> caps;
  std::vector<MObj> objs;
  std::vector<MMap> maps;
  std::map<std::string, uint64_t> counts;  // "name", "name ok", "name ERR", "event ..."
  std::map<const object_t *, int> by_ptr;  // live objects
  int bootfs = -1;
  std::vector<int> shared;  // objects every task holds from the start
  uint64_t step_number = 0;
  std::string step_what;  // what the step does, for failure messages

 private:
  void CheckWait(int task);     // its thread's wait: hold, state, outcome
  void CheckIpcView(int task);  // its thread's frame: the IPC fastpath's view
  void CheckTable(const MTable &t);
  void CheckObject(int id, const std::vector<uint32_t> &refs);
  void CheckQuotas();
  std::vector<uint32_t> RefCounts() const;
  void CountResult(uint64_t number, int64_t r, const char *suffix);
  void Unqueue(int task);  // its wait's nodes leave every queue
  uint64_t steps_ = 0;
  bool finished_ = false;
  std::vector<size_t> mapped_;  // CheckAll's: mappings per VMO
};

// The generators and the model's predictions, one per syscall
// (syscall_harness_calls.cc, syscall_harness_waits.cc).
void DoSyscall(Harness &h, int task, uint64_t number, Source &src);
void DoEvent(Harness &h, Source &src);
// Draws a syscall number, weighted toward the object syscalls.
uint64_t PickSyscall(Source &src);
const char *ErrorName(int err);
// A syscall's result: its error's name, or the value.
std::string ResultName(int64_t r);

}  // namespace syscall_harness

#endif
