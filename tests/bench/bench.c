/*
 * The kernel benchmarks, run under QEMU with -icount shift=0 so that
 * rdinstret counts guest instructions exactly. Prints one line a metric:
 *   BENCH <name> <unit> <min> <median> <max> <iterations>
 * and, for a metric it could not measure, one line
 *   BENCH-SKIP <name> <reason>
 * (tools/bench/report.py turns them into the table and JSON, and says what
 * each metric measures). Runs with bench_peer, a task of the same priority
 * that yields back and forth, and starts app/bench_server (bench_ipc.h) for
 * the IPC benchmarks between address spaces.
 *
 * Each timed sample is an rdinstret delta minus what two back-to-back
 * rdinstret reads cost; a sample's setup (filling in a message's bytes,
 * draining a channel, unmapping) stays outside it. Every operation's result is
 * checked: a failure or a wrong answer skips that metric with the reason.
 */
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/kernel_stats.h"
#include "neuron/runtime.h"
#include "tests/bench/bench_ipc.h"

#define SAMPLES 501
#define WARMUP 8

/* The kernel starts boot programs at this priority; bench's threads and
 * bench_server run at it too, the signalling thread one below. */
#define PRIO 10

/* Where the VMO benchmarks map (far from the program, its stack at the top
 * of user space and everything else). */
#define MAP_VA_4K 0x10000000ull
#define MAP_VA_2M 0x20000000ull
#define SIZE_4K 4096ull
#define SIZE_2M (2ull << 20)

#define STACK_BYTES 8192

/* An answer that is not the one asked for (for the skip message). */
#define WRONG_RESULT (-1000)

static nx_handle_t g_log;
static uint64_t g_overhead;
static uint64_t g_samples[SAMPLES];

/* The same-task server thread's IPC buffer (the main thread's is the
 * runtime's, nx_main_ipc_buffer: 4 KiB calls send and receive in it). */
static nx_ipc_buffer_t g_thread_ipc_buffer;

static uint8_t g_server_stack[STACK_BYTES] __attribute__((aligned(16)));
static uint8_t g_waiter_stack[STACK_BYTES] __attribute__((aligned(16)));
static uint8_t g_signaller_stack[STACK_BYTES] __attribute__((aligned(16)));

/* Keeps the compiler from moving a sample's setup into the timed region. */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

static void sort(uint64_t *v, int n) {
  for (int i = 1; i < n; i++) {
    uint64_t x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void report(const char *name, const char *unit, uint64_t *v, int n) {
  sort(v, n);
  char line[160];
  snprintf(line, sizeof line, "BENCH %s %s %llu %llu %llu %d\n", name, unit,
           (unsigned long long)v[0], (unsigned long long)v[n / 2], (unsigned long long)v[n - 1], n);
  nx_log_str(g_log, line);
}

static void report_one(const char *name, const char *unit, uint64_t value) {
  uint64_t v = value;
  report(name, unit, &v, 1);
}

/* A total over n operations, as one value per operation. */
static void report_per_op(const char *name, const char *unit, uint64_t total, int n) {
  uint64_t v = total / (uint64_t)n;
  char line[160];
  snprintf(line, sizeof line, "BENCH %s %s %llu %llu %llu %d\n", name, unit, (unsigned long long)v,
           (unsigned long long)v, (unsigned long long)v, n);
  nx_log_str(g_log, line);
}

/* Says why metric `name` is missing; returns -1 for the benchmark to return. */
static int skip(const char *name, const char *what, int64_t err) {
  char line[200];
  const char *why = err == WRONG_RESULT ? "wrong result" : nx_error_name((int)err);
  snprintf(line, sizeof line, "BENCH-SKIP %s %s: %s\n", name, what, why);
  nx_log_str(g_log, line);
  return -1;
}

/* What two back-to-back rdinstret reads cost, subtracted from samples. */
static uint64_t rdinstret_overhead(void) {
  uint64_t a = nx_rdinstret();
  uint64_t b = nx_rdinstret();
  return b - a;
}

static nx_kernel_stats_t stats(void) {
  nx_kernel_stats_t s = {0};
  nx_kernel_stats((uintptr_t)&s, sizeof s);
  return s;
}

static uint64_t stack_top(uint8_t *stack) { return (uint64_t)(uintptr_t)(stack + STACK_BYTES); }

/* ---- Scheduler and syscall ---- */

/* Thread switch through yield: each sample is a yield that runs the peer
 * (which yields straight back), so it holds two switches. */
static int bench_yield(void) {
  for (int i = 0; i < SAMPLES; i++) {
    uint64_t t0 = nx_rdinstret();
    nx_thread_yield();
    uint64_t t1 = nx_rdinstret();
    g_samples[i] = (t1 - t0 - g_overhead) / 2;
  }
  report("sched.yield_switch", "instructions", g_samples, SAMPLES);
  return 0;
}

static int bench_null(void) {
  for (int i = 0; i < SAMPLES; i++) {
    uint64_t t0 = nx_rdinstret();
    nx_null();
    uint64_t t1 = nx_rdinstret();
    g_samples[i] = t1 - t0 - g_overhead;
  }
  report("syscall.null", "instructions", g_samples, SAMPLES);
  return 0;
}

/* ---- Handles ---- */

/* handle_dup of a notification handle, then handle_close of the copy. */
static int bench_dup_close(void) {
  const char *name = "handle.dup_close";
  int64_t n = nx_notification_create();
  if (n < 0) return skip(name, "notification_create", n);
  for (int i = 0; i < SAMPLES; i++) {
    uint64_t t0 = nx_rdinstret();
    int64_t h = nx_handle_dup((nx_handle_t)n, NX_RIGHT_SIGNAL);
    int64_t err = h < 0 ? h : nx_handle_close((nx_handle_t)h);
    uint64_t t1 = nx_rdinstret();
    if (h < 0) return skip(name, "handle_dup", h);
    if (err < 0) return skip(name, "handle_close", err);
    g_samples[i] = t1 - t0 - g_overhead;
  }
  nx_handle_close((nx_handle_t)n);
  report(name, "instructions", g_samples, SAMPLES);
  return 0;
}

/* ---- IPC ---- */

/* One channel_send of a message (four words, no handles) into an empty
 * channel with no notification bound; the channel_recv that drains it is
 * not counted. */
static int bench_oneway(void) {
  const char *name = "ipc.oneway";
  int64_t ch = nx_channel_create(1);
  if (ch < 0) return skip(name, "channel_create", ch);
  for (int i = 0; i < SAMPLES; i++) {
    uint64_t w = (uint64_t)i;
    barrier();
    uint64_t t0 = nx_rdinstret();
    int64_t err = nx_channel_send((nx_handle_t)ch, w, w + 1, w + 2, w + 3, 0);
    uint64_t t1 = nx_rdinstret();
    if (err < 0) return skip(name, "channel_send", err);
    nx_ipc_words_t got = {0};
    err = nx_channel_recv((nx_handle_t)ch, &got);
    if (err < 0) return skip(name, "channel_recv", err);
    if (got.w0 != w || got.w1 != w + 1 || got.w2 != w + 2 || got.w3 != w + 3 || got.info != 0)
      return skip(name, "channel_recv", WRONG_RESULT);
    g_samples[i] = t1 - t0 - g_overhead;
  }
  nx_handle_close((nx_handle_t)ch);
  report(name, "instructions", g_samples, SAMPLES);
  return 0;
}

/* One call and its reply, timed around ipc_call on the client's side. With
 * len 0 the call is words only (the fastpath); else it carries the first
 * len bytes of this thread's IPC buffer, which come back in the reply (into
 * the same place). Returns the instructions, or a negative error. */
static int64_t timed_call(nx_handle_t ep, uint64_t op, uint64_t value, uint32_t len) {
  nx_ipc_words_t msg;
  uint64_t info = nx_msg_info(0, len);
  barrier();
  uint64_t t0 = nx_rdinstret();
  int64_t err = nx_ipc_call(ep, op, value, 0, 0, info, &msg);
  uint64_t t1 = nx_rdinstret();
  if (err < 0) return err;
  if (msg.w0 != value + 1 || msg.info != info) return WRONG_RESULT;
  return (int64_t)(t1 - t0 - g_overhead);
}

/* Times SAMPLES calls of len bytes (after a warm-up) and reports them. */
static int bench_calls(const char *name, nx_handle_t ep, uint32_t len) {
  for (int i = -WARMUP; i < SAMPLES; i++) {
    int64_t v = timed_call(ep, BENCH_OP_ECHO, (uint64_t)i + WARMUP, len);
    if (v < 0) return skip(name, "ipc_call", v);
    if (i >= 0) g_samples[i] = (uint64_t)v;
  }
  report(name, "instructions", g_samples, SAMPLES);
  return 0;
}

/* Tells a server to stop (it replies, then ends). */
static void stop_server(nx_handle_t ep) { timed_call(ep, BENCH_OP_QUIT, 0, 0); }

__attribute__((noreturn)) static void server_thread(uint64_t ep) {
  int64_t err = nx_thread_set_ipc_buffer((uintptr_t)&g_thread_ipc_buffer);
  nx_thread_exit(err < 0 ? err : bench_serve((nx_handle_t)ep, &g_thread_ipc_buffer));
}

/* Call and reply between two threads of this task (one address space). */
static int bench_call_same_as(void) {
  const char *name = "ipc.call_reply.same_as";
  int64_t ep = nx_endpoint_create();
  if (ep < 0) return skip(name, "endpoint_create", ep);
  int64_t t = nx_thread_create((uint64_t)(uintptr_t)server_thread, stack_top(g_server_stack),
                               (uint64_t)ep, PRIO);
  if (t < 0) return skip(name, "thread_create", t);
  nx_thread_yield(); /* the server reaches its receive */
  int err = bench_calls(name, (nx_handle_t)ep, 0);
  stop_server((nx_handle_t)ep);
  return err;
}

/* ---- IPC between threads that use FP ---- */

/* Two threads of this task whose FP state the kernel keeps (each used FP,
 * and each uses it again between messages, so it is dirty at every
 * switch): the same round trip as same_as, with FP registers saved and
 * loaded at both switches. The main thread never uses FP, so the other
 * benchmarks keep their FP-free paths. What the two threads use lives in a
 * VMO mapped for them at FP_BENCH_VA, not in the image: the 4k copy's cost
 * depends on where the image's IPC buffers fall in their pages, which new
 * variables here would move. */
typedef struct fp_bench {
  nx_ipc_buffer_t ipc[2]; /* the server's, the client's */
  uint8_t stacks[2][STACK_BYTES] __attribute__((aligned(16)));
  nx_handle_t ep, done;
  int64_t err;
  double sink;       /* keeps the FP work from being optimized away */
  volatile int stop; /* the yield benchmark's end */
} fp_bench_t;

#define FP_BENCH_VA 0x30000000ull
#define FP_BENCH_SIZE ((sizeof(fp_bench_t) + SIZE_4K - 1) & ~(SIZE_4K - 1))

/* Serves ECHO calls with an FP addition per message, until QUIT. */
__attribute__((noreturn)) static void fp_server_thread(uint64_t arg) {
  fp_bench_t *b = (fp_bench_t *)(uintptr_t)arg;
  nx_ipc_words_t msg;
  int64_t r = nx_thread_set_ipc_buffer((uintptr_t)&b->ipc[0]);
  if (r >= 0) r = nx_ipc_recv(b->ep, &msg);
  double acc = 0;
  while (r >= 0 && msg.w0 != BENCH_OP_QUIT) {
    acc += (double)msg.w1;
    r = nx_ipc_reply_recv(b->ep, msg.w1 + 1, 0, 0, 0, 0, &msg);
  }
  if (r >= 0) nx_ipc_reply(msg.w1 + 1, 0, 0, 0, 0);
  b->sink = acc;
  nx_thread_exit(0);
}

/* Times the calls, with an FP addition before each (outside the sample). */
__attribute__((noreturn)) static void fp_client_thread(uint64_t arg) {
  fp_bench_t *b = (fp_bench_t *)(uintptr_t)arg;
  int64_t err = nx_thread_set_ipc_buffer((uintptr_t)&b->ipc[1]);
  double acc = 0;
  for (int i = -WARMUP; err >= 0 && i < SAMPLES; i++) {
    acc += (double)i;
    b->sink = acc;
    int64_t v = timed_call(b->ep, BENCH_OP_ECHO, (uint64_t)i + WARMUP, 0);
    if (v < 0) err = v;
    if (v >= 0 && i >= 0) g_samples[i] = (uint64_t)v;
  }
  b->err = err;
  stop_server(b->ep);
  nx_notification_signal(b->done, 1);
  nx_thread_exit(0);
}

/* Runs the two threads on a fresh endpoint; the caller mapped b. */
static int run_fp_threads(const char *name, fp_bench_t *b) {
  uint64_t arg = (uint64_t)(uintptr_t)b;
  int64_t t =
      nx_thread_create((uint64_t)(uintptr_t)fp_server_thread, stack_top(b->stacks[0]), arg, PRIO);
  if (t < 0) return skip(name, "thread_create", t);
  nx_thread_yield(); /* the server reaches its receive */
  t = nx_thread_create((uint64_t)(uintptr_t)fp_client_thread, stack_top(b->stacks[1]), arg, PRIO);
  if (t < 0) return skip(name, "thread_create", t);
  int64_t bits = nx_notification_wait(b->done, 1, NX_DEADLINE_NEVER);
  if (bits < 0) return skip(name, "notification_wait (done)", bits);
  if (b->err < 0) return skip(name, "ipc_call", b->err);
  report(name, "instructions", g_samples, SAMPLES);
  return 0;
}

static int bench_call_fp(void) {
  const char *name = "ipc.call_reply.fp";
  int64_t vmo = nx_vmo_create(FP_BENCH_SIZE, 0);
  if (vmo < 0) return skip(name, "vmo_create", vmo);
  int64_t err =
      nx_vmo_map((nx_handle_t)vmo, FP_BENCH_VA, 0, FP_BENCH_SIZE, NX_RIGHT_READ | NX_RIGHT_WRITE);
  if (err < 0) return skip(name, "vmo_map", err);
  fp_bench_t *b = (fp_bench_t *)(uintptr_t)FP_BENCH_VA;
  int64_t ep = nx_endpoint_create();
  int64_t done = nx_notification_create();
  if (ep < 0 || done < 0) return skip(name, "endpoint/notification_create", ep < 0 ? ep : done);
  b->ep = (nx_handle_t)ep;
  b->done = (nx_handle_t)done;
  err = run_fp_threads(name, b);
  nx_handle_close((nx_handle_t)ep);
  nx_handle_close((nx_handle_t)done);
  nx_vmo_unmap(FP_BENCH_VA);
  nx_handle_close((nx_handle_t)vmo);
  return (int)err;
}

/* Two threads of this task that use FP yield to each other: each sample is
 * a yield that runs the peer (which adds and yields straight back), two
 * switches with FP state saved and loaded at each, as sched.yield_switch
 * is without FP. */
__attribute__((noreturn)) static void fp_yield_peer(uint64_t arg) {
  fp_bench_t *b = (fp_bench_t *)(uintptr_t)arg;
  double acc = 0;
  while (!b->stop) {
    acc += 1.0;
    b->sink = acc;
    nx_thread_yield();
  }
  nx_thread_exit(0);
}

__attribute__((noreturn)) static void fp_yield_timer(uint64_t arg) {
  fp_bench_t *b = (fp_bench_t *)(uintptr_t)arg;
  double acc = 0;
  for (int i = -WARMUP; i < SAMPLES; i++) {
    acc += (double)i;
    b->sink = acc;
    barrier();
    uint64_t t0 = nx_rdinstret();
    nx_thread_yield();
    uint64_t t1 = nx_rdinstret();
    if (i >= 0) g_samples[i] = (t1 - t0 - g_overhead) / 2;
  }
  b->stop = 1;
  nx_thread_yield(); /* the peer sees stop and ends */
  nx_notification_signal(b->done, 1);
  nx_thread_exit(0);
}

static int bench_yield_fp(void) {
  const char *name = "sched.yield_switch.fp";
  int64_t vmo = nx_vmo_create(FP_BENCH_SIZE, 0);
  if (vmo < 0) return skip(name, "vmo_create", vmo);
  int64_t err =
      nx_vmo_map((nx_handle_t)vmo, FP_BENCH_VA, 0, FP_BENCH_SIZE, NX_RIGHT_READ | NX_RIGHT_WRITE);
  if (err < 0) return skip(name, "vmo_map", err);
  fp_bench_t *b = (fp_bench_t *)(uintptr_t)FP_BENCH_VA;
  int64_t done = nx_notification_create();
  if (done < 0) return skip(name, "notification_create", done);
  b->done = (nx_handle_t)done;
  uint64_t arg = (uint64_t)(uintptr_t)b;
  int64_t t =
      nx_thread_create((uint64_t)(uintptr_t)fp_yield_peer, stack_top(b->stacks[0]), arg, PRIO);
  if (t >= 0) {
    t = nx_thread_create((uint64_t)(uintptr_t)fp_yield_timer, stack_top(b->stacks[1]), arg, PRIO);
  }
  if (t < 0) return skip(name, "thread_create", t);
  int64_t bits = nx_notification_wait(b->done, 1, NX_DEADLINE_NEVER);
  if (bits < 0) return skip(name, "notification_wait (done)", bits);
  nx_handle_close((nx_handle_t)done);
  nx_vmo_unmap(FP_BENCH_VA);
  nx_handle_close((nx_handle_t)vmo);
  report(name, "instructions", g_samples, SAMPLES);
  return 0;
}

/* Call and reply with app/bench_server, another task (address space):
 * words only on the fastpath, then 4 KiB each way. Also reports what the
 * kernel copied per round trip, from kernel_stats. */
static int bench_call_cross_as(const nx_start_info_t *start) {
  const char *name = "ipc.call_reply.cross_as";
  static const char program[] = "bench_server";
  int64_t ep = nx_endpoint_create();
  if (ep < 0) return skip(name, "endpoint_create", ep);
  int64_t task = nx_task_create(start->bootfs, (uintptr_t)program, sizeof program - 1, PRIO, 512);
  if (task < 0) return skip(name, "task_create", task);
  nx_start_info_t info = {0};
  int64_t h = nx_task_give((nx_handle_t)task, (nx_handle_t)ep, NX_RIGHT_READ);
  if (h < 0) return skip(name, "task_give", h);
  info.h0 = (nx_handle_t)h;
  h = nx_task_give((nx_handle_t)task, start->log, NX_RIGHT_WRITE);
  info.log = h < 0 ? 0 : (nx_handle_t)h; /* the server only logs errors */
  int64_t err = nx_task_start((nx_handle_t)task, (uintptr_t)&info);
  if (err < 0) return skip(name, "task_start", err);
  nx_thread_yield(); /* the server reaches its receive */

  nx_kernel_stats_t s0 = stats();
  if (bench_calls(name, (nx_handle_t)ep, 0) != 0) {
    stop_server((nx_handle_t)ep);
    return -1;
  }
  nx_kernel_stats_t s1 = stats();
  report_per_op("ipc.kernel_copy_bytes", "bytes", s1.ipc_copy_bytes - s0.ipc_copy_bytes,
                SAMPLES + WARMUP);

  /* 4 KiB: first check that the bytes really travel (the server inverts
   * them), then time echoes. */
  const char *name_4k = "ipc.call_reply.4k";
  uint8_t *bytes = nx_main_ipc_buffer.bytes;
  for (int i = 0; i < NX_MSG_BUF_MAX; i++) bytes[i] = (uint8_t)(i * 7);
  err = timed_call((nx_handle_t)ep, BENCH_OP_INVERT, 1, NX_MSG_BUF_MAX);
  for (int i = 0; err >= 0 && i < NX_MSG_BUF_MAX; i++) {
    if (bytes[i] != (uint8_t) ~(uint8_t)(i * 7)) err = WRONG_RESULT;
  }
  if (err < 0) {
    skip(name_4k, "ipc_call with 4096 bytes", err);
  } else {
    s0 = stats();
    if (bench_calls(name_4k, (nx_handle_t)ep, NX_MSG_BUF_MAX) == 0) {
      s1 = stats();
      report_per_op("ipc.kernel_copy_bytes_4k", "bytes", s1.ipc_copy_bytes - s0.ipc_copy_bytes,
                    SAMPLES + WARMUP);
    }
  }
  stop_server((nx_handle_t)ep);
  nx_handle_close((nx_handle_t)task);
  nx_handle_close((nx_handle_t)ep);
  return 0;
}

/* ---- Notifications ---- */

static nx_handle_t g_note;          /* what the signaller raises and the waiter waits on */
static nx_handle_t g_done;          /* the signaller's "finished" to the main thread */
static volatile uint64_t g_woke_at; /* rdinstret right after the waiter's wait returned */
static volatile uint32_t g_wakes;
static volatile int g_stop;
static volatile int64_t g_notify_err;
static const char *g_notify_what;

/* x + 1 as a double, in its bits: an FP addition, out of line so that a
 * caller that does not call it executes no FP instruction. */
__attribute__((noinline)) static uint64_t fp_add_one(uint64_t x) {
  double d;
  __builtin_memcpy(&d, &x, sizeof d);
  d += 1.0;
  __builtin_memcpy(&x, &d, sizeof x);
  return x;
}

/* Priority PRIO: waits, records when it woke, waits again; with `fp` set,
 * it also adds in an FP register after each wake (a thread that uses FP,
 * whose FP registers every switch to it loads). */
__attribute__((noreturn)) static void waiter_thread(uint64_t fp) {
  volatile uint64_t acc = 0; /* volatile: the additions are not optimized away */
  for (;;) {
    int64_t bits = nx_notification_wait(g_note, 1, NX_DEADLINE_NEVER);
    g_woke_at = nx_rdinstret();
    if (bits != 1) {
      g_notify_err = bits < 0 ? bits : WRONG_RESULT;
      g_notify_what = "notification_wait";
      break;
    }
    g_wakes++;
    if (g_stop) break;
    if (fp) acc = fp_add_one(acc);
  }
  nx_thread_exit(0);
}

/* Priority PRIO - 1: each signal must run the waiter before it returns. */
__attribute__((noreturn)) static void signaller_thread(uint64_t arg) {
  (void)arg;
  for (int i = -WARMUP; i < SAMPLES && !g_notify_err; i++) {
    uint32_t before = g_wakes;
    barrier();
    uint64_t t0 = nx_rdinstret();
    int64_t err = nx_notification_signal(g_note, 1);
    if (err < 0) {
      g_notify_err = err;
      g_notify_what = "notification_signal";
    } else if (!g_notify_err && g_wakes != before + 1) {
      g_notify_err = WRONG_RESULT;
      g_notify_what = "the waiter did not run at once";
    } else if (i >= 0) {
      g_samples[i] = g_woke_at - t0 - g_overhead;
    }
  }
  g_stop = 1;
  nx_notification_signal(g_note, 1);
  nx_notification_signal(g_done, 1);
  nx_thread_exit(0);
}

/* A signal that wakes a more urgent waiting thread, through the switch to
 * it: from before notification_signal to the waiter's first instruction
 * after its notification_wait returns. The two threads run on the stacks
 * given (which no thread may still be using); `fp`: the waiter uses FP. */
static int run_signal_wait(const char *name, uint8_t *waiter_stack, uint8_t *signaller_stack,
                           uint64_t fp) {
  int64_t note = nx_notification_create();
  int64_t done = nx_notification_create();
  if (note < 0 || done < 0) return skip(name, "notification_create", note < 0 ? note : done);
  g_note = (nx_handle_t)note;
  g_done = (nx_handle_t)done;
  g_wakes = 0;
  g_stop = 0;
  g_notify_err = 0;
  int64_t t =
      nx_thread_create((uint64_t)(uintptr_t)waiter_thread, stack_top(waiter_stack), fp, PRIO);
  if (t < 0) return skip(name, "thread_create", t);
  t = nx_thread_create((uint64_t)(uintptr_t)signaller_thread, stack_top(signaller_stack), 0,
                       PRIO - 1);
  if (t < 0) return skip(name, "thread_create", t);
  /* Blocking here lets the waiter reach its wait, then the signaller run. */
  int64_t bits = nx_notification_wait(g_done, 1, NX_DEADLINE_NEVER);
  if (bits < 0) return skip(name, "notification_wait (done)", bits);
  if (g_notify_err) return skip(name, g_notify_what, g_notify_err);
  nx_handle_close(g_note);
  nx_handle_close(g_done);
  report(name, "instructions", g_samples, SAMPLES);
  return 0;
}

static int bench_signal_wait(void) {
  return run_signal_wait("notify.signal_wait", g_waiter_stack, g_signaller_stack, 0);
}

/* The same to a waiter that uses FP, on stacks in a VMO (the image's are
 * the threads' above, which may not have ended yet). */
static int bench_signal_wait_fp(void) {
  const char *name = "notify.signal_wait.fp";
  int64_t vmo = nx_vmo_create(FP_BENCH_SIZE, 0);
  if (vmo < 0) return skip(name, "vmo_create", vmo);
  int64_t err =
      nx_vmo_map((nx_handle_t)vmo, FP_BENCH_VA, 0, FP_BENCH_SIZE, NX_RIGHT_READ | NX_RIGHT_WRITE);
  if (err < 0) return skip(name, "vmo_map", err);
  fp_bench_t *b = (fp_bench_t *)(uintptr_t)FP_BENCH_VA;
  err = run_signal_wait(name, b->stacks[0], b->stacks[1], 1);
  nx_vmo_unmap(FP_BENCH_VA);
  nx_handle_close((nx_handle_t)vmo);
  return (int)err;
}

/* ---- VMOs ---- */

/* vmo_map of a 4 KiB VMO and the vmo_unmap of it, timed apart. */
static int bench_map_4k(void) {
  int64_t vmo = nx_vmo_create(SIZE_4K, 0);
  if (vmo < 0) return skip("vmo.map_4k", "vmo_create", vmo);
  /* Once: the mapping shows the VMO's page. */
  int64_t err = nx_vmo_map((nx_handle_t)vmo, MAP_VA_4K, 0, SIZE_4K, NX_RIGHT_READ | NX_RIGHT_WRITE);
  if (err < 0) return skip("vmo.map_4k", "vmo_map", err);
  *(volatile uint64_t *)(uintptr_t)MAP_VA_4K = 0x5eed;
  uint64_t back = 0;
  err = nx_vmo_read((nx_handle_t)vmo, 0, (uintptr_t)&back, sizeof back);
  if (err >= 0 && back != 0x5eed) err = WRONG_RESULT;
  if (err < 0) return skip("vmo.map_4k", "vmo_read through the mapping", err);
  err = nx_vmo_unmap(MAP_VA_4K);
  if (err < 0) return skip("vmo.map_4k", "vmo_unmap", err);

  static uint64_t unmap_samples[SAMPLES];
  for (int i = 0; i < SAMPLES; i++) {
    barrier();
    uint64_t t0 = nx_rdinstret();
    err = nx_vmo_map((nx_handle_t)vmo, MAP_VA_4K, 0, SIZE_4K, NX_RIGHT_READ | NX_RIGHT_WRITE);
    uint64_t t1 = nx_rdinstret();
    if (err < 0) return skip("vmo.map_4k", "vmo_map", err);
    int64_t uerr = nx_vmo_unmap(MAP_VA_4K);
    uint64_t t2 = nx_rdinstret();
    if (uerr < 0) return skip("vmo.unmap_4k", "vmo_unmap", uerr);
    g_samples[i] = t1 - t0 - g_overhead;
    unmap_samples[i] = t2 - t1 - g_overhead;
  }
  nx_handle_close((nx_handle_t)vmo);
  report("vmo.map_4k", "instructions", g_samples, SAMPLES);
  report("vmo.unmap_4k", "instructions", unmap_samples, SAMPLES);
  return 0;
}

/* vmo_map of a 2 MiB contiguous VMO at a 2 MiB-aligned address: one 2 MiB
 * leaf (a paged VMO's pages are only contiguous by chance). */
static int bench_map_2m(void) {
  const char *name = "vmo.map_2m";
  int64_t vmo = nx_vmo_create(SIZE_2M, NX_VMO_CONTIGUOUS);
  if (vmo == NX_ERR_NO_MEMORY) {
    return skip(name,
                "vmo_create(2 MiB, contiguous) exceeds the task's memory quota "
                "(8 MiB)",
                vmo);
  }
  if (vmo < 0) return skip(name, "vmo_create(2 MiB, contiguous)", vmo);
  for (int i = 0; i < SAMPLES; i++) {
    barrier();
    uint64_t t0 = nx_rdinstret();
    int64_t err =
        nx_vmo_map((nx_handle_t)vmo, MAP_VA_2M, 0, SIZE_2M, NX_RIGHT_READ | NX_RIGHT_WRITE);
    uint64_t t1 = nx_rdinstret();
    if (err < 0) return skip(name, "vmo_map", err);
    err = nx_vmo_unmap(MAP_VA_2M);
    if (err < 0) return skip(name, "vmo_unmap", err);
    g_samples[i] = t1 - t0 - g_overhead;
  }
  nx_handle_close((nx_handle_t)vmo);
  report(name, "instructions", g_samples, SAMPLES);
  return 0;
}

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  g_log = log;
  g_overhead = rdinstret_overhead();

  bench_yield();
  bench_null();
  bench_dup_close();
  bench_oneway();
  bench_call_same_as();
  bench_call_cross_as(start);
  bench_signal_wait();
  bench_map_4k();
  bench_map_2m();
  bench_call_fp();
  bench_yield_fp();
  bench_signal_wait_fp();

  /* Idle: the other threads and tasks have ended (the peer after its
   * yields, the servers when told to stop, the notification threads after
   * their last signal); sleep 2 s of virtual time and count timer
   * interrupts that woke no one. */
  nx_kernel_stats_t before = stats();
  nx_nanosleep_until((uint64_t)nx_clock_get() + 2000000000ull);
  nx_kernel_stats_t after = stats();
  report_one("idle.timer_irqs_per_s", "irqs/s",
             (after.timer_irqs_idle - before.timer_irqs_idle) / 2);
  report_one("idle.timer_irqs_total_2s", "irqs", after.timer_irqs - before.timer_irqs);
  report_one("boot.to_init", "instructions", after.boot_instret);
  nx_log_str(log, "bench: done\n");
  return 0;
}
