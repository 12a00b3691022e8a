// The harness's model (see syscall_harness.h): the sources of steps, the
// set-up, failure and counting, running a call, the steps and the model's
// operations. The invariants checked after each step and the teardown at
// the end are in syscall_harness_checks.cc; the per-syscall generators and
// predictions in syscall_harness_calls.cc and syscall_harness_waits.cc.
#include "kernel/core/syscall_harness.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "neuron/arch/memory_layout.h"
#include "neuron/errors.h"
#include "neuron/irq.h"
#include "neuron/rights.h"
#include "neuron/syscall_decl.h"
#include "neuron/syscall_numbers.h"
#include "neuron/user_memory.h"

namespace syscall_harness {

using fake_kernel::FakeTask;

// ---- Sources ----

uint64_t BytesSource::Take(unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; i++) {
    const uint64_t b = pos_ < size_ ? data_[pos_] : 0;
    pos_++;
    v |= b << (8 * i);
  }
  return v;
}

uint64_t BytesSource::Below(uint64_t n) {
  if (n <= 1) return 0;
  unsigned bytes = 1;
  while (bytes < 8 && (n - 1) >> (8 * bytes)) bytes++;
  return Take(bytes) % n;
}

uint64_t BytesSource::Word() { return Take(8); }

const char *ErrorName(int err) {
  switch (err) {
    case NX_ERR_INVALID_ARGS:
      return "INVALID_ARGS";
    case NX_ERR_NOT_FOUND:
      return "NOT_FOUND";
    case NX_ERR_OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case NX_ERR_BAD_FORMAT:
      return "BAD_FORMAT";
    case NX_ERR_NOT_SUPPORTED:
      return "NOT_SUPPORTED";
    case NX_ERR_NO_MEMORY:
      return "NO_MEMORY";
    case NX_ERR_BAD_SYSCALL:
      return "BAD_SYSCALL";
    case NX_ERR_BAD_HANDLE:
      return "BAD_HANDLE";
    case NX_ERR_ACCESS_DENIED:
      return "ACCESS_DENIED";
    case NX_ERR_BAD_ADDRESS:
      return "BAD_ADDRESS";
    case NX_ERR_WRONG_TYPE:
      return "WRONG_TYPE";
    case NX_ERR_TIMED_OUT:
      return "TIMED_OUT";
    case NX_ERR_BUSY:
      return "BUSY";
    default:
      return "ERR?";
  }
}

std::string ResultName(int64_t r) {
  return r < 0 ? ErrorName(static_cast<int>(r)) : std::to_string(r);
}

namespace {

std::string Set(const std::set<int> &s) {
  std::string out;
  for (int e : s) out += std::string(out.empty() ? "" : " ") + ErrorName(e);
  return out.empty() ? "(none)" : out;
}

size_t CachedPages() {
  size_t n = vmo_system_slab_pages(&kernel.vmos);
  const slab_cache_t *caches[] = {&kernel.endpoints, &kernel.notifications, &kernel.waitsets,
                                  &kernel.tasks, &kernel.threads};
  for (const slab_cache_t *c : caches) n += slab_cache_slabs(c) << slab_cache_slab_order(c);
  return n;
}

}  // namespace

// ---- Set-up ----

Harness::Harness(const Config &c) : config(c), env(c.arena_bytes) {
  if (!env.ok()) Fail("the fake kernel did not come up");
  fake_kernel::SetNow(100000000);  // 10 s
  const std::vector<uint8_t> archive = fake_kernel::CpioArchive({
      {"app/hello", fake_kernel::MinimalElf()},
      {"app/junk", {'n', 'o', 't', ' ', 'E', 'L', 'F'}},
  });
  vmo_t *boot = env.NewBootfs(archive);
  vmo_t *dev = env.NewPhysicalVmo(1);
  if (!boot || !dev) Fail("no boot objects");
  const int log = NewObj(OBJ_DEBUG_LOG, env.debug_log(), nullptr, 0);
  objs[log].fixed_refs = 1;
  bootfs = NewObj(OBJ_VMO, &boot->obj, env.boot_quota(), vmo_committed_pages(boot));
  objs[bootfs].fixed_refs = 1;
  objs[bootfs].size = vmo_size(boot);
  objs[bootfs].shadow.assign(vmo_size(boot), 0);
  std::copy(archive.begin(), archive.end(), objs[bootfs].shadow.begin());
  const int device = NewObj(OBJ_VMO, &dev->obj, nullptr, 0);
  objs[device].fixed_refs = 1;
  objs[device].size = vmo_size(dev);
  objs[device].shadow.assign(vmo_size(dev), 0);
  // Objects every task holds from the start, as if a parent handed them
  // out (no capability of one task reaches another otherwise): a channel
  // to pass capabilities through, a notification and a wait set to wait on
  // together. Each keeps a reference of the harness's until Finish.
  quota_t *boot_quota = env.boot_quota();
  size_t boot_used = quota_used(boot_quota);
  auto share = [&](uint32_t type, object_t *ptr) {
    shared.push_back(NewObj(type, ptr, boot_quota, quota_used(boot_quota) - boot_used));
    objs[shared.back()].fixed_refs = 1;
    boot_used = quota_used(boot_quota);
    return shared.back();
  };
  knotification_t *kn = nullptr;
  kwaitset_t *kw = nullptr;
  kchannel_t *kc = nullptr;
  constexpr uint32_t kSharedDepth = 4;
  if (knotification_create(boot_quota, &kn) != NX_OK) Fail("no shared notification");
  const int notification = share(OBJ_NOTIFICATION, &kn->n.obj);
  if (kwaitset_create(boot_quota, &kw) != NX_OK) Fail("no shared wait set");
  const int waitset = share(OBJ_WAITSET, &kw->ws.obj);
  if (kchannel_create(boot_quota, kSharedDepth, &kc) != NX_OK) Fail("no shared channel");
  const int channel = share(OBJ_CHANNEL, &kc->ch.obj);
  objs[channel].depth = kSharedDepth;
  objs[channel].holding = NewTable(kHolding, &kc->holding, channel);
  const unsigned priorities[] = {10, 5, 20, 12, 3, 8};
  for (int i = 0; i < c.tasks; i++) {
    MTask t;
    t.ft.reset(new FakeTask);
    if (t.ft->Init(priorities[i % 6], c.quota_pages) != NX_OK) Fail("a task did not start");
    t.table = NewTable(kTaskTable, &t.ft->task.handles, i);
    t.ipc_buffer = FakeTask::kIpcBuffer;
    t.base_pages = t.ft->base_pages();
    tasks.push_back(std::move(t));
    auto install = [&](int obj, uint32_t rights) {
      const uint32_t h = tasks[i].ft->Install(objs[obj].ptr, rights);
      AddCap(tasks[i].table, h, obj, rights, 0, -1);
      Grant(i, obj, rights);
    };
    install(log, NX_RIGHT_WRITE);
    kinterrupt_t *irq = env.NewInterrupt(static_cast<uint32_t>(i + 1));
    const int line = NewObj(OBJ_INTERRUPT, &irq->intr.obj, nullptr, 0);
    objs[line].fixed_refs = 1;
    objs[line].line = static_cast<uint32_t>(i + 1);
    install(line, NX_DEFAULT_RIGHTS_INTERRUPT);
    install(bootfs, NX_RIGHT_READ | NX_RIGHT_EXECUTE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
    install(device, NX_DEFAULT_RIGHTS_VMO);
    install(notification, NX_DEFAULT_RIGHTS_NOTIFICATION);
    install(waitset, NX_DEFAULT_RIGHTS_WAITSET);
    install(channel, NX_DEFAULT_RIGHTS_CHANNEL);
  }
  CheckAll();
}

Harness::~Harness() {
  if (!finished_) {
    for (MTask &t : tasks) t.ft->Destroy();
  }
}

// ---- Failure and counting ----

void Harness::Fail(const std::string &what) {
  std::fprintf(stderr, "syscall harness: step %llu: %s\n  %s\n",
               static_cast<unsigned long long>(step_number), step_what.c_str(), what.c_str());
  fake_kernel::Fatal("a kernel invariant or a predicted result did not hold (see above)");
}

void Harness::CountResult(uint64_t number, int64_t r, const char *suffix) {
  const std::string name = std::string(syscall_name(number)) + suffix;
  counts[name]++;
  counts[name + (r >= 0 ? " ok" : std::string(" ") + ErrorName(static_cast<int>(r)))]++;
  if (r < 0) counts[std::string("error ") + ErrorName(static_cast<int>(r))]++;
}

uint64_t Harness::calls(uint64_t number) const {
  auto it = counts.find(syscall_name(number));
  return it == counts.end() ? 0 : it->second;
}

uint64_t Harness::successes(uint64_t number) const {
  auto it = counts.find(std::string(syscall_name(number)) + " ok");
  return it == counts.end() ? 0 : it->second;
}

uint64_t Harness::errors(uint64_t number, int err) const {
  auto it = counts.find(std::string(syscall_name(number)) + " " + ErrorName(err));
  return it == counts.end() ? 0 : it->second;
}

uint64_t Harness::error_total(int err) const {
  auto it = counts.find(std::string("error ") + ErrorName(err));
  return it == counts.end() ? 0 : it->second;
}

uint64_t Harness::events(const std::string &kind) const {
  auto it = counts.find("event " + kind);
  return it == counts.end() ? 0 : it->second;
}

std::string Harness::Report() const {
  std::ostringstream out;
  out << steps_ << " steps\n";
  for (const auto &kv : counts) out << "  " << kv.first << ": " << kv.second << "\n";
  return out.str();
}

// ---- Running a call ----

namespace {

std::string Describe(int task, uint64_t number, const uint64_t raw[6]) {
  std::ostringstream s;
  s << "task " << task << ": " << syscall_name(number) << "(" << std::hex;
  for (int i = 0; i < 6; i++) s << (i ? ", 0x" : "0x") << raw[i];
  s << ")";
  return s.str();
}

// A hash of `len` bytes (a multiple of 8) at p.
uint64_t Hash(const void *p, size_t len) {
  const uint8_t *b = static_cast<const uint8_t *>(p);
  uint64_t h = 0;
  for (size_t i = 0; i < len; i += 8) {  // no chain between words: vectorizes
    uint64_t w;
    std::memcpy(&w, b + i, 8);
    h += (w ^ i) * 0x9e3779b97f4a7c15ull;
  }
  return h;
}

// What a refused call must leave as it was.
struct Unchanged {
  std::vector<uint64_t> tables;  // hashes of the tasks' handle tables
  std::vector<size_t> quotas;
  size_t free_pages, root, vmos, mappings;
  uint64_t memory;  // a hash of the caller's read-write memory

  Unchanged(const Harness &h, int task) {
    for (const Harness::MTask &t : h.tasks) {
      tables.push_back(Hash(&t.ft->task.handles, sizeof(handle_table_t) & ~size_t{7}));
      quotas.push_back(quota_used(&t.ft->task.quota));
    }
    std::vector<uint8_t> bytes(FakeTask::kRwPages * PAGE_SIZE);
    h.tasks[task].ft->Read(FakeTask::kRw, bytes.data(), bytes.size());
    memory = Hash(bytes.data(), bytes.size());
    free_pages = page_alloc_free_pages(&kernel.pages) + CachedPages();
    root = quota_used(&kernel.root_quota);
    vmos = kernel.vmos.live;
    mappings = 0;
    for (const Harness::MTask &t : h.tasks) mappings += t.ft->task.vmos.count;
  }
  std::string Diff(const Unchanged &o) const {
    for (size_t i = 0; i < tables.size(); i++) {
      if (tables[i] != o.tables[i]) return "task " + std::to_string(i) + "'s handle table";
      if (quotas[i] != o.quotas[i]) return "task " + std::to_string(i) + "'s quota";
    }
    if (free_pages != o.free_pages) return "the free pages";
    if (root != o.root) return "the root quota";
    if (vmos != o.vmos) return "the live VMOs";
    if (mappings != o.mappings) return "the mappings";
    if (memory != o.memory) return "the caller's memory";
    return "";
  }
};

}  // namespace

int64_t Harness::Run(int task, uint64_t number, const uint64_t raw[6], const Expect &e) {
  step_what = Describe(task, number, raw);
  const Unchanged before(*this, task);
  const int64_t r = tasks[task].ft->CallRawMayBlock(number, raw);
  if ((r == FakeTask::kBlocked) != e.blocks) {
    Fail(e.blocks ? "returned " + ResultName(r) + "; the model says it blocks"
                  : "blocked; expected " + (e.required.empty() ? "success" : Set(e.required)));
  }
  if (e.blocks) {
    Count(syscall_name(number));
    Count(std::string(syscall_name(number)) + " blocked");
    // It only queued: the hold and the queues are CheckAll's to compare.
    const std::string changed = before.Diff(Unchanged(*this, task));
    if (!changed.empty()) Fail("a wait that blocked changed " + changed);
    return r;
  }
  CountResult(number, r, "");
  if (r < 0) {
    const int err = static_cast<int>(r);
    if (!e.required.count(err) && !e.possible.count(err)) {
      Fail(std::string("failed with ") + ErrorName(err) + "; expected " +
           (e.required.empty() ? "success" : Set(e.required)) + " (or " + Set(e.possible) + ")");
    }
    const std::string changed = before.Diff(Unchanged(*this, task));
    if (!changed.empty()) Fail("a refused call changed " + changed);
    // a1..a5 go back to the caller as it passed them.
    if (std::memcmp(&tasks[task].ft->frame.a[1], &raw[1], 5 * sizeof raw[0])) {
      Fail("a refused call changed the caller's registers a1..a5");
    }
  } else if (!e.required.empty()) {
    Fail("succeeded (" + std::to_string(r) + "); expected " + Set(e.required));
  }
  return r;
}

int Harness::DecodeOnly(int task, uint64_t number, const uint64_t raw[6], const Expect &e) {
  step_what = Describe(task, number, raw) + " (decoded only: it would block)";
  const Unchanged before(*this, task);
  const int r = fake_kernel::DecodeOnly(&tasks[task].ft->thread, number, raw);
  CountResult(number, r, " (decoded)");
  if (r < 0 && !e.required.count(r) && !e.possible.count(r)) {
    Fail(std::string("decode failed with ") + ErrorName(r) + "; expected " +
         (e.required.empty() ? "success" : Set(e.required)));
  }
  if (r == NX_OK && !e.required.empty()) Fail("decode accepted; expected " + Set(e.required));
  const std::string changed = before.Diff(Unchanged(*this, task));
  if (!changed.empty()) Fail("a decoder changed " + changed);
  return r;
}

// ---- Steps ----

bool Harness::Step(Source &src) {
  if (src.Empty()) return false;
  step_number = ++steps_;
  fake_kernel::SetNow(fake_kernel::Now() + src.Below(2000));
  if (src.Below(100) < 3) {
    DoEvent(*this, src);
  } else {
    // A task's turn: a blocked one runs its continuation if it can, else
    // it passes the turn on to the next task that can run.
    int task = static_cast<int>(src.Below(tasks.size()));
    for (size_t i = 0; i < tasks.size() && tasks[task].wait && !Runnable(task); i++) {
      task = static_cast<int>((task + 1) % tasks.size());
    }
    if (!tasks[task].wait) {
      DoSyscall(*this, task, PickSyscall(src), src);
    } else if (Runnable(task)) {
      Resume(task);
    } else {
      Count("every task is blocked");
    }
  }
  if (config.check_every <= 1 || steps_ % config.check_every == 0) CheckAll();
  return true;
}

// ---- Model operations ----

int Harness::NewObj(uint32_t type, object_t *ptr, quota_t *payer, size_t charge) {
  MObj o;
  o.type = type;
  o.ptr = ptr;
  o.payer = payer;
  o.charge = charge;
  for (int i = 0; i < 16; i++) o.ws_n[i] = -1, o.ws_mask[i] = 0;
  objs.push_back(o);
  const int id = static_cast<int>(objs.size() - 1);
  if (by_ptr.count(ptr)) Fail("two live objects at one address");
  by_ptr[ptr] = id;
  return id;
}

int Harness::NewTable(TableKind kind, handle_table_t *kt, int owner) {
  MTable t;
  t.kind = kind;
  t.kt = kt;
  t.owner = owner;
  tables.push_back(t);
  return static_cast<int>(tables.size() - 1);
}

int Harness::AddCap(int table, uint32_t handle, int obj, uint32_t rights, uint64_t badge,
                    int parent) {
  if (tables[table].caps.count(handle)) Fail("a handle value handed out twice");
  MCap c;
  c.obj = obj;
  c.rights = rights;
  c.badge = badge;
  c.parent = parent;
  c.table = table;
  c.handle = handle;
  caps.push_back(c);
  const int id = static_cast<int>(caps.size() - 1);
  if (parent >= 0) caps[parent].children.insert(id);
  tables[table].caps[handle] = id;
  return id;
}

void Harness::MoveCap(int cap, int table, uint32_t handle) {
  MCap &c = caps[cap];
  tables[c.table].caps.erase(c.handle);
  RecordDead(c.table, c.handle);
  if (tables[table].caps.count(handle)) Fail("a moved handle landed on a live one");
  c.table = table;
  c.handle = handle;
  tables[table].caps[handle] = cap;
}

void Harness::RecordDead(int table, uint32_t handle) {
  if (tables[table].kind != kTaskTable) return;
  std::deque<uint32_t> &dead = tasks[tables[table].owner].dead;
  dead.push_back(handle);
  if (dead.size() > 64) dead.pop_front();
}

void Harness::CloseCap(int cap) {
  MCap &c = caps[cap];
  // Its mappings stay, attributed to its parent (vmo_map.h).
  for (MMap &m : maps) {
    if (m.cap == cap) {
      m.cap = c.parent;
      m.via_child = true;
      Count(c.parent >= 0 ? "model: a mapping moved to its capability's parent"
                          : "model: a mapping outlived its root capability");
    }
  }
  // Its children move up to its parent (cap_tree.h).
  for (int child : c.children) {
    caps[child].parent = c.parent;
    if (c.parent >= 0) caps[c.parent].children.insert(child);
  }
  c.children.clear();
  if (c.parent >= 0) caps[c.parent].children.erase(cap);
  tables[c.table].caps.erase(c.handle);
  RecordDead(c.table, c.handle);
  c.alive = false;
}

size_t Harness::RevokeCap(int root) {
  // The mappings made through since-closed descendants go first...
  for (size_t i = maps.size(); i-- > 0;) {
    if (maps[i].cap == root && maps[i].via_child) {
      RemoveMapping(i);
      Count("model: a revoke unmapped what a closed descendant mapped");
    }
  }
  // ... then every descendant, with the mappings made through it.
  std::vector<int> subtree(caps[root].children.begin(), caps[root].children.end());
  for (size_t i = 0; i < subtree.size(); i++) {
    for (int child : caps[subtree[i]].children) subtree.push_back(child);
  }
  for (int d : subtree) {
    for (size_t i = maps.size(); i-- > 0;) {
      if (maps[i].cap == d) {
        RemoveMapping(i);
        Count("model: a revoke unmapped what a descendant mapped");
      }
    }
    MCap &c = caps[d];
    if (tables[c.table].kind != kTaskTable) Count("model: a revoke reached a held capability");
    if (c.table != caps[root].table) Count("model: a revoke reached into another table");
    tables[c.table].caps.erase(c.handle);
    RecordDead(c.table, c.handle);
    c.alive = false;
    c.children.clear();
  }
  caps[root].children.clear();
  return subtree.size();
}

void Harness::RemoveMapping(size_t index) { maps.erase(maps.begin() + index); }

std::vector<uint32_t> Harness::RefCounts() const {
  std::vector<uint32_t> refs(objs.size(), 0);
  for (const MTable &t : tables) {
    if (!t.alive) continue;
    for (const auto &kv : t.caps) refs[caps[kv.second].obj]++;
  }
  for (const MMap &m : maps) refs[m.vmo]++;
  for (const MTask &t : tasks) {
    if (t.wait) refs[t.wait->obj]++;  // the wait's hold, until its continuation
  }
  for (const auto &live : by_ptr) {
    const MObj &o = objs[live.second];
    refs[live.second] += o.fixed_refs;
    if (o.type == OBJ_WAITSET) {
      for (int n : o.ws_n) {
        if (n >= 0) refs[n]++;
      }
    }
    if (o.type == OBJ_CHANNEL && o.bound >= 0) refs[o.bound]++;
    if (o.type == OBJ_INTERRUPT && o.irq_n >= 0) refs[o.irq_n]++;
    if (o.type == OBJ_TASK && o.watch_n >= 0) refs[o.watch_n]++;
  }
  return refs;
}

uint32_t Harness::ExpectedRefs(int obj) const { return RefCounts()[obj]; }

void Harness::Collect() {
  for (bool changed = true; changed;) {
    changed = false;
    const std::vector<uint32_t> refs = RefCounts();
    for (const auto &live : by_ptr) {
      const int i = live.second;
      MObj &o = objs[i];
      if (refs[i] != 0) continue;
      changed = true;
      o.alive = false;
      by_ptr.erase(o.ptr);
      if (o.type == OBJ_CHANNEL) {
        // Destroyed: every capability it held is closed.
        for (MMsg &m : o.queue) {
          for (int c : m.caps) {
            if (caps[c].alive) CloseCap(c);
          }
        }
        o.queue.clear();
        o.bound = -1;
        tables[o.holding].alive = false;
      } else if (o.type == OBJ_WAITSET) {
        for (int s = 0; s < 16; s++) o.ws_n[s] = -1;
      } else if (o.type == OBJ_TASK) {
        // Never started: torn down, closing what it held.
        std::vector<int> held;
        for (const auto &kv : tables[o.table].caps) held.push_back(kv.second);
        for (int c : held) CloseCap(c);
        tables[o.table].alive = false;
        o.state = TASK_DEAD;
        o.watch_n = -1;  // task_destroy drops its watch, unsignalled
      }
      break;  // the counts changed
    }
  }
}

int Harness::ObjOf(const object_t *ptr) const {
  auto it = by_ptr.find(ptr);
  return it == by_ptr.end() ? -1 : it->second;
}

int Harness::CapAt(int table, uint64_t value) const {
  if (value > UINT32_MAX) return -1;
  auto it = tables[table].caps.find(static_cast<uint32_t>(value));
  return it == tables[table].caps.end() ? -1 : it->second;
}

int Harness::Lookup(int task, uint64_t value, uint32_t type, uint32_t rights, Expect *e) const {
  const int c = CapAt(tasks[task].table, value);
  if (c < 0) {
    e->Req(NX_ERR_BAD_HANDLE);
    return -1;
  }
  if (type != HANDLE_ANY_TYPE && objs[caps[c].obj].type != type) e->Req(NX_ERR_WRONG_TYPE);
  if ((caps[c].rights & rights) != rights) e->Req(NX_ERR_ACCESS_DENIED);
  return c;
}

bool Harness::UserRange(int task, uint64_t addr, uint64_t len, bool write) const {
  if (len == 0) return true;
  if (addr < USER_MIN || addr > USER_MAX || len > USER_MAX - addr) return false;
  for (uint64_t page = addr & ~(PAGE_SIZE - 1); page < addr + len; page += PAGE_SIZE) {
    bool ok = false;
    if (page >= FakeTask::kRw && page < FakeTask::kRw + FakeTask::kRwPages * PAGE_SIZE) {
      ok = true;
    } else if (page == FakeTask::kRo) {
      ok = !write;
    } else {
      for (const MMap &m : maps) {
        if (m.task == task && page >= m.va && page < m.va + m.size) {
          // A mapping of device memory is never a syscall buffer: the
          // kernel copies only to and from RAM.
          const vmo_t *v = reinterpret_cast<const vmo_t *>(objs[m.vmo].ptr);
          ok = vmo_kind(v) != VMO_KIND_PHYSICAL && (m.prot & NX_RIGHT_READ) &&
               (!write || (m.prot & NX_RIGHT_WRITE));
          break;
        }
      }
    }
    if (!ok) return false;
  }
  return true;
}

bool Harness::MakesCycle(int obj, int into) const {
  std::vector<int> todo = {obj};
  std::set<int> seen;
  while (!todo.empty()) {
    const int o = todo.back();
    todo.pop_back();
    if (o == into) return true;
    if (!seen.insert(o).second) continue;
    const MObj &m = objs[o];
    if (m.type == OBJ_CHANNEL) {
      for (const MMsg &msg : m.queue) {
        for (int c : msg.caps) {
          if (caps[c].alive) todo.push_back(caps[c].obj);
        }
      }
    } else if (m.type == OBJ_TASK && m.table >= 0 && tables[m.table].alive) {
      for (const auto &kv : tables[m.table].caps) todo.push_back(caps[kv.second].obj);
    }
  }
  return false;
}

void Harness::EndTask(int obj, int64_t code, bool faulted) {
  MObj &m = objs[obj];
  task_t *task = reinterpret_cast<task_t *>(m.ptr);
  if (faulted) {
    fake_kernel::FaultTask(task);
  } else {
    fake_kernel::EndTask(task, code);
  }
  std::vector<int> held;
  for (const auto &kv : tables[m.table].caps) held.push_back(kv.second);
  for (int c : held) CloseCap(c);
  m.state = TASK_DEAD;
  m.threads = 0;
  m.fixed_refs--;
  m.exit_code = faulted ? -1 : code;
  m.faulted = faulted;
  if (m.watch_n >= 0) {
    Deliver(m.watch_n, m.watch_bit, "a watched task's end");
    m.watch_n = -1;
    Count("model: a watched task ended");
  }
  Collect();
}

void Harness::Grant(int task, int obj, uint32_t rights) { tasks[task].granted[obj] |= rights; }

void Harness::UserWrote(int task, uint64_t addr, uint64_t len) {
  for (const MMap &m : maps) {
    if (m.task == task && addr < m.va + m.size && m.va < addr + len) Resync(m.vmo);
  }
}

void Harness::Resync(int vmo) {
  MObj &o = objs[vmo];
  vmo_t *v = reinterpret_cast<vmo_t *>(o.ptr);
  o.shadow.resize(o.size);
  for (uint64_t off = 0; off < o.size; off += PAGE_SIZE) {
    const uint64_t pa = vmo_page_phys(v, off / PAGE_SIZE);
    std::memcpy(&o.shadow[off], page_alloc_ptr(&kernel.pages, pa), PAGE_SIZE);
  }
  o.shadow_known = true;
}

}  // namespace syscall_harness
