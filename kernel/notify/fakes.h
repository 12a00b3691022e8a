// Test doubles: a thread layer that records block() and wake() calls, and an
// interrupt controller that records mask/unmask/complete and the mask state.
#ifndef KERNEL_NOTIFY_FAKES_H_
#define KERNEL_NOTIFY_FAKES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "neuron/errors.h"
#include "neuron/interrupt.h"
#include "neuron/notification.h"

namespace notify_test {

struct BlockCall {
  notify_waiter_t *w;
  uint64_t deadline;
};

struct WakeCall {
  notify_waiter_t *w;
  int result;
  uint64_t bits;   // w->bits when wake() ran
  uint32_t index;  // w->index when wake() ran
  uint8_t state;   // w->state when wake() ran (must already be IDLE)
};

// The callbacks take no context, so the recorder in use is a global.
struct Threads {
  std::vector<BlockCall> blocks;
  std::vector<WakeCall> wakes;
  notify_system_t sys{};

  static Threads *&Current() {
    static Threads *t = nullptr;
    return t;
  }
  static void Block(notify_waiter_t *w, uint64_t deadline) {
    Current()->blocks.push_back({w, deadline});
  }
  static void Wake(notify_waiter_t *w, int result) {
    Current()->wakes.push_back({w, result, w->bits, w->index, w->state});
  }
  static const notify_ops_t *Ops() {
    static const notify_ops_t ops = {Block, Wake};
    return &ops;
  }

  Threads() {
    Current() = this;
    notify_system_init(&sys, Ops());
  }
  ~Threads() { Current() = nullptr; }
};

struct Controller {
  std::vector<std::string> calls;  // "mask 3", "unmask 3", "complete 3"
  std::map<uint32_t, bool> masked;

  static Controller *Self(void *ctx) { return static_cast<Controller *>(ctx); }
  static void Mask(void *ctx, uint32_t irq) {
    Self(ctx)->calls.push_back("mask " + std::to_string(irq));
    Self(ctx)->masked[irq] = true;
  }
  static void Unmask(void *ctx, uint32_t irq) {
    Self(ctx)->calls.push_back("unmask " + std::to_string(irq));
    Self(ctx)->masked[irq] = false;
  }
  static void Complete(void *ctx, uint32_t irq) {
    Self(ctx)->calls.push_back("complete " + std::to_string(irq));
  }
  static const interrupt_ops_t *Ops() {
    static const interrupt_ops_t ops = {Mask, Unmask, Complete};
    return &ops;
  }
};

}  // namespace notify_test

#endif  // KERNEL_NOTIFY_FAKES_H_
