/*
 * A signal that wakes a more urgent thread runs it before the signal
 * returns (//tests/qemu:notify_test), through each path the kernel has:
 * the direct one (the notification's only waiter, waiting on it alone, with
 * no deadline: no run-queue trip), in assembly (notify_fast.S), also for a
 * waiter that uses FP (its FP step, thread_fp_switch: without it that case
 * fails), and to a waiter in another task (app/notify_child); and the
 * general ones (a wait with a deadline, a wait through a wait set). The
 * woken thread gets exactly the bits of its mask, the rest stay pending,
 * and both threads keep every register the ABI keeps across the switch,
 * the waiter's FP registers included. A waiter only as urgent as the
 * signaller runs at its next yield, not before.
 */
#include "keep_regs.h"
#include "neuron/syscall_numbers.h"
#include "test_util.h"

#define P "notify_test"
#define ROUNDS 100
#define MASK 0x6
#define SIGNAL 0x3 /* the waiter takes 0x2; 0x1 stays pending */

enum mode { DIRECT, DIRECT_FP, DEADLINE, WAITSET, QUIT };

static const nx_start_info_t *g_start;
static nx_handle_t g_n, g_ws, g_done;
static volatile enum mode g_mode;
static volatile uint32_t g_woken;   /* wake-ups the waiter saw */
static volatile uint64_t g_bits;    /* what its last wait returned */
static volatile uint32_t g_changed; /* registers changed, both sides */

static uint64_t g_stacks[3][1024] __attribute__((aligned(16)));
static nx_ipc_buffer_t g_ipc[3];

/* ecall_keeping with fs0 loaded too: the waiter of DIRECT_FP has FP state
 * (which the switch must move), and an FP register the ABI keeps must come
 * back. A function of its own: saving the caller's fs0 is
 * the thread's first FP instruction, which must not come before this mode
 * (the waiter would use FP from its first instruction). */
__attribute__((noinline)) static uint32_t ecall_keeping_fp(uint64_t nr, const uint64_t in[6],
                                                           uint64_t out[6], uint64_t seed) {
  uint64_t want = 0x5eed0000u + seed;
  __asm__ volatile("fmv.d.x fs0, %0" : : "r"(want) : "fs0");
  uint32_t changed = (uint32_t)ecall_keeping(nr, in, out, seed);
  uint64_t got;
  __asm__ volatile("fmv.x.d %0, fs0" : "=r"(got));
  return changed + (got != want);
}

/* Priority 10: waits in the current mode until told to quit. */
static void waiter(void *arg) {
  (void)arg;
  for (uint32_t i = 0;; i++) {
    enum mode m = g_mode;
    if (m == QUIT) return;
    uint64_t in[6] = {0}, out[6], ws_bits = 0;
    uint64_t nr = NX_SYS_NOTIFICATION_WAIT;
    if (m == WAITSET) {
      nr = NX_SYS_WAITSET_WAIT;
      in[0] = g_ws;
      in[1] = NX_DEADLINE_NEVER;
      in[2] = (uintptr_t)&ws_bits;
    } else {
      in[0] = g_n;
      in[1] = MASK;
      in[2] = m == DEADLINE ? (uint64_t)nx_clock_get() + 10000000000ull : NX_DEADLINE_NEVER;
    }
    g_changed += m == DIRECT_FP ? ecall_keeping_fp(nr, in, out, 300 + i)
                                : (uint32_t)ecall_keeping(nr, in, out, 300 + i);
    g_bits = m == WAITSET ? (out[0] == 0 ? ws_bits : 0) : out[0]; /* slot 0, its bits */
    g_woken++;
  }
}

static nx_handle_t g_pn; /* the equally urgent waiter's notification */
static volatile uint32_t g_peer_woke;

/* Priority 9, as urgent as the signaller: runs only when it yields. */
static void peer(void *arg) {
  (void)arg;
  if (nx_notification_wait(g_pn, 1, NX_DEADLINE_NEVER) == 1) g_peer_woke = 1;
}

/* One signal: whether the waiter ran before it returned, with 0x2. */
static int signal_runs_waiter(uint64_t seed) {
  uint32_t before = g_woken;
  const uint64_t in[6] = {g_n, SIGNAL};
  uint64_t out[6];
  g_changed += (uint32_t)ecall_keeping(NX_SYS_NOTIFICATION_SIGNAL, in, out, seed);
  int ok = out[0] == 0 && g_woken == before + 1 && g_bits == 0x2;
  /* The bit outside the waiter's mask stayed pending. */
  ok &= nx_notification_wait(g_n, 0x1, 0) == 0x1;
  return ok;
}

static void round_of(enum mode m, const char *what) {
  /* One signal, not counted, takes the waiter out of its wait of the last
   * mode; it waits in this one from then on. */
  g_mode = m;
  (void)signal_runs_waiter(0);
  uint32_t ok = 0;
  g_changed = 0;
  for (uint32_t i = 0; i < ROUNDS; i++) ok += (uint32_t)signal_runs_waiter(1000 * m + i);
  t_say(P ": %s: %u signals, %u ran the waiter at once with its bits, %u registers changed\n", what,
        (unsigned)ROUNDS, (unsigned)ok, (unsigned)g_changed);
  t_expect(P, what, ok == ROUNDS && g_changed == 0, 1);
}

/* While the waiter waits for the direct case: a handle with its slot's
 * index plus 256 or 32768 (bits 8..15 set), or a 64-bit value with g_n in
 * its low 32 bits, names no slot, though its low 8 bits and its generation
 * are g_n's (notify_fast.S reads the slot those 8 bits name); it is refused
 * and wakes no one. */
static void aliased_handles_refused(void) {
  uint32_t before = g_woken;
  t_expect(P, "index + 256", nx_notification_signal(g_n | 0x100u, SIGNAL), NX_ERR_BAD_HANDLE);
  t_expect(P, "index + 32768", nx_notification_signal(g_n | 0x8000u, SIGNAL), NX_ERR_BAD_HANDLE);
  const uint64_t in[6] = {(1ull << 32) | g_n, SIGNAL};
  uint64_t out[6];
  (void)ecall_keeping(NX_SYS_NOTIFICATION_SIGNAL, in, out, 77);
  t_expect(P, "handle + 2^32", (int64_t)out[0], NX_ERR_BAD_HANDLE);
  t_expect(P, "the waiter still waits", g_woken, before);
}

/* A waiter in another task (app/notify_child, priority 10) waiting for
 * 0x2, which raises 0x4 each time it runs: pending when the signal returns
 * only if it ran in between. */
static void other_task_round(void) {
  nx_handle_t n = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  /* More urgent, it runs until its wait blocks before task_start returns. */
  nx_handle_t task =
      (nx_handle_t)t_start_app(P, g_start, "notify_child", 64, n, NX_RIGHT_WAIT | NX_RIGHT_SIGNAL);
  uint32_t ok = 0;
  g_changed = 0;
  for (uint32_t i = 0; i < ROUNDS; i++) {
    const uint64_t in[6] = {n, 0x2};
    uint64_t out[6];
    g_changed += (uint32_t)ecall_keeping(NX_SYS_NOTIFICATION_SIGNAL, in, out, 3000 + i);
    ok += out[0] == 0 && nx_notification_wait(n, 0x4, 0) == 0x4;
  }
  t_say(P ": a waiter in another task: %u signals, %u ran it at once, %u registers changed\n",
        (unsigned)ROUNDS, (unsigned)ok, (unsigned)g_changed);
  t_expect(P, "another task", ok == ROUNDS && g_changed == 0, 1);
  t_expect(P, "ending it", nx_notification_signal(n, 0x8), NX_OK);
  nx_handle_close(task);
  nx_handle_close(n);
}

/* The signaller, priority 9. */
static void signaller(void *arg) {
  (void)arg;
  round_of(DIRECT, "one waiter, no deadline");
  aliased_handles_refused();
  /* Before the waiter uses FP (which it then keeps), so that these reach
   * notify_fast.S and it must tell them from the direct case. */
  round_of(DEADLINE, "a wait with a deadline");
  round_of(WAITSET, "a wait through a wait set");
  round_of(DIRECT_FP, "one waiter, no deadline, the waiter using FP");
  g_mode = QUIT;
  nx_notification_signal(g_n, 0x2); /* the waiter wakes, sees QUIT and ends */
  /* An equally urgent waiter: the signal makes it READY, not RUNNING. */
  g_pn = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  t_ok(P, "peer", nx_thread_start(peer, 0, g_stacks[2], sizeof g_stacks[2], &g_ipc[2], 9));
  nx_thread_yield(); /* the peer reaches its wait */
  nx_notification_signal(g_pn, 1);
  uint32_t before_yield = g_peer_woke;
  nx_thread_yield();
  t_say(P ": an equally urgent waiter: %s before the signaller yields, %s after\n",
        before_yield ? "ran" : "did not run", g_peer_woke ? "ran" : "did not run");
  t_expect(P, "equally urgent", !before_yield && g_peer_woke, 1);
  other_task_round();
  nx_notification_signal(g_done, 1);
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  g_start = start;
  g_n = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  g_done = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  g_ws = (nx_handle_t)t_ok(P, "waitset", nx_waitset_create());
  t_ok(P, "waitset_add", nx_waitset_add(g_ws, g_n, MASK));
  t_ok(P, "waiter", nx_thread_start(waiter, 0, g_stacks[0], sizeof g_stacks[0], &g_ipc[0], 10));
  t_ok(P, "signaller",
       nx_thread_start(signaller, 0, g_stacks[1], sizeof g_stacks[1], &g_ipc[1], 9));
  nx_notification_wait(g_done, 1, NX_DEADLINE_NEVER);
  /* A wait-set wait that blocks and times out ends through its
   * continuation with the deadline's error, and writes no bits. */
  uint64_t bits = 0x5eed;
  t_expect(P, "a wait-set wait times out",
           nx_waitset_wait(g_ws, (uint64_t)nx_clock_get() + 10000000u, (uintptr_t)&bits),
           NX_ERR_TIMED_OUT);
  t_expect(P, "no bits written", (int64_t)bits, 0x5eed);
  t_say(P ": done, %d failures\n", t_failures);
  return t_failures != 0;
}
