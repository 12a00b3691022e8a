// The harness's syscalls, part two (see syscall_harness_calls.cc):
// notifications, wait sets, interrupts, tasks, threads, the core's
// syscalls, kernel events, and the choice of syscall.
#include "kernel/core/syscall_harness_call.h"

namespace syscall_harness {
namespace detail {
namespace {

// ---- Notifications and wait sets ----

// The notifications a task other than the caller, not blocked itself, could
// signal (it holds a handle that can).
std::set<int> SignalledByOthers(const Call &c) {
  std::set<int> out;
  for (size_t i = 0; i < c.h.tasks.size(); i++) {
    if (static_cast<int>(i) == c.ti || c.h.tasks[i].wait) continue;
    for (const auto &kv : c.h.tables[c.h.tasks[i].table].caps) {
      const Harness::MCap &m = c.h.caps[kv.second];
      if (m.rights & NX_RIGHT_SIGNAL) out.insert(m.obj);
    }
  }
  return out;
}

// Whether another task could end a wait on obj: signal the notification,
// or one of the wait set's.
bool Wakeable(const Call &c, int obj) {
  const std::set<int> others = SignalledByOthers(c);
  const Harness::MObj &o = c.h.objs[obj];
  if (o.type == OBJ_NOTIFICATION) return others.count(obj) > 0;
  return std::any_of(o.ws_n, o.ws_n + 16, [&](int n) { return others.count(n) > 0; });
}

// Whether a wait is queued through wait set ws (which is BUSY then).
bool HasWaiter(const Call &c, int ws) { return c.h.WaiterOn(ws) >= 0; }

// The deadline of a wait on obj that takes nothing now (`empty`): it blocks
// unless the deadline has passed.
void WaitDeadline(Call &c, int arg, int obj, bool empty) {
  c.raw[arg] = empty ? c.BlockingDeadline(Wakeable(c, obj)) : c.Deadline();
  if (!empty) return;
  if (Polls(c.raw[arg])) {
    c.e.Req(NX_ERR_TIMED_OUT);
  } else {
    c.e.blocks = true;
  }
}

void Signal(Call &c) {
  // Often one another task waits on.
  c.raw[0] = c.Toward(OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, 40,
                      [&](int n) { return !c.h.objs[n].waiters.empty(); });
  const int n = c.Valid(c.Lookup(0, OBJ_NOTIFICATION, NX_RIGHT_SIGNAL), OBJ_NOTIFICATION);
  // Often some of the bits a queued wait asks for.
  uint64_t some = 0;
  if (n >= 0 && !c.h.objs[n].waiters.empty() && c.src.Percent(50)) {
    const std::vector<Harness::MNode> &queue = c.h.objs[n].waiters;
    some = queue[c.src.Below(queue.size())].mask & c.src.Word();
  }
  c.raw[1] = some ? some : c.Bits();
  if (!MaskOk(c.raw[1])) c.e.Req(NX_ERR_INVALID_ARGS);
  if (c.Run(NX_SYS_NOTIFICATION_SIGNAL) >= 0) c.h.Deliver(n, c.raw[1], "notification_signal");
}

void Wait(Call &c) {
  // Often one other tasks wait on or can signal.
  const std::set<int> others = SignalledByOthers(c);
  c.raw[0] = c.Toward(OBJ_NOTIFICATION, NX_RIGHT_WAIT, 50,
                      [&](int n) { return !c.h.objs[n].waiters.empty() || others.count(n) > 0; });
  c.raw[1] = c.Bits();
  const int n = c.Valid(c.Lookup(0, OBJ_NOTIFICATION, NX_RIGHT_WAIT), OBJ_NOTIFICATION);
  if (!MaskOk(c.raw[1])) c.e.Req(NX_ERR_INVALID_ARGS);
  const uint64_t got = c.e.required.empty() ? c.h.objs[n].pending & c.raw[1] : 0;
  WaitDeadline(c, 2, n, c.e.required.empty() && !got);
  const int64_t r = c.Run(NX_SYS_NOTIFICATION_WAIT);
  if (r == FakeTask::kBlocked) {
    c.h.Block(c.ti,
              {NX_SYS_NOTIFICATION_WAIT, n, c.raw[1], 0, DeadlineTicks(c.raw[2]), c.h.step_what});
    return;
  }
  if (r < 0) return;
  if (static_cast<uint64_t>(r) != got) c.h.Fail("notification_wait took other bits");
  c.h.objs[n].pending &= ~got;
}

void WaitsetAdd(Call &c) {
  c.raw[0] = c.Toward(OBJ_WAITSET, NX_RIGHT_MANAGE, 30, [&](int ws) { return HasWaiter(c, ws); });
  c.raw[1] = c.Handle(OBJ_NOTIFICATION, NX_RIGHT_WAIT);
  c.raw[2] = c.Bits();
  const int ws = c.Valid(c.Lookup(0, OBJ_WAITSET, NX_RIGHT_MANAGE), OBJ_WAITSET);
  const int n = c.Valid(c.Lookup(1, OBJ_NOTIFICATION, NX_RIGHT_WAIT), OBJ_NOTIFICATION);
  if (!MaskOk(c.raw[2])) c.e.Req(NX_ERR_INVALID_ARGS);
  if (ws >= 0 && HasWaiter(c, ws)) c.e.Req(NX_ERR_BUSY);
  int slot = -1;
  if (ws >= 0) {
    const Harness::MObj &w = c.h.objs[ws];
    for (int s = 15; s >= 0; s--) {
      if (w.ws_n[s] < 0) slot = s;
      if (n >= 0 && w.ws_n[s] == n) c.e.Req(NX_ERR_INVALID_ARGS);
    }
    if (slot < 0) c.e.Req(NX_ERR_NO_MEMORY);
  }
  const int64_t r = c.Run(NX_SYS_WAITSET_ADD);
  if (r < 0) return;
  if (r != slot) c.h.Fail("waitset_add chose another slot");
  c.h.objs[ws].ws_n[slot] = n;
  c.h.objs[ws].ws_mask[slot] = c.raw[2];
}

void WaitsetRemove(Call &c) {
  c.raw[0] = c.Toward(OBJ_WAITSET, NX_RIGHT_MANAGE, 30, [&](int ws) { return HasWaiter(c, ws); });
  const int named = c.Valid(c.h.CapAt(c.table, c.raw[0]), OBJ_WAITSET);
  std::vector<uint64_t> used;
  for (int s = 0; named >= 0 && s < 16; s++) {
    if (c.h.objs[named].ws_n[s] >= 0) used.push_back(s);
  }
  const uint64_t rs = c.src.Below(100);
  c.raw[1] = rs < 70 && !used.empty() ? used[c.src.Below(used.size())]
             : rs < 92                ? c.src.Below(17)
                                      : c.src.Word();
  const int ws = c.Valid(c.Lookup(0, OBJ_WAITSET, NX_RIGHT_MANAGE), OBJ_WAITSET);
  if (c.raw[1] >= 16) {
    c.e.Req(NX_ERR_INVALID_ARGS);
  } else if (ws >= 0 && c.h.objs[ws].ws_n[c.raw[1]] < 0) {
    c.e.Req(NX_ERR_NOT_FOUND);
  } else if (ws >= 0 && HasWaiter(c, ws)) {
    c.e.Req(NX_ERR_BUSY);
  }
  if (c.Run(NX_SYS_WAITSET_REMOVE) < 0) return;
  c.h.objs[ws].ws_n[c.raw[1]] = -1;
  c.h.Collect();
}

void WaitsetWait(Call &c) {
  // Often one another task waits on (BUSY) or holds.
  c.raw[0] = c.Toward(OBJ_WAITSET, NX_RIGHT_WAIT, 40,
                      [&](int ws) { return HasWaiter(c, ws) || c.HeldByOthers(ws); });
  c.raw[2] = c.Buffer(8);
  const int ws = c.Valid(c.Lookup(0, OBJ_WAITSET, NX_RIGHT_WAIT), OBJ_WAITSET);
  if (!c.h.UserRange(c.ti, c.raw[2], 8, true)) c.e.Req(NX_ERR_BAD_ADDRESS);
  int slot = -1;
  uint64_t got = 0;
  if (ws >= 0) {
    const Harness::MObj &w = c.h.objs[ws];
    bool empty = true;
    for (int s = 0; s < 16; s++) {
      if (w.ws_n[s] < 0) continue;
      empty = false;
      if (slot < 0 && (c.h.objs[w.ws_n[s]].pending & w.ws_mask[s])) {
        slot = s;
        got = c.h.objs[w.ws_n[s]].pending & w.ws_mask[s];
      }
    }
    if (empty) c.e.Req(NX_ERR_INVALID_ARGS);
    if (HasWaiter(c, ws)) c.e.Req(NX_ERR_BUSY);
  }
  WaitDeadline(c, 1, ws, c.e.required.empty() && slot < 0);
  const int64_t r = c.Run(NX_SYS_WAITSET_WAIT);
  if (r == FakeTask::kBlocked) {
    c.h.Block(c.ti, {NX_SYS_WAITSET_WAIT, ws, 0, c.raw[2], DeadlineTicks(c.raw[1]), c.h.step_what});
    return;
  }
  if (r < 0) return;
  uint64_t bits = 0;
  c.ft.Read(c.raw[2], &bits, sizeof bits);
  if (r != slot || bits != got) c.h.Fail("waitset_wait: another slot or other bits");
  c.h.objs[c.h.objs[ws].ws_n[slot]].pending &= ~got;
  c.UserWrote(c.raw[2], 8);
}

// ---- Interrupts ----

void InterruptBind(Call &c) {
  // Mostly a line not bound yet (a binding lasts as long as its task).
  auto unbound = [&](const Harness::MCap &m) {
    const Harness::MObj &o = c.h.objs[m.obj];
    return o.type == OBJ_INTERRUPT && o.irq_n < 0 && (m.rights & NX_RIGHT_MANAGE);
  };
  const uint64_t any = c.Handle(OBJ_INTERRUPT, NX_RIGHT_MANAGE);
  c.raw[0] = c.src.Percent(50) ? c.Pick(unbound, any) : any;
  c.raw[1] = c.Handle(OBJ_NOTIFICATION, NX_RIGHT_SIGNAL);
  c.raw[2] = c.src.Percent(85) ? uint64_t{1} << c.src.Below(64) : c.Bits();
  const int irq = c.Valid(c.Lookup(0, OBJ_INTERRUPT, NX_RIGHT_MANAGE), OBJ_INTERRUPT);
  const int n = c.Valid(c.Lookup(1, OBJ_NOTIFICATION, NX_RIGHT_SIGNAL), OBJ_NOTIFICATION);
  if (!OneBit(c.raw[2])) c.e.Req(NX_ERR_INVALID_ARGS);
  if (irq >= 0 && c.h.objs[irq].irq_n >= 0) c.e.Req(NX_ERR_BUSY);
  if (c.Run(NX_SYS_INTERRUPT_BIND) < 0) return;
  c.h.objs[irq].irq_n = n;
  c.h.objs[irq].irq_bit = c.raw[2];
  c.h.objs[irq].masked = false;
}

void InterruptAck(Call &c) {
  c.raw[0] = c.Handle(OBJ_INTERRUPT, NX_RIGHT_WRITE);
  const int irq = c.Valid(c.Lookup(0, OBJ_INTERRUPT, NX_RIGHT_WRITE), OBJ_INTERRUPT);
  if (irq >= 0 && !(c.h.objs[irq].irq_n >= 0 && c.h.objs[irq].masked)) {
    c.e.Req(NX_ERR_INVALID_ARGS);
  }
  if (c.Run(NX_SYS_INTERRUPT_ACK) >= 0) c.h.objs[irq].masked = false;
}

// ---- Tasks and threads ----

void TaskCreate(Call &c) {
  c.raw[0] = c.Handle(OBJ_VMO, NX_RIGHT_READ | NX_RIGHT_EXECUTE);
  struct Name {
    const char *bytes;
    size_t len;
  };
  // ("hello\0x" is "hello": the archive lookup compares C strings.)
  static const Name kNames[] = {
      {"hello", 5}, {"junk", 4}, {"nope", 4}, {"hello\0x", 7}, {"../bin/init", 11}};
  const Name &name = kNames[c.src.Below(5)];
  char field[32] = {};
  std::memcpy(field, name.bytes, name.len);
  c.ft.Write(kName, field, sizeof field);
  c.UserWrote(kName, sizeof field);
  const uint64_t rl = c.src.Below(100);
  c.raw[2] = rl < 70 ? name.len : rl < 90 ? c.src.Below(33) : c.src.Word();
  c.raw[1] = c.src.Percent(88) ? kName : c.Buffer(c.raw[2]);
  const uint64_t rp = c.src.Below(100);
  const unsigned prio = c.ft.task.priority;
  c.raw[3] = rp < 85 ? c.src.Below(prio + 1) : rp < 95 ? c.src.Below(33) : c.src.Word();
  // The child's quota: mostly within the caller's limit (sometimes too few
  // pages to start it), else 0, above the limit or wider than 32 bits.
  const uint64_t limit = quota_limit(&c.ft.task.quota);
  const uint64_t rq = c.src.Below(100);
  if (rq < 60) {
    c.raw[4] = 1 + c.src.Below(limit < UINT32_MAX ? limit : UINT32_MAX);
  } else if (rq < 75) {
    // Around what the task needs to be made and started (its first
    // thread's kernel stack: 4 pages).
    c.raw[4] = Harness::kHelloPages + 4 - 3 + c.src.Below(8);
  } else if (rq < 83) {
    c.raw[4] = 0;
  } else if (rq < 93 && limit < UINT32_MAX) {
    c.raw[4] = limit + 1 + c.src.Below(UINT32_MAX - limit);
  } else {
    c.raw[4] = c.src.Word();
  }
  const int cap = c.Lookup(0, OBJ_VMO, NX_RIGHT_READ | NX_RIGHT_EXECUTE);
  const uint64_t len = c.raw[2];
  const bool range_ok = c.h.UserRange(c.ti, c.raw[1], len, false);
  if (!range_ok) c.e.Req(NX_ERR_BAD_ADDRESS);
  if (len == 0 || len > NX_TASK_NAME_MAX) c.e.Req(NX_ERR_INVALID_ARGS);
  if (c.raw[3] > SCHED_PRIO_MAX) c.e.Req(NX_ERR_INVALID_ARGS);
  if (c.raw[3] > prio && c.raw[3] <= SCHED_PRIO_MAX) c.e.Req(NX_ERR_ACCESS_DENIED);
  if (c.raw[4] == 0 || c.raw[4] > UINT32_MAX) c.e.Req(NX_ERR_INVALID_ARGS);
  if (c.raw[4] > limit && c.raw[4] <= UINT32_MAX) c.e.Req(NX_ERR_OUT_OF_RANGE);
  if (c.TableFull()) c.e.Req(NX_ERR_NO_MEMORY);
  if (c.e.required.empty()) {
    if (c.Cap(cap).obj != c.h.bootfs) c.h.Fail("a VMO other than the archive can be executed");
    char got[NX_TASK_NAME_MAX + 1] = {};
    c.ft.Read(c.raw[1], got, len);
    const std::string program(got);  // up to the first NUL, as bootfs_lookup compares
    if (program == "junk") {
      c.e.Req(NX_ERR_BAD_FORMAT);
    } else if (program != "hello") {
      c.e.Req(NX_ERR_NOT_FOUND);
    } else if (c.QuotaLeft() < Harness::kHelloPages || c.raw[4] < Harness::kHelloPages) {
      // The new task's address space, charged to its quota and so to the
      // caller's.
      c.e.Req(NX_ERR_NO_MEMORY);
    }
  }
  const int64_t h = c.Run(NX_SYS_TASK_CREATE);
  if (h < 0) return;
  const int o = c.Created(h, OBJ_TASK, 0, NX_DEFAULT_RIGHTS_TASK);
  task_t *task = reinterpret_cast<task_t *>(c.h.objs[o].ptr);
  c.h.objs[o].state = TASK_NEW;
  c.h.objs[o].creator = c.ti;
  c.h.objs[o].table = c.h.NewTable(Harness::kChildTable, &task->handles, o);
}

void TaskGive(Call &c) {
  c.raw[0] = c.Handle(OBJ_TASK, NX_RIGHT_MANAGE);
  c.raw[1] = c.Handle(kAny, NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
  const int from = c.h.CapAt(c.table, c.raw[1]);
  c.raw[2] = c.Rights(from >= 0 ? c.Cap(from).rights : NX_RIGHTS_ALL);
  const int task = c.Valid(c.Lookup(0, OBJ_TASK, NX_RIGHT_MANAGE), OBJ_TASK);
  if (task >= 0 && c.h.objs[task].state != TASK_NEW) c.e.Req(NX_ERR_BUSY);
  const bool rights_ok = !(c.raw[2] & ~uint64_t{NX_RIGHTS_ALL});
  if (!rights_ok) c.e.Req(NX_ERR_INVALID_ARGS);
  const int cap = c.Lookup(1, kAny, NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
  if (cap >= 0 && rights_ok && (c.raw[2] & ~c.Cap(cap).rights)) c.e.Req(NX_ERR_ACCESS_DENIED);
  if (task >= 0 && c.h.objs[task].state == TASK_NEW &&
      handle_table_free_slots(c.h.tables[c.h.objs[task].table].kt) == 0) {
    c.e.Req(NX_ERR_NO_MEMORY);
  }
  // The decoder refuses a task's handle (itself or another): no cycles.
  if (cap >= 0 && c.h.objs[c.Cap(cap).obj].type == OBJ_TASK) c.e.Req(NX_ERR_INVALID_ARGS);
  if (c.e.required.empty() && c.h.MakesCycle(c.Cap(cap).obj, task)) {
    c.h.Fail("task_give would make a reference cycle the decoder should refuse");
  }
  const int64_t h = c.Run(NX_SYS_TASK_GIVE);
  if (h < 0) return;
  c.h.AddCap(c.h.objs[task].table, static_cast<uint32_t>(h), c.Cap(cap).obj,
             static_cast<uint32_t>(c.raw[2]), c.Cap(cap).badge, cap);
}

// A handle to a created task in `state` with the manage right, mostly (else
// any task handle, or any handle at all).
uint64_t TaskIn(Call &c, uint8_t state, unsigned percent) {
  auto in_state = [&](const Harness::MCap &m) {
    const Harness::MObj &o = c.h.objs[m.obj];
    return o.type == OBJ_TASK && o.state == state && (m.rights & NX_RIGHT_MANAGE);
  };
  const uint64_t any = c.Handle(OBJ_TASK, NX_RIGHT_MANAGE);
  return c.src.Percent(percent) ? c.Pick(in_state, any) : any;
}

void TaskStart(Call &c) {
  c.raw[0] = TaskIn(c, TASK_NEW, 50);
  c.raw[1] = c.Buffer(sizeof(nx_start_info_t));
  const int task = c.Valid(c.Lookup(0, OBJ_TASK, NX_RIGHT_MANAGE), OBJ_TASK);
  if (task >= 0 && c.h.objs[task].state != TASK_NEW) c.e.Req(NX_ERR_BUSY);
  if (!c.h.UserRange(c.ti, c.raw[1], sizeof(nx_start_info_t), false)) c.e.Req(NX_ERR_BAD_ADDRESS);
  if (c.e.required.empty() &&
      quota_available(&reinterpret_cast<task_t *>(c.h.objs[task].ptr)->quota) < 4) {
    c.e.Req(NX_ERR_NO_MEMORY);  // its first thread's kernel stack
  }
  if (c.Run(NX_SYS_TASK_START) < 0) return;
  c.h.objs[task].state = TASK_RUNNING;
  c.h.objs[task].threads = 1;
  c.h.objs[task].fixed_refs++;
}

void TaskWatch(Call &c) {
  c.raw[0] = TaskIn(c, TASK_RUNNING, 60);
  c.raw[1] = c.Handle(OBJ_NOTIFICATION, NX_RIGHT_SIGNAL);
  c.raw[2] = c.src.Percent(85) ? uint64_t{1} << c.src.Below(64) : c.Bits();
  const int task = c.Valid(c.Lookup(0, OBJ_TASK, NX_RIGHT_MANAGE), OBJ_TASK);
  const int n = c.Valid(c.Lookup(1, OBJ_NOTIFICATION, NX_RIGHT_SIGNAL), OBJ_NOTIFICATION);
  if (!OneBit(c.raw[2])) c.e.Req(NX_ERR_INVALID_ARGS);
  if (task >= 0 && c.h.objs[task].state == TASK_DEAD) c.e.Req(NX_ERR_BUSY);
  if (c.Run(NX_SYS_TASK_WATCH) < 0) return;
  Harness::MObj &t = c.h.objs[task];
  if (t.watch_n >= 0) c.h.Count(t.watch_n == n ? "task_watch renewed" : "task_watch replaced");
  t.watch_n = n;
  t.watch_bit = c.raw[2];
  c.h.Collect();  // the notification of a replaced watch may have gone
}

void TaskExitStatus(Call &c) {
  c.raw[0] = TaskIn(c, TASK_DEAD, 60);
  const int task = c.Valid(c.Lookup(0, OBJ_TASK, NX_RIGHT_MANAGE), OBJ_TASK);
  if (task >= 0 && c.h.objs[task].state != TASK_DEAD) c.e.Req(NX_ERR_BUSY);
  const int64_t r = c.Run(NX_SYS_TASK_EXIT_STATUS);
  if (r < 0) return;
  const Harness::MObj &t = c.h.objs[task];
  const int64_t want = static_cast<int64_t>((static_cast<uint64_t>(t.exit_code) & 0xff) |
                                            (t.faulted ? NX_TASK_FAULTED : 0));
  if (r != want) {
    c.h.Fail("task_exit_status returned " + std::to_string(r) + ", the model " +
             std::to_string(want));
  }
  if (t.faulted) c.h.Count("task_exit_status reported a fault");
}

void ThreadCreate(Call &c) {
  c.raw[0] = c.src.Percent(85) ? kScratch : c.src.Word();
  const uint64_t r = c.src.Below(100);
  c.raw[1] = r < 75 ? kScratch + 0x1000 : r < 85 ? kScratch + 8 : r < 90 ? USER_MAX : c.src.Word();
  c.raw[2] = c.src.Word();
  const unsigned prio = c.ft.task.priority;
  c.raw[3] = c.src.Percent(80) ? c.src.Below(prio + 1) : c.src.Below(40);
  const uint64_t entry = c.raw[0], sp = c.raw[1];
  if (entry < USER_MIN || entry >= USER_MAX || sp < USER_MIN || sp > USER_MAX || sp % 16 ||
      c.raw[3] > SCHED_PRIO_MAX) {
    c.e.Req(NX_ERR_INVALID_ARGS);
  } else if (c.raw[3] > prio) {
    c.e.Req(NX_ERR_ACCESS_DENIED);
  } else if (c.QuotaLeft() < 4) {
    c.e.Req(NX_ERR_NO_MEMORY);
  }
  if (c.Run(NX_SYS_THREAD_CREATE) > 0) c.t.threads++;
}

void SetIpcBuffer(Call &c) {
  const uint64_t r = c.src.Below(100);
  const Harness::MMap *m = r >= 55 && r < 70 ? c.Mapping() : nullptr;
  c.raw[0] = r < 55   ? FakeTask::kIpcBuffer
             : m      ? m->va + c.src.Below(m->size / 64) * 64
             : r < 78 ? kScratch + c.src.Below(64) * 64
             : r < 85 ? 0
             : r < 90 ? kScratch + 8
                      : c.src.Word();
  const uint64_t addr = c.raw[0];
  if (addr && addr % 64) {
    c.e.Req(NX_ERR_INVALID_ARGS);
  } else if (addr && !c.h.UserRange(c.ti, addr, NX_IPC_BUFFER_SIZE, true)) {
    c.e.Req(NX_ERR_BAD_ADDRESS);
  }
  if (c.Run(NX_SYS_THREAD_SET_IPC_BUFFER) >= 0) c.t.ipc_buffer = addr;
}

// ---- The core's syscalls ----

void Core(Call &c, uint64_t nr) {
  switch (nr) {
    case NX_SYS_DEBUG_WRITE:
      c.raw[0] = c.Handle(OBJ_DEBUG_LOG, NX_RIGHT_WRITE);
      c.raw[2] = c.src.Percent(90) ? c.src.Below(NX_DEBUG_WRITE_MAX + 1) : c.Length();
      c.raw[1] = c.Buffer(c.raw[2]);
      c.Lookup(0, OBJ_DEBUG_LOG, NX_RIGHT_WRITE);
      if (c.raw[2] > NX_DEBUG_WRITE_MAX) c.e.Req(NX_ERR_INVALID_ARGS);
      if (!c.h.UserRange(c.ti, c.raw[1], c.raw[2], false)) c.e.Req(NX_ERR_BAD_ADDRESS);
      if (c.Run(nr) >= 0 && static_cast<uint64_t>(c.ft.frame.a[0]) != c.raw[2]) {
        c.h.Fail("debug_write returned another length");
      }
      break;
    case NX_SYS_KERNEL_STATS: {
      c.raw[1] = c.src.Percent(80) ? c.src.Below(2 * sizeof(nx_kernel_stats_t)) : c.Length();
      c.raw[0] = c.Buffer(c.raw[1]);
      if (!c.h.UserRange(c.ti, c.raw[0], c.raw[1], true)) c.e.Req(NX_ERR_BAD_ADDRESS);
      const int64_t r = c.Run(nr);
      if (r >= 0) {
        if (static_cast<uint64_t>(r) != std::min<uint64_t>(c.raw[1], sizeof(nx_kernel_stats_t))) {
          c.h.Fail("kernel_stats copied another length");
        }
        c.UserWrote(c.raw[0], static_cast<uint64_t>(r));
      }
      break;
    }
    case NX_SYS_CLOCK_GET:
      if (c.Run(nr) != static_cast<int64_t>(NowNs())) c.h.Fail("clock_get");
      break;
    case NX_SYS_NANOSLEEP_UNTIL:
      c.raw[0] = c.Deadline();
      if (c.raw[0] <= NowNs()) {
        c.Run(nr);
      } else {
        c.DecodeOnly(nr);
      }
      break;
    case NX_SYS_THREAD_EXIT:
    case NX_SYS_TASK_EXIT:
      c.raw[0] = c.src.Word();
      c.DecodeOnly(nr);
      break;
    default:  // null, thread_yield
      if (c.Run(nr) != 0) c.h.Fail("a syscall without arguments returned something");
      break;
  }
}

// ---- Kernel events ----

}  // namespace

void Event(Harness &h, Source &src) {
  const uint64_t r = src.Below(100);
  if (r < 40) {
    const uint32_t line = static_cast<uint32_t>(src.Below(fake_kernel::kIrqLines));
    h.step_what = "interrupt on line " + std::to_string(line);
    h.Count("event interrupt");
    int irq = -1;
    for (size_t i = 0; i < h.objs.size(); i++) {
      if (h.objs[i].type == OBJ_INTERRUPT && h.objs[i].line == line && h.objs[i].irq_n >= 0) {
        irq = static_cast<int>(i);
      }
    }
    const int err = interrupt_fire(irq_controller(), line);
    const int expect = irq < 0 ? NX_ERR_NOT_FOUND : h.objs[irq].masked ? NX_ERR_BUSY : NX_OK;
    if (err != expect) h.Fail("interrupt_fire");
    if (err == NX_OK) {
      h.objs[irq].masked = true;
      h.Deliver(h.objs[irq].irq_n, h.objs[irq].irq_bit, "an interrupt");
      h.Count("event interrupt delivered");
    }
    return;
  }
  if (r < 55) {
    std::vector<int> running;
    for (size_t i = 0; i < h.objs.size(); i++) {
      if (h.objs[i].alive && h.objs[i].type == OBJ_TASK && h.objs[i].state == TASK_RUNNING) {
        running.push_back(static_cast<int>(i));
      }
    }
    if (running.empty()) return;
    const int task = running[src.Below(running.size())];
    // Mostly an exit with a code (any: only its low 8 bits are reported),
    // sometimes a fault.
    const uint64_t how = src.Below(100);
    const bool faulted = how >= 80;
    const int64_t code =
        how < 40 ? static_cast<int64_t>(src.Below(4)) : static_cast<int64_t>(src.Word());
    h.step_what = faulted ? "a created task faults" : "a created task ends";
    h.Count(faulted ? "event task faults" : "event task ends");
    h.EndTask(task, faulted ? -1 : code, faulted);
    return;
  }
  // A user load or store through one of a task's mappings (not a blocked
  // one's: its thread does not run).
  const int ti = static_cast<int>(src.Below(h.tasks.size()));
  if (h.tasks[ti].wait) return;
  Call c(h, ti, src);
  const Harness::MMap *m = c.Mapping();
  if (!m) return;
  const uint64_t off = src.Below(m->size - 16), va = m->va + off;
  Harness::MObj &v = h.objs[m->vmo];
  uint8_t bytes[16];
  if (r < 80 && (m->prot & NX_RIGHT_WRITE)) {
    h.step_what = "a user store through a mapping";
    h.Count("event user store");
    for (uint8_t &b : bytes) b = static_cast<uint8_t>(src.Word());
    if (!c.ft.Write(va, bytes, sizeof bytes)) h.Fail("a mapping is not in the page tables");
    std::copy(bytes, bytes + sizeof bytes, v.shadow.begin() + m->offset + off);
  } else {
    h.step_what = "a user load through a mapping";
    h.Count("event user load");
    if (!c.ft.Read(va, bytes, sizeof bytes)) h.Fail("a mapping is not in the page tables");
    if (v.shadow_known &&
        !std::equal(bytes, bytes + sizeof bytes, v.shadow.begin() + m->offset + off)) {
      h.Fail("a mapping shows other bytes than the VMO holds");
    }
  }
}

uint64_t Pick(Source &src) {
  struct Weight {
    uint64_t nr;
    unsigned w;
  };
  static const Weight kWeights[] = {
      {NX_SYS_HANDLE_DUP, 9},
      {NX_SYS_HANDLE_MINT, 4},
      {NX_SYS_HANDLE_CLOSE, 13},
      {NX_SYS_HANDLE_REVOKE, 4},
      {NX_SYS_VMO_CREATE, 6},
      {NX_SYS_VMO_READ, 4},
      {NX_SYS_VMO_WRITE, 4},
      {NX_SYS_VMO_MAP, 6},
      {NX_SYS_VMO_UNMAP, 3},
      {NX_SYS_ENDPOINT_CREATE, 2},
      {NX_SYS_IPC_CALL, 1},
      {NX_SYS_IPC_RECV, 1},
      {NX_SYS_IPC_REPLY, 1},
      {NX_SYS_IPC_REPLY_RECV, 1},
      {NX_SYS_CHANNEL_CREATE, 4},
      {NX_SYS_CHANNEL_SEND, 10},
      {NX_SYS_CHANNEL_RECV, 9},
      {NX_SYS_CHANNEL_BIND, 2},
      {NX_SYS_NOTIFICATION_CREATE, 4},
      {NX_SYS_NOTIFICATION_SIGNAL, 5},
      {NX_SYS_NOTIFICATION_WAIT, 4},
      {NX_SYS_WAITSET_CREATE, 2},
      {NX_SYS_WAITSET_ADD, 4},
      {NX_SYS_WAITSET_REMOVE, 2},
      {NX_SYS_WAITSET_WAIT, 4},
      {NX_SYS_INTERRUPT_BIND, 1},
      {NX_SYS_INTERRUPT_ACK, 2},
      {NX_SYS_TASK_CREATE, 3},
      {NX_SYS_TASK_GIVE, 5},
      {NX_SYS_TASK_START, 2},
      {NX_SYS_TASK_WATCH, 2},
      {NX_SYS_TASK_EXIT_STATUS, 2},
      {NX_SYS_THREAD_CREATE, 1},
      {NX_SYS_THREAD_SET_IPC_BUFFER, 1},
      {NX_SYS_NULL, 1},
      {NX_SYS_DEBUG_WRITE, 1},
      {NX_SYS_THREAD_YIELD, 1},
      {NX_SYS_CLOCK_GET, 1},
      {NX_SYS_NANOSLEEP_UNTIL, 1},
      {NX_SYS_KERNEL_STATS, 1},
      {NX_SYS_THREAD_EXIT, 1},
      {NX_SYS_TASK_EXIT, 1},
      {NX_SYS_COUNT, 1},  // unknown
  };
  unsigned total = 0;
  for (const Weight &w : kWeights) total += w.w;
  uint64_t pick = src.Below(total);
  for (const Weight &w : kWeights) {
    if (pick < w.w) return w.nr == NX_SYS_COUNT ? NX_SYS_COUNT + src.Below(1000) : w.nr;
    pick -= w.w;
  }
  return NX_SYS_NULL;
}

void Dispatch(Harness &h, int task, uint64_t nr, Source &src) {
  Call c(h, task, src);
  switch (nr) {
    case NX_SYS_HANDLE_DUP:
      return Derive(c, false);
    case NX_SYS_HANDLE_MINT:
      return Derive(c, true);
    case NX_SYS_HANDLE_CLOSE:
      return Close(c);
    case NX_SYS_HANDLE_REVOKE:
      return Revoke(c);
    case NX_SYS_VMO_CREATE:
      return VmoCreate(c);
    case NX_SYS_VMO_READ:
      return VmoIo(c, true);
    case NX_SYS_VMO_WRITE:
      return VmoIo(c, false);
    case NX_SYS_VMO_MAP:
      return VmoMap(c);
    case NX_SYS_VMO_UNMAP:
      return VmoUnmap(c);
    case NX_SYS_ENDPOINT_CREATE:
      return CreateRecord(c, nr, OBJ_ENDPOINT, NX_DEFAULT_RIGHTS_ENDPOINT);
    case NX_SYS_NOTIFICATION_CREATE:
      return CreateRecord(c, nr, OBJ_NOTIFICATION, NX_DEFAULT_RIGHTS_NOTIFICATION);
    case NX_SYS_WAITSET_CREATE:
      return CreateRecord(c, nr, OBJ_WAITSET, NX_DEFAULT_RIGHTS_WAITSET);
    case NX_SYS_IPC_CALL:
    case NX_SYS_IPC_RECV:
    case NX_SYS_IPC_REPLY:
    case NX_SYS_IPC_REPLY_RECV:
      return IpcCall(c, nr);
    case NX_SYS_CHANNEL_CREATE:
      return ChannelCreate(c);
    case NX_SYS_CHANNEL_SEND:
      return ChannelSend(c);
    case NX_SYS_CHANNEL_RECV:
      return ChannelRecv(c);
    case NX_SYS_CHANNEL_BIND:
      return ChannelBind(c);
    case NX_SYS_NOTIFICATION_SIGNAL:
      return Signal(c);
    case NX_SYS_NOTIFICATION_WAIT:
      return Wait(c);
    case NX_SYS_WAITSET_ADD:
      return WaitsetAdd(c);
    case NX_SYS_WAITSET_REMOVE:
      return WaitsetRemove(c);
    case NX_SYS_WAITSET_WAIT:
      return WaitsetWait(c);
    case NX_SYS_INTERRUPT_BIND:
      return InterruptBind(c);
    case NX_SYS_INTERRUPT_ACK:
      return InterruptAck(c);
    case NX_SYS_TASK_CREATE:
      return TaskCreate(c);
    case NX_SYS_TASK_GIVE:
      return TaskGive(c);
    case NX_SYS_TASK_START:
      return TaskStart(c);
    case NX_SYS_TASK_WATCH:
      return TaskWatch(c);
    case NX_SYS_TASK_EXIT_STATUS:
      return TaskExitStatus(c);
    case NX_SYS_THREAD_CREATE:
      return ThreadCreate(c);
    case NX_SYS_THREAD_SET_IPC_BUFFER:
      return SetIpcBuffer(c);
    case NX_SYS_NULL:
    case NX_SYS_DEBUG_WRITE:
    case NX_SYS_THREAD_YIELD:
    case NX_SYS_CLOCK_GET:
    case NX_SYS_NANOSLEEP_UNTIL:
    case NX_SYS_KERNEL_STATS:
    case NX_SYS_THREAD_EXIT:
    case NX_SYS_TASK_EXIT:
      return Core(c, nr);
    default:
      for (uint64_t &a : c.raw) a = src.Word();
      c.e.Req(NX_ERR_BAD_SYSCALL);
      c.Run(nr);
      return;
  }
}

}  // namespace detail

void DoEvent(Harness &h, Source &src) { detail::Event(h, src); }
uint64_t PickSyscall(Source &src) { return detail::Pick(src); }
void DoSyscall(Harness &h, int task, uint64_t nr, Source &src) {
  detail::Dispatch(h, task, nr, src);
}

}  // namespace syscall_harness
