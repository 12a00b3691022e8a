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
//    wait-set entries and bindings make it, and its state (pending bits,
//    queue, entries, mapping list, VMO bytes) is the model's;
//  - every task's quota holds exactly its objects, page tables and stacks.
// A call the model says must fail must fail with one of the errors that
// apply, and change nothing. Syscalls that would block are decoded only.
// At the end every handle is closed: every quota, reference and page must
// come back.
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
  struct MTask {
    std::unique_ptr<fake_kernel::FakeTask> ft;
    int table;
    std::map<int, uint32_t> granted;  // provenance: object -> rights given
    std::deque<uint32_t> dead;        // closed or revoked handle values
    uint64_t ipc_buffer;
    uint32_t threads = 0;  // made by thread_create
    size_t base_pages;     // quota held beyond page tables at start
  };

  // What a call may return: it must fail with one of `required` (if any
  // applies), or may fail with one of `possible`.
  struct Expect {
    std::set<int> required, possible;
    void Req(int err) { required.insert(err); }
    void Maybe(int err) { possible.insert(err); }
  };

  // Ends the process with what went wrong and the step that did it.
  [[noreturn]] void Fail(const std::string &what);
  // Compares the kernel's state with the model's (see the top).
  void CheckAll();
  // Runs a syscall through syscall_dispatch() and checks its result against
  // `e`; a refused call must change nothing.
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
  void RecordDead(int table, uint32_t handle);
  // A created task that runs ends (its last thread exits with `code`, or a
  // fault ends it): the kernel's side (fake_kernel::EndTask / FaultTask) and
  // the model's (its watch signalled and dropped, its handles closed).
  void EndTask(int obj, int64_t code, bool faulted);

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
  uint64_t step_number = 0;
  std::string step_what;  // what the step does, for failure messages

 private:
  void CheckTable(const MTable &t);
  void CheckObject(int id, const std::vector<uint32_t> &refs);
  void CheckQuotas();
  std::vector<uint32_t> RefCounts() const;
  void CountResult(uint64_t number, int64_t r, const char *suffix);
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

}  // namespace syscall_harness

#endif
