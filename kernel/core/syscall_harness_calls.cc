// The harness's syscalls (see syscall_harness.h), part one: handles, VMOs,
// IPC and channels. For each, a generator of arguments (mostly meaningful:
// live handles of the right type, mapped buffers, valid sizes; sometimes
// not), the model's prediction of every error that applies, the call, and
// the model's update on success. Part two is syscall_harness_waits.cc.
#include "kernel/core/syscall_harness_call.h"

namespace syscall_harness {
namespace detail {

// ---- Handles ----

void Derive(Call &c, bool mint) {
  c.raw[0] = c.Handle(kAny, NX_RIGHT_DUPLICATE);
  const int from = c.h.CapAt(c.table, c.raw[0]);
  c.raw[1] = c.Rights(from >= 0 ? c.Cap(from).rights : NX_RIGHTS_ALL);
  const uint64_t r = c.src.Below(100);
  c.raw[2] = r < 85 ? 1 + c.src.Below(1000) : r < 92 ? 0 : c.src.Word();
  const int cap = c.Lookup(0, kAny, NX_RIGHT_DUPLICATE);
  const bool rights_ok = !(c.raw[1] & ~uint64_t{NX_RIGHTS_ALL});
  if (!rights_ok) c.e.Req(NX_ERR_INVALID_ARGS);
  if (mint && (c.raw[2] == 0 || c.raw[2] >> 63)) c.e.Req(NX_ERR_INVALID_ARGS);
  if (cap >= 0 && rights_ok && (c.raw[1] & ~c.Cap(cap).rights)) c.e.Req(NX_ERR_ACCESS_DENIED);
  if (cap >= 0 && mint && c.Cap(cap).badge) c.e.Req(NX_ERR_ACCESS_DENIED);
  if (c.TableFull()) c.e.Req(NX_ERR_NO_MEMORY);
  const int64_t h = c.Run(mint ? NX_SYS_HANDLE_MINT : NX_SYS_HANDLE_DUP);
  if (h < 0) return;
  c.h.AddCap(c.table, static_cast<uint32_t>(h), c.Cap(cap).obj, static_cast<uint32_t>(c.raw[1]),
             mint ? c.raw[2] : c.Cap(cap).badge, cap);
}

void Close(Call &c) {
  // Often one that mappings were made through (they move to its parent), or
  // one to what a blocked task waits on (the wait holds it too; to a shared
  // object, only a derived one: the task keeps the one it was given).
  const uint64_t r = c.src.Below(100);
  auto mapped = [&](const Harness::MCap &m) { return c.Mapped(&m - &c.h.caps[0]); };
  auto waited = [&](const Harness::MCap &m) {
    return c.WaitedOn(m.obj) && (c.h.objs[m.obj].fixed_refs == 0 || m.parent >= 0);
  };
  c.raw[0] = r < 30   ? c.Pick(mapped, c.Expendable())
             : r < 40 ? c.Pick(waited, c.Expendable())
                      : c.Expendable();
  const int cap = c.Lookup(0, kAny, 0);
  if (c.Run(NX_SYS_HANDLE_CLOSE) < 0) return;
  if (c.WaitedOn(c.Cap(cap).obj)) c.h.Count("model: a handle to what a task waits on went");
  c.h.CloseCap(cap);
  c.h.Collect();
}

void Revoke(Call &c) {
  // Mostly one something was derived from, often a VMO's (with mappings
  // made through its descendants).
  const uint64_t pick = c.src.Below(100);
  auto parent = [](const Harness::MCap &m) { return !m.children.empty(); };
  auto vmo_parent = [&](const Harness::MCap &m) {
    return !m.children.empty() && c.h.objs[m.obj].type == OBJ_VMO;
  };
  // Whose revoke would unmap something: an ancestor of a mapping's
  // capability, or the capability a closed descendant's mapping moved to.
  std::set<int> unmaps;
  for (const Harness::MMap &m : c.h.maps) {
    if (m.cap >= 0 && m.via_child) unmaps.insert(m.cap);
    for (int a = m.cap >= 0 ? c.Cap(m.cap).parent : -1; a >= 0; a = c.Cap(a).parent) {
      unmaps.insert(a);
    }
  }
  auto unmapping = [&](const Harness::MCap &m) { return unmaps.count(&m - &c.h.caps[0]) > 0; };
  c.raw[0] = pick < 30   ? c.Pick(unmapping, c.Pick(parent, c.Expendable()))
             : pick < 45 ? c.Pick(vmo_parent, c.Pick(parent, c.Expendable()))
             : pick < 65 ? c.Pick(parent, c.Expendable())
             : pick < 85 ? c.Handle(kAny, 0)
                         : c.Expendable();
  const int cap = c.Lookup(0, kAny, 0);
  const int64_t r = c.Run(NX_SYS_HANDLE_REVOKE);
  if (r < 0) return;
  const size_t removed = c.h.RevokeCap(cap);
  if (removed) c.h.Count("handle_revoke removed handles");
  if (static_cast<size_t>(r) != removed) {
    c.h.Fail("revoke removed " + std::to_string(r) + ", the model " + std::to_string(removed));
  }
  c.h.Collect();
}

// ---- VMOs ----

void VmoCreate(Call &c) {
  const uint64_t r = c.src.Below(100);
  const uint64_t pages = 1 + c.src.Below(r < 85 ? 6 : r < 90 ? 40 : uint64_t{1} << 18);
  c.raw[0] = r < 94 ? pages * PAGE_SIZE - c.src.Below(PAGE_SIZE) : r < 97 ? 0 : c.src.Word();
  const uint64_t f = c.src.Below(100);
  c.raw[1] = f < 78 ? 0 : f < 95 ? NX_VMO_CONTIGUOUS : c.src.Word();
  const uint64_t size = c.raw[0];
  const bool contiguous = c.raw[1] == NX_VMO_CONTIGUOUS;
  if (size == 0 || (c.raw[1] & ~uint64_t{VMO_FLAGS_ALL})) c.e.Req(NX_ERR_INVALID_ARGS);
  if (size > VMO_SIZE_MAX) c.e.Req(NX_ERR_OUT_OF_RANGE);
  if (c.TableFull()) c.e.Req(NX_ERR_NO_MEMORY);
  const uint64_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
  const size_t charge = size && size <= VMO_SIZE_MAX ? VmoCharge(npages, contiguous) : 0;
  if (charge > c.QuotaLeft() || (contiguous && charge > 512)) c.e.Req(NX_ERR_NO_MEMORY);
  const int64_t h = c.Run(NX_SYS_VMO_CREATE);
  if (h < 0) return;
  const int o = c.Created(h, OBJ_VMO, charge, NX_DEFAULT_RIGHTS_VMO);
  c.h.objs[o].size = npages * PAGE_SIZE;
  c.h.objs[o].shadow.assign(npages * PAGE_SIZE, 0);
}

void VmoIo(Call &c, bool read) {
  const uint32_t right = read ? NX_RIGHT_READ : NX_RIGHT_WRITE;
  c.raw[0] = c.Handle(OBJ_VMO, right);
  const int named = c.Valid(c.h.CapAt(c.table, c.raw[0]), OBJ_VMO);
  const uint64_t size = named >= 0 ? c.h.objs[named].size : 2 * PAGE_SIZE;
  const uint64_t r = c.src.Below(100);
  c.raw[1] = r < 75 ? c.src.Below(size + 1) : r < 90 ? size - c.src.Below(64) : c.src.Word();
  c.raw[3] = c.Length();
  c.raw[2] = c.Buffer(c.raw[3]);
  const uint64_t off = c.raw[1], buf = c.raw[2], len = c.raw[3];
  const int cap = c.Lookup(0, OBJ_VMO, right);
  if (!c.h.UserRange(c.ti, buf, len, read)) c.e.Req(NX_ERR_BAD_ADDRESS);
  const int o = c.Valid(cap, OBJ_VMO);
  if (o >= 0) {
    if (off > size || len > size - off) c.e.Req(NX_ERR_OUT_OF_RANGE);
    if (vmo_kind(reinterpret_cast<vmo_t *>(c.h.objs[o].ptr)) == VMO_KIND_PHYSICAL) {
      c.e.Req(NX_ERR_NOT_SUPPORTED);
    }
  }
  std::vector<uint8_t> before;
  if (c.e.required.empty() && !read) {
    before.resize(len);
    c.ft.Read(buf, before.data(), len);
  }
  const int64_t n = c.Run(read ? NX_SYS_VMO_READ : NX_SYS_VMO_WRITE);
  if (n < 0) return;
  if (static_cast<uint64_t>(n) != len) c.h.Fail("the copy returned another length");
  Harness::MObj &v = c.h.objs[o];
  if (read) {
    std::vector<uint8_t> got(len);
    c.ft.Read(buf, got.data(), len);
    if (!c.Aliases(buf, len) && v.shadow_known &&
        !std::equal(got.begin(), got.end(), v.shadow.begin() + off)) {
      c.h.Fail("vmo_read returned other bytes than were written");
    }
    c.UserWrote(buf, len);
  } else if (c.Aliases(buf, len, o)) {
    c.h.Resync(o);
  } else {
    std::copy(before.begin(), before.end(), v.shadow.begin() + off);
  }
}

void VmoMap(Call &c) {
  // Half the time through a derived handle (what revoking its ancestors undoes).
  auto derived = [&](const Harness::MCap &m) {
    return m.parent >= 0 && c.h.objs[m.obj].type == OBJ_VMO && (m.rights & NX_RIGHT_MAP);
  };
  c.raw[0] = c.src.Percent(50) ? c.Pick(derived, c.Handle(OBJ_VMO, NX_RIGHT_MAP))
                               : c.Handle(OBJ_VMO, NX_RIGHT_MAP);
  const int named = c.Valid(c.h.CapAt(c.table, c.raw[0]), OBJ_VMO);
  const uint64_t pages = named >= 0 ? c.h.objs[named].size / PAGE_SIZE : 4;
  const uint64_t rv = c.src.Below(100);
  if (rv < 62) {
    c.raw[1] = kMapBase + c.src.Below(kMapPages) * PAGE_SIZE;
  } else if (rv < 74) {
    c.raw[1] = kFarBase + c.src.Below(16) * PAGE_SIZE;
  } else if (const Harness::MMap *m = rv < 82 ? c.Mapping() : nullptr) {
    c.raw[1] = m->va;
  } else {
    const uint64_t bad[] = {FakeTask::kRw, kMapBase + 8, 0, (uint64_t{1} << 38) - PAGE_SIZE,
                            c.src.Word()};
    c.raw[1] = bad[c.src.Below(5)];
  }
  const uint64_t first = c.src.Below(pages);
  const uint64_t ro = c.src.Below(100);
  c.raw[2] = ro < 85 ? first * PAGE_SIZE : ro < 92 ? 8 : c.src.Word();
  const uint64_t rs = c.src.Below(100);
  c.raw[3] = rs < 80   ? (1 + c.src.Below(pages - first)) * PAGE_SIZE
             : rs < 88 ? (1 + c.src.Below(pages + 2)) * PAGE_SIZE
             : rs < 92 ? 0
             : rs < 96 ? 100
                       : c.src.Word();
  const uint32_t prots[] = {NX_RIGHT_EXECUTE, NX_RIGHT_READ | NX_RIGHT_EXECUTE, NX_RIGHT_WRITE,
                            kProt, 0};
  const uint64_t rp = c.src.Below(100);
  c.raw[4] = rp < 60   ? NX_RIGHT_READ | NX_RIGHT_WRITE
             : rp < 85 ? NX_RIGHT_READ
             : rp < 96 ? prots[c.src.Below(5)]
                       : c.src.Word();
  const uint64_t va = c.raw[1], off = c.raw[2], size = c.raw[3], prot = c.raw[4];
  if (prot > UINT32_MAX) c.e.Req(NX_ERR_INVALID_ARGS);
  const int cap = c.Lookup(0, OBJ_VMO, NX_RIGHT_MAP);
  const int o = c.Valid(cap, OBJ_VMO);
  if (o >= 0 && prot <= UINT32_MAX) {
    const bool r = prot & NX_RIGHT_READ, w = prot & NX_RIGHT_WRITE, x = prot & NX_RIGHT_EXECUTE;
    if ((prot & ~uint64_t{kProt}) || (!r && !x) || (w && !r) || (w && x)) {
      c.e.Req(NX_ERR_INVALID_ARGS);
    } else if (prot & ~c.Cap(cap).rights) {
      c.e.Req(NX_ERR_ACCESS_DENIED);
    }
    const uint64_t vsize = c.h.objs[o].size;
    if (size == 0 || va % PAGE_SIZE || off % PAGE_SIZE || size % PAGE_SIZE) {
      c.e.Req(NX_ERR_INVALID_ARGS);
    } else if (off > vsize || size > vsize - off || va < USER_MIN || size > kUserWindow ||
               va - USER_MIN > kUserWindow - size) {
      c.e.Req(NX_ERR_OUT_OF_RANGE);
    } else {
      size_t count = 0;
      bool overlaps =
          (va < FakeTask::kRw + FakeTask::kRwPages * PAGE_SIZE && FakeTask::kRw < va + size) ||
          (va < FakeTask::kRo + PAGE_SIZE && FakeTask::kRo < va + size);
      for (const Harness::MMap &m : c.h.maps) {
        count += m.vmo == o;
        overlaps |= m.task == c.ti && va < m.va + m.size && m.va < va + size;
      }
      if (count >= VMO_MAX_MAPPINGS) c.e.Req(NX_ERR_NO_MEMORY);
      if (overlaps) c.e.Req(NX_ERR_INVALID_ARGS);
    }
  }
  if (c.QuotaLeft() < 3) c.e.Maybe(NX_ERR_NO_MEMORY);  // page tables
  if (c.Run(NX_SYS_VMO_MAP) < 0) return;
  c.h.maps.push_back({c.ti, va, size, off, o, static_cast<uint32_t>(prot), cap, false});
}

void VmoUnmap(Call &c) {
  const Harness::MMap *m = c.Mapping();
  const uint64_t r = c.src.Below(100);
  c.raw[0] = m && r < 70   ? m->va
             : m && r < 80 ? m->va + PAGE_SIZE
             : r < 90      ? kMapBase
                           : c.src.Word();
  size_t index = c.h.maps.size();
  for (size_t i = 0; i < c.h.maps.size(); i++) {
    if (c.h.maps[i].task == c.ti && c.h.maps[i].va == c.raw[0]) index = i;
  }
  if (index == c.h.maps.size()) c.e.Req(NX_ERR_NOT_FOUND);
  if (c.Run(NX_SYS_VMO_UNMAP) < 0) return;
  c.h.RemoveMapping(index);
  c.h.Collect();
}

// ---- Objects with no arguments ----

void CreateRecord(Call &c, uint64_t nr, uint32_t type, uint32_t rights) {
  if (c.TableFull() || c.QuotaLeft() < KOBJ_CHARGE_PAGES) c.e.Req(NX_ERR_NO_MEMORY);
  const int64_t h = c.Run(nr);
  if (h >= 0) c.Created(h, type, KOBJ_CHARGE_PAGES, rights);
}

// ---- IPC (what blocks is decoded only) ----

void IpcCall(Call &c, uint64_t nr) {
  const bool has_ep = nr != NX_SYS_IPC_REPLY;
  if (has_ep) {
    c.raw[0] = c.Handle(OBJ_ENDPOINT, nr == NX_SYS_IPC_CALL ? NX_RIGHT_WRITE : NX_RIGHT_READ);
    c.Lookup(0, OBJ_ENDPOINT, nr == NX_SYS_IPC_CALL ? NX_RIGHT_WRITE : NX_RIGHT_READ);
  }
  uint64_t *w = c.raw + (has_ep ? 1 : 0);
  for (int i = 0; i < 4; i++) w[i] = c.src.Word();
  if (nr == NX_SYS_IPC_RECV) {
    if (!c.t.ipc_buffer) c.e.Req(NX_ERR_INVALID_ARGS);
  } else {
    w[4] = c.Info(true);
    c.Message(w[4], true, nullptr);
  }
  // What receives (a call's reply too) needs its buffer's handle area
  // writable when the syscall starts.
  if (nr != NX_SYS_IPC_REPLY && c.e.required.empty() &&
      !c.h.UserRange(c.ti, c.t.ipc_buffer + NX_IPC_BUFFER_HANDLES, NX_MSG_HANDLES * 4, true)) {
    c.e.Req(NX_ERR_BAD_ADDRESS);
  }
  if (nr == NX_SYS_IPC_CALL || nr == NX_SYS_IPC_RECV) {
    c.DecodeOnly(nr);
    return;
  }
  // No thread of a host test has a caller to answer.
  if (c.e.required.empty()) c.e.Req(NX_ERR_NOT_FOUND);
  c.Run(nr);
}

// ---- Channels ----

void ChannelCreate(Call &c) {
  const uint64_t r = c.src.Below(100);
  c.raw[0] = r < 85   ? 1 + c.src.Below(6)
             : r < 88 ? NX_CHANNEL_DEPTH_MAX
             : r < 92 ? 0
             : r < 96 ? NX_CHANNEL_DEPTH_MAX + 1
                      : c.src.Word();
  if (c.raw[0] == 0 || c.raw[0] > NX_CHANNEL_DEPTH_MAX) c.e.Req(NX_ERR_INVALID_ARGS);
  if (c.TableFull() || c.QuotaLeft() < ChannelCharge()) c.e.Req(NX_ERR_NO_MEMORY);
  const int64_t h = c.Run(NX_SYS_CHANNEL_CREATE);
  if (h < 0) return;
  const int o = c.Created(h, OBJ_CHANNEL, ChannelCharge(), NX_DEFAULT_RIGHTS_CHANNEL);
  kchannel_t *k = reinterpret_cast<kchannel_t *>(c.h.objs[o].ptr);
  c.h.objs[o].depth = static_cast<uint32_t>(c.raw[0]);
  c.h.objs[o].holding = c.h.NewTable(Harness::kHolding, &k->holding, o);
}

void ChannelSend(Call &c) {
  // Often one another task holds: capabilities travel between tasks.
  c.raw[0] = c.Toward(OBJ_CHANNEL, NX_RIGHT_WRITE, 30, [&](int ch) { return c.HeldByOthers(ch); });
  for (int i = 1; i < 5; i++) c.raw[i] = c.src.Word();
  c.raw[5] = c.Info(false);
  const int ch = c.Valid(c.Lookup(0, OBJ_CHANNEL, NX_RIGHT_WRITE), OBJ_CHANNEL);
  std::vector<uint32_t> hs;
  c.Message(c.raw[5], false, &hs);
  std::vector<int> moving;
  if (c.e.required.empty()) {
    // The decoder refuses a live handle to a channel or a task: only
    // objects that hold no capabilities wait in a queue (no cycles).
    for (uint32_t h : hs) {
      const int cap = c.h.CapAt(c.h.tasks[c.ti].table, h);
      if (cap < 0) continue;
      const uint32_t type = c.h.objs[c.Cap(cap).obj].type;
      if (type == OBJ_CHANNEL || type == OBJ_TASK) c.e.Req(NX_ERR_INVALID_ARGS);
    }
  }
  if (c.e.required.empty()) {
    Harness::MObj &chan = c.h.objs[ch];
    if (chan.queue.size() == chan.depth) c.e.Req(NX_ERR_BUSY);
    for (size_t i = 0; i < hs.size(); i++) {
      const int cap = c.h.Lookup(c.ti, hs[i], kAny, NX_RIGHT_TRANSFER, &c.e);
      if (cap >= 0 && std::find(hs.begin(), hs.begin() + i, hs[i]) != hs.begin() + i) {
        c.e.Req(NX_ERR_INVALID_ARGS);
      }
      moving.push_back(cap);
    }
    if (handle_table_free_slots(&reinterpret_cast<kchannel_t *>(chan.ptr)->holding) < hs.size()) {
      c.e.Req(NX_ERR_NO_MEMORY);
    }
    if (c.e.required.empty()) {
      for (int cap : moving) {
        if (c.h.MakesCycle(c.Cap(cap).obj, ch)) {
          c.h.Fail("channel_send would make a reference cycle the decoder should refuse");
        }
      }
    }
  }
  if (c.Run(NX_SYS_CHANNEL_SEND) < 0) return;
  Harness::MObj &chan = c.h.objs[ch];
  const kchannel_t *k = reinterpret_cast<const kchannel_t *>(chan.ptr);
  const ipc_msg_t &slot = k->ring[(k->ch.head + k->ch.count - 1) % k->ch.depth];
  Harness::MMsg m;
  for (int i = 0; i < 4; i++) m.words[i] = c.raw[1 + i];
  for (size_t i = 0; i < moving.size(); i++) {
    c.h.MoveCap(moving[i], chan.holding, slot.handles[i]);
    m.caps.push_back(moving[i]);
  }
  chan.queue.push_back(m);
  if (chan.bound >= 0) c.h.Deliver(chan.bound, chan.bit, "a bound channel's message");
}

void ChannelRecv(Call &c) {
  c.raw[0] = c.Toward(OBJ_CHANNEL, NX_RIGHT_READ, 30, [&](int ch) { return c.HeldByOthers(ch); });
  const int ch = c.Valid(c.Lookup(0, OBJ_CHANNEL, NX_RIGHT_READ), OBJ_CHANNEL);
  if (!c.t.ipc_buffer) {
    c.e.Req(NX_ERR_INVALID_ARGS);
  } else if (c.e.required.empty() && !c.h.UserRange(c.ti, c.t.ipc_buffer + NX_IPC_BUFFER_HANDLES,
                                                    NX_MSG_HANDLES * 4, true)) {
    c.e.Req(NX_ERR_BAD_ADDRESS); /* the decoder checks the handle area first */
  }
  std::vector<int> live;
  if (c.e.required.empty()) {
    Harness::MObj &chan = c.h.objs[ch];
    if (chan.queue.empty()) {
      c.e.Req(NX_ERR_NOT_FOUND);
    } else {
      // The capabilities revoked in flight are dropped, whatever happens next.
      std::vector<int> &held = chan.queue.front().caps;
      for (int x : held) {
        if (!c.h.caps[x].alive) c.h.Count("model: a capability revoked in flight is dropped");
      }
      held.erase(
          std::remove_if(held.begin(), held.end(), [&](int x) { return !c.h.caps[x].alive; }),
          held.end());
      live = held;
      if (handle_table_free_slots(&c.ft.task.handles) < live.size()) c.e.Req(NX_ERR_NO_MEMORY);
      if (c.e.required.empty() && !c.h.UserRange(c.ti, c.t.ipc_buffer, live.size() * 4, true)) {
        // The kernel would move the handles, then fail to tell their values
        // (see the report): not run, so the model stays exact.
        c.h.Count("skipped: channel_recv into an IPC buffer unmapped since");
        return;
      }
    }
  }
  if (c.Run(NX_SYS_CHANNEL_RECV) < 0) return;
  Harness::MObj &chan = c.h.objs[ch];
  const Harness::MMsg m = chan.queue.front();
  chan.queue.pop_front();
  for (int i = 0; i < 4; i++) {
    if (c.ft.frame.a[1 + i] != m.words[i]) c.h.Fail("channel_recv returned other words");
  }
  if (c.ft.frame.a[5] != live.size()) c.h.Fail("channel_recv's info counts other handles");
  std::vector<uint32_t> values(live.size());
  c.ft.Read(c.t.ipc_buffer + NX_IPC_BUFFER_HANDLES, values.data(), values.size() * 4);
  c.UserWrote(c.t.ipc_buffer + NX_IPC_BUFFER_HANDLES, values.size() * 4);
  if (!live.empty()) c.h.Count("channel_recv moved handles");
  for (size_t i = 0; i < live.size(); i++) {
    c.h.MoveCap(live[i], c.table, values[i]);
    c.h.Grant(c.ti, c.Cap(live[i]).obj, c.Cap(live[i]).rights);
  }
}

void ChannelBind(Call &c) {
  c.raw[0] = c.Handle(OBJ_CHANNEL, NX_RIGHT_MANAGE);
  c.raw[1] = c.Handle(OBJ_NOTIFICATION, NX_RIGHT_SIGNAL);
  c.raw[2] = c.src.Percent(85) ? uint64_t{1} << c.src.Below(64) : c.Bits();
  const int ch = c.Valid(c.Lookup(0, OBJ_CHANNEL, NX_RIGHT_MANAGE), OBJ_CHANNEL);
  const int n = c.Valid(c.Lookup(1, OBJ_NOTIFICATION, NX_RIGHT_SIGNAL), OBJ_NOTIFICATION);
  if (!OneBit(c.raw[2])) c.e.Req(NX_ERR_INVALID_ARGS);
  if (c.Run(NX_SYS_CHANNEL_BIND) < 0) return;
  c.h.objs[ch].bound = n;
  c.h.objs[ch].bit = c.raw[2];
  c.h.Collect();
}

}  // namespace detail
}  // namespace syscall_harness
