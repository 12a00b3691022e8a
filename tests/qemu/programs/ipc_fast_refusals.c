/*
 * Each condition under which ipc_fast.S must leave a call or a reply_recv
 * to the C path, met while everything else would let the fastpath take it
 * (a server waiting, words only, threads of one task that never use FP):
 * the answer must be the C path's (//tests/qemu:ipc_fast_refusals_test).
 * ipc_fast_test checks the cases the fastpath does take; dropping any one
 * of the checks below from ipc_fast.S fails this test. Last, FP state,
 * which the fastpath takes and must carry: without its FP step (in C,
 * thread_fp_switch), the FP case below fails. Then a revoke in progress,
 * which the C lookup must judge.
 *
 * All threads run at or below the task's priority, 10 (main's).
 */
#include "ipc_proto.h"
#include "test_threads.h"
#include "test_util.h"

#define P "ipc_fast_refusals"
#define MS 1000000ull
#define NEVER NX_DEADLINE_NEVER

/* Starts fn at prio (test_threads.h). */
static void start(void (*fn)(void *), uint32_t prio) { t_thread(P, fn, prio); }

static nx_handle_t g_ep, g_done;

static nx_handle_t notification(void) {
  return (nx_handle_t)t_ok(P, "notification", nx_notification_create());
}

/* Waits until the threads of a case have raised every bit of `bits` on
 * g_done, at most until `deadline`. */
static void wait_done(uint64_t bits, uint64_t deadline) {
  uint64_t seen = 0;
  while (seen != bits) {
    int64_t got = nx_notification_wait(g_done, bits & ~seen, deadline);
    if (got < 0) {
      t_fail(P, "the case ended", got, (int64_t)bits);
      return;
    }
    seen |= (uint64_t)got;
  }
}

/* ---- A server that answers OP_INC (w0 = w1 + 1) until OP_QUIT ---- */

static volatile int64_t g_first_reply_recv = 1; /* what serve's first reply_recv returned */
static nx_handle_t g_reply_handle;              /* if set: the handle of that first reply_recv */

/* Answers OP_INC calls on g_ep, from the one in hand (`badge` what its
 * receive returned), until OP_QUIT, which it answers last. */
static void serve_from(int64_t badge, nx_ipc_words_t *m) {
  while (badge >= 0 && m->w0 == OP_INC) badge = nx_ipc_reply_recv(g_ep, m->w1 + 1, 0, 0, 0, 0, m);
  if (badge >= 0) nx_ipc_reply(0, 0, 0, 0, 0);
}

static void serve(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  if (badge >= 0 && g_reply_handle) {
    nx_ipc_words_t unused; /* a refused syscall returns a1..a5 as passed */
    g_first_reply_recv = nx_ipc_reply_recv(g_reply_handle, m.w1 + 1, 0, 0, 0, 0, &unused);
  }
  serve_from(badge, &m);
}

static int64_t inc(nx_handle_t ep, uint64_t v) {
  nx_ipc_words_t r;
  int64_t err = nx_ipc_call(ep, OP_INC, v, 0, 0, 0, &r);
  return err < 0 ? err : (int64_t)r.w0 - (int64_t)v;
}

static void quit(nx_handle_t ep) {
  nx_ipc_words_t r;
  nx_ipc_call(ep, OP_QUIT, 0, 0, 0, 0, &r);
}

/* A fresh endpoint with serve() waiting on it at `prio` (main yields to
 * it when it is as urgent). */
static void serve_at(uint32_t prio) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  start(serve, prio);
  nx_thread_yield();
}

/* ---- Rights and the IPC buffer (ipc_fast.S: the decode) ---- */

static void refusals(void) {
  serve_at(10);
  nx_handle_t read_only = (nx_handle_t)t_ok(P, "dup", nx_handle_dup(g_ep, NX_RIGHT_READ));
  t_expect(P, "a call without the write right", inc(read_only, 1), NX_ERR_ACCESS_DENIED);
  t_ok(P, "set_ipc_buffer", nx_thread_set_ipc_buffer(0));
  t_expect(P, "a call without an IPC buffer", inc(g_ep, 2), NX_ERR_INVALID_ARGS);
  t_ok(P, "set_ipc_buffer", nx_thread_set_ipc_buffer((uintptr_t)&nx_main_ipc_buffer));
  t_expect(P, "the server still waits", inc(g_ep, 3), 1);
  nx_ipc_words_t m;
  t_expect(P, "a reply_recv that owes no reply", nx_ipc_reply_recv(g_ep, 0, 0, 0, 0, 0, &m),
           NX_ERR_NOT_FOUND);
  quit(g_ep);

  /* The server's first reply_recv names a handle without the read right:
   * refused, with its reply still owed; the next one delivers it. */
  serve_at(10);
  g_reply_handle = (nx_handle_t)t_ok(P, "dup", nx_handle_dup(g_ep, NX_RIGHT_WRITE));
  t_expect(P, "the reply after a refused reply_recv", inc(g_ep, 4), 1);
  t_expect(P, "a reply_recv without the read right", g_first_reply_recv, NX_ERR_ACCESS_DENIED);
  g_reply_handle = 0;
  quit(g_ep);
}

/* ---- A caller queued on the endpoint (reply_recv receives it at once) ---- */

static volatile int64_t g_a_got;

/* Priority 10: takes the first call, then sleeps while main queues a
 * second one; its reply_recv must return that one without blocking. */
static void sleepy_server(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  nx_nanosleep_until((uint64_t)nx_clock_get() + 5 * MS);
  serve_from(badge, &m);
}

/* Priority 9: the first caller. */
static void first_caller(void *arg) {
  (void)arg;
  g_a_got = inc(g_ep, 100);
  nx_notification_signal(g_done, 1);
}

static void queued_caller(void) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  start(sleepy_server, 10);
  nx_thread_yield(); /* it waits */
  start(first_caller, 9);
  nx_nanosleep_until((uint64_t)nx_clock_get() + 1 * MS); /* its call is taken */
  t_expect(P, "a call queued while the server was busy", inc(g_ep, 200), 1);
  wait_done(1, NEVER);
  t_expect(P, "the first call", g_a_got, 1);
  quit(g_ep);
}

/* ---- A thread more urgent than the caller woke meanwhile ---- */

static nx_handle_t g_wake;
static volatile uint32_t g_urgent_ran;
static volatile int g_urgent_first;

/* Priority 8: waits, and notes that it ran. */
static void urgent(void *arg) {
  (void)arg;
  if (nx_notification_wait(g_wake, 1, NEVER) == 1) g_urgent_ran = 1;
}

/* Priority 10: wakes `urgent` while serving, then replies. */
static void waking_server(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  nx_notification_signal(g_wake, 1); /* less urgent than this server: READY */
  serve_from(badge, &m);
}

/* Priority 6: its call returns only after `urgent` (8) ran. */
static void slow_caller(void *arg) {
  (void)arg;
  int64_t got = inc(g_ep, 5);
  g_urgent_first = got == 1 && g_urgent_ran;
  quit(g_ep);
  nx_notification_signal(g_done, 1);
}

static void more_urgent_woke(void) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  g_wake = notification();
  start(waking_server, 10);
  nx_thread_yield(); /* it waits */
  start(urgent, 8);
  start(slow_caller, 6);
  wait_done(1, NEVER);
  t_expect(P, "a more urgent thread ran before the reply came back", g_urgent_first, 1);
}

/* ---- Priority inheritance: a server less urgent than its caller ---- */

static nx_handle_t g_middle_wake;
static volatile uint32_t g_middle_runs;
static volatile int g_middle_waited, g_middle_preempted;

/* Priority 7: counts its runs, one per signal. */
static void middle(void *arg) {
  (void)arg;
  while (nx_notification_wait(g_middle_wake, 1, NEVER) == 1) g_middle_runs++;
}

/* Priority 5: serves one call from a caller of 9 (at 9, inherited: the
 * middle thread must not run while it serves), then one from a caller of
 * 3 (at its own 5 again: the middle thread preempts it at once). */
static void low_server(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  uint32_t before = g_middle_runs;
  nx_notification_signal(g_middle_wake, 1);
  g_middle_waited = g_middle_runs == before;
  if (badge >= 0) badge = nx_ipc_reply_recv(g_ep, m.w1 + 1, 0, 0, 0, 0, &m);
  before = g_middle_runs;
  nx_notification_signal(g_middle_wake, 1);
  g_middle_preempted = g_middle_runs == before + 1;
  serve_from(badge, &m);
}

static void high_caller(void *arg) {
  (void)arg;
  t_expect(P, "the call to a less urgent server", inc(g_ep, 7), 1);
  nx_notification_signal(g_done, 1);
}

static void low_caller(void *arg) {
  (void)arg;
  t_expect(P, "the next call, from a less urgent caller", inc(g_ep, 8), 1);
  quit(g_ep);
  nx_notification_signal(g_done, 1);
}

static void inheritance(void) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  g_middle_wake = notification();
  start(middle, 7);
  start(low_server, 5);
  nx_nanosleep_until((uint64_t)nx_clock_get() + 1 * MS); /* both wait */
  start(high_caller, 9);
  wait_done(1, NEVER);
  t_expect(P, "the server ran at its caller's priority", g_middle_waited, 1);
  start(low_caller, 3);
  wait_done(1, NEVER);
  t_expect(P, "the server's own priority came back with the reply", g_middle_preempted, 1);
}

/* ---- The timer for the caller's slice (a peer of its priority waits) ---- */

static volatile uint32_t g_peer_spins;
static volatile int g_stop;

/* Priority 10: serves one call after spinning past a slice (10 ms), so the
 * timer armed for the caller's slice has fired when it replies. */
static void spinning_server(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  uint64_t until = (uint64_t)nx_clock_get() + 25 * MS;
  while ((uint64_t)nx_clock_get() < until) {
  }
  serve_from(badge, &m);
}

/* Priority 8, the caller's peer: spins until told to stop. */
static void peer(void *arg) {
  (void)arg;
  while (!g_stop) g_peer_spins++;
  nx_notification_signal(g_done, 2);
}

/* Priority 8: after its call it waits for the peer to run, which only a
 * slice end armed for it lets happen. */
static void spinning_caller(void *arg) {
  (void)arg;
  t_expect(P, "the call to a spinning server", inc(g_ep, 9), 1);
  uint32_t seen = g_peer_spins;
  while (g_peer_spins == seen) {
  }
  g_stop = 1;
  quit(g_ep);
  nx_notification_signal(g_done, 1);
}

/* main waits with `deadline`: with none, the timer is disarmed once the
 * server's slice ended; with a far one, it is armed later than the slice
 * the reply needs. */
static void slice_timer(uint64_t deadline, const char *what) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  g_stop = 0;
  start(spinning_server, 10);
  nx_thread_yield(); /* it waits */
  start(spinning_caller, 8);
  start(peer, 8);
  wait_done(3, deadline);
  t_say(P ": %s: the caller's peer ran\n", what);
}

/* ---- The donated turn, at one level (a peer of that level waits) ---- */

static volatile int g_peer_ran_in_call;

/* Priority 8: serves one call, spinning (at most 500 ms) until the
 * caller's peer has run: the caller's turn, which the call donated, must
 * end on time. The fastpath arms nothing for it: the timer the scheduler
 * armed for the caller's turn (a peer waits at its level) is the
 * server's. */
static void turn_server(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  uint32_t seen = g_peer_spins;
  uint64_t until = (uint64_t)nx_clock_get() + 500 * MS;
  while (g_peer_spins == seen && (uint64_t)nx_clock_get() < until) {
  }
  g_peer_ran_in_call = g_peer_spins != seen;
  serve_from(badge, &m);
}

/* Priority 8: calls while its peer is READY (it ran first). */
static void turn_caller(void *arg) {
  (void)arg;
  while (g_peer_spins == 0) {
  }
  t_expect(P, "the call of a donated turn", inc(g_ep, 11), 1);
  g_stop = 1;
  quit(g_ep);
  nx_notification_signal(g_done, 1);
}

static void donated_turn(void) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  g_stop = 0;
  g_peer_spins = 0;
  start(turn_server, 8);
  start(peer, 8);
  start(turn_caller, 8);
  wait_done(3, NEVER); /* the server waits, the peer spins, the caller calls */
  t_expect(P, "the caller's peer ran while the server had the caller's turn", g_peer_ran_in_call,
           1);
}

/* ---- reply and recv are not reply_recv ---- */

static volatile int64_t g_recv_while_owing;

/* Priority 10: owes a reply and tries to receive (refused: BUSY), then
 * replies with ipc_reply, whose w0 (in a0, where reply_recv has its
 * endpoint) is this endpoint's handle, and goes on. */
static void replying_server(void *arg) {
  (void)arg;
  nx_ipc_words_t m, unused;
  if (nx_ipc_recv(g_ep, &m) < 0) return;
  g_recv_while_owing = nx_ipc_recv(g_ep, &unused);
  nx_ipc_reply(g_ep, m.w1 + 1, 0, 0, 0);
  nx_notification_signal(g_done, 1);
}

static void not_reply_recv(void) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  start(replying_server, 10);
  nx_thread_yield(); /* it waits */
  nx_ipc_words_t r;
  t_expect(P, "a call answered by ipc_reply", nx_ipc_call(g_ep, OP_INC, 10, 0, 0, 0, &r), 0);
  t_expect(P, "the reply's words", r.w0 == g_ep && r.w1 == 11, 1);
  wait_done(1, NEVER); /* the server went on after its reply */
  t_expect(P, "a receive while a reply is owed", g_recv_while_owing, NX_ERR_BUSY);
}

/* ---- FP state (the last case: the threads that use FP keep doing so) ----
 * Both threads use FP, so every switch between them moves FP state: the
 * fastpath takes these calls and replies and must save and load it. */

#define SERVER_FS0 0x5eedf00dull
static volatile uint32_t g_fp_wrong;
static volatile int g_fp_kept;

/* Priority 10: serves with fs0, a register the ABI keeps, holding its own
 * value, checked after each message. */
static void fp_server(void *arg) {
  (void)arg;
  __asm__ volatile("fmv.d.x fs0, %0" : : "r"(SERVER_FS0) : "fs0");
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  while (badge >= 0 && m.w0 == OP_INC) {
    uint64_t got;
    __asm__ volatile("fmv.x.d %0, fs0" : "=r"(got));
    g_fp_wrong += got != SERVER_FS0;
    badge = nx_ipc_reply_recv(g_ep, m.w1 + 1, 0, 0, 0, 0, &m);
  }
  if (badge >= 0) nx_ipc_reply(0, 0, 0, 0, 0);
}

/* One call with fs0 = `v`: whether the reply was right and fs0 came back. */
__attribute__((noinline)) static int call_keeping_fs0(uint64_t v) {
  __asm__ volatile("fmv.d.x fs0, %0" : : "r"(v) : "fs0");
  int ok = inc(g_ep, 20) == 1;
  uint64_t got;
  __asm__ volatile("fmv.x.d %0, fs0" : "=r"(got));
  return ok && got == v;
}

/* Priority 9. */
static void fp_caller(void *arg) {
  (void)arg;
  g_fp_kept = call_keeping_fs0(0x1234abcdull) && call_keeping_fs0(0x9876ull);
  quit(g_ep);
  nx_notification_signal(g_done, 1);
}

static void fp_state(void) {
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  start(fp_server, 10);
  nx_thread_yield(); /* it waits */
  start(fp_caller, 9);
  wait_done(1, NEVER);
  t_expect(P, "FP registers kept on both sides", g_fp_kept && g_fp_wrong == 0, 1);
}

/* ---- A revoke in progress (LOOKUP_HANDLE: cap_revokes_active) ---- */

/* Each round main derives a doomed capability from g_ep, and a chain of REVOKE_CHAIN
 * capabilities under it; revoke_worker revokes g_ep, which removes them
 * and leaves g_ep usable, while main, woken by a deadline partway into the
 * revoke, calls through both: a capability under a revoke in progress
 * must be refused (the C path's lookup), though a server waits. The
 * first round times the revoke; the next ones try points in it until one
 * catches it in progress (g_ep, its root, cannot be duplicated then). */
#define REVOKE_CHAIN 160
#define REVOKE_ROUNDS 24

static nx_handle_t g_go;
static volatile uint64_t g_revoke_start, g_revoke_took;
static volatile int g_rounds_over;

/* Priority 4: each round, from g_revoke_start, revokes g_ep and times it. */
static void revoke_worker(void *arg) {
  (void)arg;
  while (nx_notification_wait(g_go, 1, NEVER) >= 0 && !g_rounds_over) {
    while ((uint64_t)nx_clock_get() < g_revoke_start) {
    }
    uint64_t t0 = (uint64_t)nx_clock_get();
    t_expect(P, "the revoke's count", nx_handle_revoke(g_ep), REVOKE_CHAIN + 1);
    g_revoke_took = (uint64_t)nx_clock_get() - t0;
    nx_notification_signal(g_done, 1);
  }
  nx_notification_signal(g_done, 1);
}

/* At `at`: whether g_ep's revoke is in progress, and if so the calls. */
static int probe_revoke(uint64_t at, nx_handle_t doomed) {
  nx_nanosleep_until(at);
  int64_t dup = nx_handle_dup(g_ep, NX_RIGHT_WRITE);
  if (dup >= 0) nx_handle_close((nx_handle_t)dup); /* before or after it: no catch */
  if (dup != NX_ERR_BUSY) return 0;
  t_expect(P, "a call through a capability being revoked", inc(doomed, 1), NX_ERR_BAD_HANDLE);
  t_expect(P, "a call through the revoke's root", inc(g_ep, 2), 1);
  return 1;
}

static void revoke_in_progress(void) {
  serve_at(10);
  g_go = notification();
  start(revoke_worker, 4);
  int caught = 0, round = 0;
  for (; round < REVOKE_ROUNDS && !caught; round++) {
    const uint32_t rights = NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE;
    nx_handle_t doomed = (nx_handle_t)t_ok(P, "dup", nx_handle_dup(g_ep, rights));
    nx_handle_t h = doomed;
    for (int i = 0; i < REVOKE_CHAIN; i++)
      h = (nx_handle_t)t_ok(P, "dup", nx_handle_dup(h, rights));
    g_revoke_start = (uint64_t)nx_clock_get() + 2 * MS;
    nx_notification_signal(g_go, 1);
    if (round > 0) {
      caught = probe_revoke(g_revoke_start + g_revoke_took * (uint64_t)(1 + round % 7) / 8, doomed);
    }
    wait_done(1, NEVER);
  }
  g_rounds_over = 1;
  nx_notification_signal(g_go, 1);
  wait_done(1, NEVER);
  quit(g_ep);
  t_expect(P, "a round that caught the revoke in progress", caught, 1);
  t_say(P
        ": a revoke in progress: refused what it revokes, served through its root (after %d "
        "rounds)\n",
        round);
}

int nx_main(const nx_start_info_t *start_info) {
  t_log = start_info->log;
  g_done = notification();
  refusals();
  queued_caller();
  more_urgent_woke();
  inheritance();
  slice_timer(NEVER, "no deadline armed");
  slice_timer((uint64_t)nx_clock_get() + 1000000 * MS, "a deadline far away armed");
  donated_turn();
  not_reply_recv();
  fp_state();
  revoke_in_progress();
  t_say(P ": done, %d failures\n", t_failures);
  return t_failures != 0;
}
