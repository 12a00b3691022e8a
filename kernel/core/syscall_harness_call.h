// The harness's per-syscall machinery shared by syscall_harness_calls.cc
// and syscall_harness_waits.cc: a call in the making (its arguments, the
// errors the model says apply) with the argument generators and shared
// predictions. Private to the harness.
#ifndef KERNEL_CORE_SYSCALL_HARNESS_CALL_H
#define KERNEL_CORE_SYSCALL_HARNESS_CALL_H

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "kernel/core/syscall_harness.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/errors.h"
#include "neuron/irq.h"
#include "neuron/kernel_stats.h"
#include "neuron/rights.h"
#include "neuron/syscall_decl.h"
#include "neuron/syscall_numbers.h"

namespace syscall_harness {
namespace detail {

using fake_kernel::FakeTask;
using Expect = Harness::Expect;

constexpr uint64_t kAny = HANDLE_ANY_TYPE;
constexpr uint64_t kMapBase = 0x400000;  // where VMOs are mapped (a new level-0 table)
constexpr uint64_t kMapPages = 256;
constexpr uint64_t kFarBase = uint64_t{1} << 30;  // and here (new level-1 and level-0 tables)
constexpr uint64_t kScratch = FakeTask::kRw;      // buffers, below the IPC buffer
constexpr uint64_t kScratchSize = FakeTask::kIpcBuffer - FakeTask::kRw;
constexpr uint64_t kName = kScratch + kScratchSize - 64;  // task_create's names
constexpr uint64_t kUserWindow = (uint64_t{1} << 38) - USER_MIN;
constexpr uint64_t kInfoReserved = ~(0xffull | (0xffffull << NX_MSG_INFO_BYTES_SHIFT));
constexpr uint32_t kProt = NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_EXECUTE;

inline uint64_t Pow2(uint64_t n) {
  uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Pages a VMO is charged (vmo.h: the data, the whole buddy block if
// contiguous, and a paged VMO's index block past the inline list).
inline size_t VmoCharge(uint64_t pages, bool contiguous) {
  if (contiguous) return Pow2(pages);
  if (pages <= VMO_INLINE_PAGES) return pages;
  return pages + Pow2((pages * sizeof(uintptr_t) + PAGE_SIZE - 1) / PAGE_SIZE);
}

// A channel's record is one buddy block (kobject.h).
inline size_t ChannelCharge() { return Pow2((sizeof(kchannel_t) + PAGE_SIZE - 1) / PAGE_SIZE); }

inline bool OneBit(uint64_t b) { return b && !(b & (b - 1)) && (b & NX_SIGNAL_BITS); }
inline bool MaskOk(uint64_t m) { return m && !(m & ~NX_SIGNAL_BITS); }

inline uint64_t NowNs() {
  const uint64_t t = fake_kernel::Now(), hz = fake_kernel::kTimebaseHz;
  return (t / hz) * 1000000000ull + (t % hz) * 1000000000ull / hz;
}

// A wait's deadline in timer ticks (syscall_ns_to_ticks rounds up), or
// NOTIFY_DEADLINE_NEVER.
inline uint64_t DeadlineTicks(uint64_t ns) {
  if (ns == NX_DEADLINE_NEVER) return NOTIFY_DEADLINE_NEVER;
  const uint64_t hz = fake_kernel::kTimebaseHz;
  const uint64_t t = (ns / 1000000000ull) * hz + (ns % 1000000000ull) * hz / 1000000000ull;
  return (ns % 1000000000ull) * hz % 1000000000ull ? t + 1 : t;
}

// Whether a wait with this deadline only looks.
inline bool Polls(uint64_t ns) { return DeadlineTicks(ns) <= fake_kernel::Now(); }

// How far ahead a deadline "soon" is: some 30 steps (Step moves the clock
// 100 us a step on average).
constexpr uint64_t kSoonNs = 3000000;

struct Call {
  Harness &h;
  int ti;
  Source &src;
  Harness::MTask &t;
  FakeTask &ft;
  int table;
  uint64_t raw[6] = {0, 0, 0, 0, 0, 0};
  Expect e;

  Call(Harness &harness, int task, Source &source)
      : h(harness),
        ti(task),
        src(source),
        t(harness.tasks[task]),
        ft(*harness.tasks[task].ft),
        table(harness.tasks[task].table) {}

  Harness::MCap &Cap(int c) { return h.caps[c]; }
  Harness::MObj &Obj(int c) { return h.objs[h.caps[c].obj]; }
  int Lookup(int arg, uint32_t type, uint32_t rights) {
    return h.Lookup(ti, raw[arg], type, rights, &e);
  }
  // The object `arg` names if the lookup passes, else -1.
  int Valid(int c, uint32_t type) {
    return c >= 0 && (type == kAny || Obj(c).type == type) ? h.caps[c].obj : -1;
  }
  bool TableFull() const { return handle_table_free_slots(&ft.task.handles) == 0; }
  size_t QuotaLeft() const { return quota_available(&ft.task.quota); }
  int64_t Run(uint64_t nr) { return h.Run(ti, nr, raw, e); }
  int DecodeOnly(uint64_t nr) { return h.DecodeOnly(ti, nr, raw, e); }

  // ---- Argument generators ----

  // A handle of the task: mostly a live one of `type` with `rights`.
  uint64_t Handle(uint32_t type, uint32_t rights) {
    const uint64_t r = src.Below(100);
    const auto &live = h.tables[table].caps;
    if (r < 82 && !live.empty()) {
      std::vector<uint32_t> good, any;
      for (const auto &kv : live) {
        any.push_back(kv.first);
        const Harness::MCap &c = h.caps[kv.second];
        if ((type == kAny || h.objs[c.obj].type == type) && (c.rights & rights) == rights) {
          good.push_back(kv.first);
        }
      }
      if (r < 72 && !good.empty()) return good[src.Below(good.size())];
      return any[src.Below(any.size())];
    }
    if (r < 90 && !t.dead.empty()) return t.dead[src.Below(t.dead.size())];
    if (r < 93) return 0;
    if (r < 97) return src.Word() & 0xffffffffu;
    return src.Word() | uint64_t{1} << 32;
  }
  // A live handle whose capability satisfies `want`, else `fallback`.
  template <typename Want>
  uint64_t Pick(Want want, uint64_t fallback) {
    std::vector<uint32_t> match;
    for (const auto &kv : h.tables[table].caps) {
      if (want(h.caps[kv.second])) match.push_back(kv.first);
    }
    return match.empty() ? fallback : match[src.Below(match.size())];
  }
  // A handle of `type` with `rights` whose object satisfies `want`, mostly
  // (else any handle for them).
  template <typename Want>
  uint64_t Toward(uint32_t type, uint32_t rights, unsigned percent, Want want) {
    auto match = [&](const Harness::MCap &m) {
      return h.objs[m.obj].type == type && (m.rights & rights) == rights && want(m.obj);
    };
    const uint64_t any = Handle(type, rights);
    return src.Percent(percent) ? Pick(match, any) : any;
  }
  // Whether another task holds a handle to obj.
  bool HeldByOthers(int obj) const {
    for (size_t i = 0; i < h.tasks.size(); i++) {
      if (static_cast<int>(i) == ti) continue;
      for (const auto &kv : h.tables[h.tasks[i].table].caps) {
        if (h.caps[kv.second].obj == obj) return true;
      }
    }
    return false;
  }
  // Whether a blocked task waits on obj.
  bool WaitedOn(int obj) const {
    return std::any_of(h.tasks.begin(), h.tasks.end(),
                       [obj](const Harness::MTask &m) { return m.wait && m.wait->obj == obj; });
  }
  bool Mapped(int cap) const {
    for (const Harness::MMap &m : h.maps) {
      if (m.cap == cap) return true;
    }
    return false;
  }
  // A handle to close or revoke: mostly not one of the boot objects, which
  // never come back.
  uint64_t Expendable() {
    std::vector<uint32_t> spare;
    for (const auto &kv : h.tables[table].caps) {
      if (h.objs[h.caps[kv.second].obj].fixed_refs == 0) spare.push_back(kv.first);
    }
    const uint64_t r = src.Below(100);
    if (r < 98 && !spare.empty()) return spare[src.Below(spare.size())];
    if (r < 90 && !t.dead.empty()) return t.dead[src.Below(t.dead.size())];
    return r < 95 ? src.Word() & 0xffffffffu : Handle(kAny, 0);
  }
  uint64_t Rights(uint32_t base) {
    const uint64_t r = src.Below(100);
    if (r < 45) return base & src.Word();
    if (r < 75) return base;
    if (r < 88) return src.Word() & NX_RIGHTS_ALL;
    if (r < 95) return src.Word() & 0xffffffffu;
    return src.Word();
  }
  // A mapping of the task, or nullptr.
  const Harness::MMap *Mapping() {
    std::vector<const Harness::MMap *> mine;
    for (const Harness::MMap &m : h.maps) {
      if (m.task == ti) mine.push_back(&m);
    }
    return mine.empty() ? nullptr : mine[src.Below(mine.size())];
  }
  // A user buffer of len bytes: mostly in the task's read-write memory.
  uint64_t Buffer(uint64_t len) {
    const uint64_t r = src.Below(100);
    if (r < 60 && len <= kScratchSize) return kScratch + src.Below(kScratchSize - len + 1);
    if (r < 68) return FakeTask::kRo + src.Below(PAGE_SIZE);
    if (r < 80) {
      if (const Harness::MMap *m = Mapping()) return m->va + src.Below(m->size);
    }
    if (r < 85) return 0x30000 + src.Below(PAGE_SIZE);  // unmapped
    if (r < 88) return 0xffffffff80200000ull;           // the kernel
    if (r < 92) return kScratch + src.Below(FakeTask::kRwPages * PAGE_SIZE);
    return src.Word();
  }
  uint64_t Length() {
    const uint64_t r = src.Below(100);
    if (r < 75) return src.Below(300);
    if (r < 92) return src.Below(3 * PAGE_SIZE);
    return src.Word() >> src.Below(64);
  }
  uint64_t Bits() {
    const uint64_t r = src.Below(100);
    if (r < 55) return (src.Word() & 0xff) | 1u << src.Below(8);
    if (r < 75) return uint64_t{1} << src.Below(63);
    if (r < 85) return NX_SIGNAL_BITS;
    if (r < 90) return 0;
    if (r < 95) return uint64_t{1} << 63;
    return src.Word();
  }
  uint64_t Deadline() {
    const uint64_t r = src.Below(100);
    if (r < 65) return 0;
    if (r < 80) return NowNs() - src.Below(NowNs());
    if (r < 92) return NX_DEADLINE_NEVER;
    return src.Word();
  }
  // The deadline of a wait with nothing to take: sometimes one that has
  // passed (it only looks), else one soon, so that it times out some steps
  // later. If another task could end the wait (`wakeable`), mostly a later
  // one (waits of several tasks meet, and signals end them), sometimes none
  // or a far one: a task nothing can wake would sit out the run.
  uint64_t BlockingDeadline(bool wakeable) {
    const uint64_t r = src.Below(100);
    if (r < 15) return src.Below(NowNs() + 1);
    if (!wakeable) return NowNs() + 1 + src.Below(kSoonNs);
    if (r < 90) return NowNs() + 1 + src.Below(20 * kSoonNs);
    return r < 97 ? NX_DEADLINE_NEVER : src.Word();
  }
  // A message's info word (bytes only if `bytes`), and the handles it
  // sends written to the task's IPC buffer.
  uint64_t Info(bool bytes) {
    uint64_t info;
    const uint64_t r = src.Below(100);
    if (r < 72) {
      info = src.Below(5);
      if (bytes && src.Percent(40))
        info |= src.Below(NX_MSG_BUF_MAX + 1) << NX_MSG_INFO_BYTES_SHIFT;
    } else if (r < 78) {
      info = src.Below(5) | (1 + src.Below(64)) << NX_MSG_INFO_BYTES_SHIFT;
    } else if (r < 85) {
      info = 5 + src.Below(251);
    } else if (r < 92) {
      info = src.Below(5) | uint64_t{1} << (8 + src.Below(8));
    } else {
      info = src.Word();
    }
    nx_handle_value_t hs[NX_MSG_HANDLES];
    for (nx_handle_value_t &v : hs) {
      v = static_cast<nx_handle_value_t>(Handle(kAny, NX_RIGHT_TRANSFER));
    }
    if (t.ipc_buffer && ft.Write(t.ipc_buffer + NX_IPC_BUFFER_HANDLES, hs, sizeof hs)) {
      UserWrote(t.ipc_buffer + NX_IPC_BUFFER_HANDLES, sizeof hs);
    }
    return info;
  }

  // ---- Shared predictions ----

  // syscall_msg_decode: the info word and the IPC buffer. The handle values
  // the message sends in *handles.
  void Message(uint64_t info, bool bytes_ok, std::vector<uint32_t> *handles) {
    if (!t.ipc_buffer || (info & kInfoReserved)) {
      e.Req(NX_ERR_INVALID_ARGS);
      return;
    }
    const uint64_t n = info & 0xff, bytes = (info >> NX_MSG_INFO_BYTES_SHIFT) & 0xffff;
    if (n > NX_MSG_HANDLES || bytes > NX_MSG_BUF_MAX || (bytes && !bytes_ok)) {
      e.Req(NX_ERR_OUT_OF_RANGE);
      return;
    }
    if (!h.UserRange(ti, t.ipc_buffer + NX_IPC_BUFFER_HANDLES, n * 4, false) ||
        !h.UserRange(ti, t.ipc_buffer + NX_IPC_BUFFER_BYTES, bytes, false)) {
      e.Req(NX_ERR_BAD_ADDRESS);
      return;
    }
    if (handles) {
      handles->resize(n);
      if (n && !ft.Read(t.ipc_buffer + NX_IPC_BUFFER_HANDLES, handles->data(), n * 4)) {
        h.Fail("an IPC buffer the model calls readable is not mapped");
      }
    }
  }

  void UserWrote(uint64_t addr, uint64_t len) { h.UserWrote(ti, addr, len); }
  bool Aliases(uint64_t addr, uint64_t len, int vmo = -1) {
    for (const Harness::MMap &m : h.maps) {
      if (m.task == ti && addr < m.va + m.size && m.va < addr + len && (vmo < 0 || m.vmo == vmo)) {
        return true;
      }
    }
    return false;
  }
  // A new object the call handed out as handle r with `rights`.
  int Created(int64_t r, uint32_t type, size_t charge, uint32_t rights) {
    const handle_slot_t *s = &ft.task.handles.slots[r & 0xffff];
    if (!s->object || s->object->type != type) h.Fail("the new handle names no new object");
    const int o = h.NewObj(type, s->object, charge ? &ft.task.quota : nullptr, charge);
    h.AddCap(table, static_cast<uint32_t>(r), o, rights, 0, -1);
    h.Grant(ti, o, rights);
    return o;
  }
};

// The syscalls (syscall_harness_calls.cc).
void Derive(Call &c, bool mint);
void Close(Call &c);
void Revoke(Call &c);
void VmoCreate(Call &c);
void VmoIo(Call &c, bool read);
void VmoMap(Call &c);
void VmoUnmap(Call &c);
void CreateRecord(Call &c, uint64_t nr, uint32_t type, uint32_t rights);
void IpcCall(Call &c, uint64_t nr);
void ChannelCreate(Call &c);
void ChannelSend(Call &c);
void ChannelRecv(Call &c);
void ChannelBind(Call &c);

}  // namespace detail
}  // namespace syscall_harness

#endif
