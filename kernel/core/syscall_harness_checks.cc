// The harness's invariants (see syscall_harness.h): after a step, every
// live handle table, every live object and the kernel's records, mappings
// and quotas must be what the model says; and the end, where every task
// unmaps and closes everything and every quota, reference and page must
// come back.
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kernel/core/syscall_harness.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/cap_tree.h"
#include "neuron/errors.h"
#include "neuron/syscall_numbers.h"

namespace syscall_harness {

// ---- Invariants ----

namespace {
std::string Hex(uint64_t v) {
  char s[19];
  std::snprintf(s, sizeof s, "0x%llx", static_cast<unsigned long long>(v));
  return s;
}
}  // namespace

void Harness::CheckTable(const MTable &t) {
  if (t.kt->used != t.caps.size()) {
    Fail("table of " + std::to_string(t.caps.size()) + " capabilities holds " +
         std::to_string(t.kt->used));
  }
  for (const auto &kv : t.caps) {
    const MCap &c = caps[kv.second];
    const handle_slot_t *s = &t.kt->slots[kv.first & 0xffff];
    auto where = [&kv] { return "handle " + std::to_string(kv.first) + ": "; };
    if (!s->object || s->value != kv.first) Fail(where() + "not live");
    if (s->object != objs[c.obj].ptr) Fail(where() + "names another object");
    if (s->rights != c.rights) Fail(where() + "rights differ");
    if (s->badge != c.badge) Fail(where() + "badge differs");
    const handle_slot_t *parent =
        c.parent < 0 ? nullptr
                     : &tables[caps[c.parent].table].kt->slots[caps[c.parent].handle & 0xffff];
    if (s->parent != parent) Fail(where() + "has another parent");
    if (c.parent >= 0 && (c.rights & ~caps[c.parent].rights)) Fail(where() + "rights grew");
    if (cap_tree_check_node(s) != NX_OK) Fail(where() + "cap_tree_check_node fails");
  }
}

void Harness::CheckObject(int id, const std::vector<uint32_t> &refs) {
  const MObj &o = objs[id];
  auto what = [&o, id] {
    return "object " + std::to_string(id) + " (type " + std::to_string(o.type) + ")";
  };
  if (o.ptr->refs != refs[id]) {
    Fail(what() + ": " + std::to_string(o.ptr->refs) + " references, the model has " +
         std::to_string(refs[id]));
  }
  switch (o.type) {
    case OBJ_VMO: {
      const vmo_t *v = reinterpret_cast<const vmo_t *>(o.ptr);
      if (v->mapping_count != mapped_[id]) Fail(what() + ": mapping count");
      if (v->size != o.size) Fail(what() + ": size");
      if (o.payer && v->committed != o.charge) Fail(what() + ": committed pages");
      break;
    }
    case OBJ_NOTIFICATION: {
      const notification_t *n = reinterpret_cast<const notification_t *>(o.ptr);
      if (n->pending != o.pending) {
        Fail(what() + ": pending bits " + Hex(n->pending) + ", the model's " + Hex(o.pending));
      }
      if (notification_check(n) != NX_OK) Fail(what() + ": notification_check");
      // The queue, head first: the model's waits in its order.
      if (n->queued != o.waiters.size()) {
        Fail(what() + ": " + std::to_string(n->queued) + " waits queued, the model has " +
             std::to_string(o.waiters.size()));
      }
      const notify_link_t *l = n->waiters.next;
      for (size_t i = 0; i < o.waiters.size(); i++, l = l->next) {
        const MNode &m = o.waiters[i];
        const notify_node_t *node = reinterpret_cast<const notify_node_t *>(l);
        if (node->waiter != &tasks[m.task].ft->thread.waiter || node->mask != m.mask ||
            node->index != m.index) {
          Fail(what() + ": the wait at place " + std::to_string(i) +
               " of its queue is not the model's (task " + std::to_string(m.task) + ")");
        }
      }
      break;
    }
    case OBJ_WAITSET: {
      const waitset_t *w = reinterpret_cast<const waitset_t *>(o.ptr);
      uint32_t used = 0;
      for (int s = 0; s < 16; s++) {
        const object_t *n = o.ws_n[s] >= 0 ? objs[o.ws_n[s]].ptr : nullptr;
        if (reinterpret_cast<const object_t *>(w->slots[s].n) != n) Fail(what() + ": entry");
        if (n && w->slots[s].mask != o.ws_mask[s]) Fail(what() + ": entry mask");
        used += n != nullptr;
      }
      if (w->used != used) Fail(what() + ": entries in use");
      const int waiter = WaiterOn(id);
      if (w->waiter != (waiter >= 0 ? &tasks[waiter].ft->thread.waiter : nullptr)) {
        Fail(what() + ": its waiter is not the model's");
      }
      break;
    }
    case OBJ_CHANNEL: {
      const kchannel_t *k = reinterpret_cast<const kchannel_t *>(o.ptr);
      if (k->ch.count != o.queue.size() || k->ch.depth != o.depth) Fail(what() + ": queue");
      const object_t *bound = o.bound >= 0 ? objs[o.bound].ptr : nullptr;
      if (reinterpret_cast<const object_t *>(k->bound) != bound) Fail(what() + ": binding");
      if (bound && k->bit != o.bit) Fail(what() + ": bound bit");
      break;
    }
    case OBJ_INTERRUPT: {
      const interrupt_t *i = reinterpret_cast<const interrupt_t *>(o.ptr);
      const bool bound = o.irq_n >= 0;
      if ((i->irq != 0) != bound) Fail(what() + ": binding");
      if (bound && (reinterpret_cast<const object_t *>(i->n) != objs[o.irq_n].ptr ||
                    i->bit != o.irq_bit || i->masked != o.masked)) {
        Fail(what() + ": bound state");
      }
      if (bound && fake_kernel::LineEnabled(o.line) == o.masked) Fail(what() + ": line mask");
      break;
    }
    case OBJ_TASK: {
      const task_t *t = reinterpret_cast<const task_t *>(o.ptr);
      if (t->state != o.state) Fail(what() + ": task state");
      if (o.state != TASK_DEAD && t->live_threads != o.threads) Fail(what() + ": threads");
      const notification_t *watch =
          o.watch_n >= 0 ? reinterpret_cast<const notification_t *>(objs[o.watch_n].ptr) : nullptr;
      if (t->exit_watch != watch || (watch && t->exit_bit != o.watch_bit)) {
        Fail(what() + ": watch");
      }
      if (t->exit_code != o.exit_code || t->faulted != o.faulted) Fail(what() + ": exit status");
      break;
    }
    default:
      break;
  }
}

void Harness::CheckQuotas() {
  std::map<const quota_t *, size_t> charged;
  std::vector<size_t> children(tasks.size(), 0);  // what created tasks hold, per creator
  for (const auto &live : by_ptr) {
    const MObj &o = objs[live.second];
    if (o.payer) charged[o.payer] += o.charge;
    if (o.type != OBJ_TASK) continue;
    const task_t *child = reinterpret_cast<const task_t *>(o.ptr);
    const size_t expect = (o.state == TASK_DEAD ? 0 : kHelloPages) +
                          size_t{4} * (o.state == TASK_RUNNING ? o.threads : 0);
    if (quota_used(&child->quota) != expect) Fail("a created task's quota");
    children[o.creator] += expect;
  }
  size_t all = quota_used(env.boot_quota());
  if (all != charged[env.boot_quota()]) Fail("the boot quota");
  for (size_t i = 0; i < tasks.size(); i++) {
    const task_t &t = tasks[i].ft->task;
    const size_t expect = tasks[i].base_pages + t.space.table_pages + charged[&t.quota] +
                          size_t{4} * tasks[i].threads + children[i];
    if (quota_used(&t.quota) != expect) {
      Fail("task " + std::to_string(i) + "'s quota holds " + std::to_string(quota_used(&t.quota)) +
           " pages, the model " + std::to_string(expect));
    }
    all += expect;
  }
  if (quota_used(&kernel.root_quota) != all) Fail("the root quota");
}

void Harness::CheckWait(int i) {
  const thread_t &th = tasks[i].ft->thread;
  const std::optional<MWait> &w = tasks[i].wait;
  const std::string task = "task " + std::to_string(i);
  if (th.wait_hold != (w ? objs[w->obj].ptr : nullptr)) {
    Fail(task + ": holds another object than its wait's");
  }
  if ((th.waiter.state == NOTIFY_WAITER_WAITING) != (w && !w->done)) {
    Fail(task + (w && !w->done ? ": its wait ended; the model's still waits"
                               : ": still waits; the model's wait ended"));
  }
  if (w && w->done &&
      (th.waiter.result != NX_OK || th.waiter.bits != w->bits || th.waiter.index != w->index)) {
    Fail(task + ": its wait ended with other bits, or from another slot, than the model's");
  }
}

void Harness::CheckIpcView(int i) {
  const thread_t &th = tasks[i].ft->thread;
  if (th.ipc_buffer != tasks[i].ipc_buffer) Fail("task " + std::to_string(i) + ": IPC buffer");
  const uint64_t view = th.ipc_buffer ? reinterpret_cast<uint64_t>(&th.ipc) : 0;
  if (th.frame->ipc != view) {
    Fail("task " + std::to_string(i) + ": its frame's IPC view disagrees with its IPC buffer");
  }
}

void Harness::CheckAll() {
  // The waits first: one that ended otherwise than the model's is the
  // cause of what else differs.
  for (size_t i = 0; i < tasks.size(); i++) {
    CheckWait(static_cast<int>(i));
    CheckIpcView(static_cast<int>(i));
  }
  for (const MTable &t : tables) {
    if (t.alive) CheckTable(t);
  }
  const std::vector<uint32_t> refs = RefCounts();
  mapped_.assign(objs.size(), 0);
  for (const MMap &m : maps) mapped_[m.vmo]++;
  size_t vmos = 0, endpoints = 0, notifications = 0, waitsets = 0, tasks_alive = 0;
  uint32_t threads = 0;
  for (const auto &live : by_ptr) {
    const int i = live.second;
    CheckObject(i, refs);
    switch (objs[i].type) {
      case OBJ_VMO:
        vmos++;
        break;
      case OBJ_ENDPOINT:
        endpoints++;
        break;
      case OBJ_NOTIFICATION:
        notifications++;
        break;
      case OBJ_WAITSET:
        waitsets++;
        break;
      case OBJ_TASK:
        tasks_alive++;
        threads += objs[i].state == TASK_RUNNING ? objs[i].threads : 0;
        break;
      default:
        break;
    }
  }
  for (const MTask &t : tasks) threads += t.threads;
  if (kernel.vmos.live != vmos) Fail("live VMOs");
  if (slab_cache_in_use(&kernel.endpoints) != endpoints) Fail("endpoint records");
  if (slab_cache_in_use(&kernel.notifications) != notifications) Fail("notification records");
  if (slab_cache_in_use(&kernel.waitsets) != waitsets) Fail("wait set records");
  if (slab_cache_in_use(&kernel.tasks) != tasks_alive) Fail("task records");
  if (slab_cache_in_use(&kernel.threads) != threads) Fail("thread records");
  // Provenance and dead handles, from the kernel's tables.
  for (size_t i = 0; i < tasks.size(); i++) {
    const handle_table_t *t = &tasks[i].ft->task.handles;
    for (uint32_t cursor = 0;;) {
      const handle_slot_t *s = handle_table_next(t, &cursor);
      if (!s) break;
      const int o = ObjOf(s->object);
      auto g = tasks[i].granted.find(o);
      if (o < 0 || g == tasks[i].granted.end()) Fail("a handle to an object never given");
      if (s->rights & ~g->second) Fail("a handle with rights never given");
    }
    for (uint32_t h : tasks[i].dead) {
      handle_slot_t *s;
      if (handle_lookup_slot(t, h, HANDLE_ANY_TYPE, 0, &s) != NX_ERR_BAD_HANDLE) {
        Fail("a closed or revoked handle still works");
      }
    }
    // Mappings: the space's list and the page tables agree with the model.
    size_t mapped = 0;
    for (const MMap &m : maps) {
      if (m.task != static_cast<int>(i)) continue;
      mapped++;
      const vmo_t *v = reinterpret_cast<const vmo_t *>(objs[m.vmo].ptr);
      const vmo_mapping_t *k = vmo_find_mapping(v, &tasks[i].ft->task.vmos, m.va);
      if (!k || k->size != m.size || k->offset != m.offset) Fail("a mapping differs");
      sv39_mapping_t sm;
      if (sv39_lookup(&tasks[i].ft->task.space, m.va + m.size - PAGE_SIZE, &sm) != NX_OK ||
          sm.pa != vmo_page_phys(v, (m.offset + m.size) / PAGE_SIZE - 1)) {
        Fail("a mapping's last page is not the VMO's");
      }
    }
    if (tasks[i].ft->task.vmos.count != mapped) Fail("the number of mappings");
  }
  CheckQuotas();
  if (steps_ % 128 == 0 && page_alloc_check(&kernel.pages) != NX_OK) Fail("page_alloc_check");
}

// ---- The end ----

void Harness::Finish() {
  step_number = ++steps_;
  step_what = "finish";
  // Created tasks that run end (as if their threads exited).
  for (size_t i = 0; i < objs.size(); i++) {
    const MObj &o = objs[i];
    if (o.alive && o.type == OBJ_TASK && o.state == TASK_RUNNING) {
      EndTask(static_cast<int>(i), 0, false);
    }
  }
  // Then every wait: through its continuation if it can run, else
  // cancelled as a killed thread's.
  for (size_t i = 0; i < tasks.size(); i++) {
    if (!tasks[i].wait) continue;
    if (Runnable(static_cast<int>(i))) {
      Resume(static_cast<int>(i));
    } else {
      CancelWait(static_cast<int>(i));
    }
  }
  step_what = "finish";
  CheckAll();
  // Every task unmaps and closes everything, through the syscalls.
  for (size_t i = 0; i < tasks.size(); i++) {
    for (size_t m = maps.size(); m-- > 0;) {
      if (maps[m].task != static_cast<int>(i)) continue;
      const uint64_t raw[6] = {maps[m].va, 0, 0, 0, 0, 0};
      if (Run(static_cast<int>(i), NX_SYS_VMO_UNMAP, raw, Expect()) != 0) Fail("unmap");
      RemoveMapping(m);
      Collect();
    }
    while (!tables[tasks[i].table].caps.empty()) {
      const int c = tables[tasks[i].table].caps.begin()->second;
      const uint64_t raw[6] = {caps[c].handle, 0, 0, 0, 0, 0};
      if (Run(static_cast<int>(i), NX_SYS_HANDLE_CLOSE, raw, Expect()) != 0) Fail("close");
      CloseCap(c);
      Collect();
      CheckAll();
    }
  }
  // The kernel's own references: interrupt bindings (they end with the task
  // that made them, and the harness's tasks end only after this), and the
  // harness's to the objects the tasks shared.
  for (size_t i = 0; i < objs.size(); i++) {
    MObj &o = objs[i];
    if (o.type != OBJ_INTERRUPT || o.irq_n < 0) continue;
    interrupt_t *irq = reinterpret_cast<interrupt_t *>(o.ptr);
    notification_t *n = irq->n;
    interrupt_unbind(irq);
    object_drop(&n->obj);
    o.irq_n = -1;
    Collect();
  }
  for (int o : shared) {
    objs[o].fixed_refs--;
    object_drop(objs[o].ptr);
    Collect();
  }
  CheckAll();
  for (size_t i = 0; i < objs.size(); i++) {
    const MObj &o = objs[i];
    if (o.alive && o.fixed_refs == 0) {
      Fail("object " + std::to_string(i) + " (type " + std::to_string(o.type) +
           ") outlived every handle");
    }
  }
  for (size_t i = 0; i < tasks.size(); i++) {
    const task_t &t = tasks[i].ft->task;
    if (quota_used(&t.quota) != tasks[i].base_pages + t.space.table_pages + 4 * tasks[i].threads) {
      Fail("task " + std::to_string(i) + "'s quota did not come back");
    }
    tasks[i].ft->Destroy();
    if (quota_used(&t.quota) != 0) Fail("task " + std::to_string(i) + "'s quota is not empty");
  }
  finished_ = true;
  const std::string left = env.Teardown();
  if (!left.empty()) Fail("after teardown: " + left);
}

}  // namespace syscall_harness
