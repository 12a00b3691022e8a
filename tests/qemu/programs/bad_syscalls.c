/*
 * Passes garbage to every syscall and checks that each is refused with the
 * right error or succeeds as documented, and that the task and the kernel
 * go on. First fixed edge cases, each with the exact error the ABI
 * documents; then every syscall number 0 .. NX_SYS_COUNT-1 gets rounds of
 * arguments drawn from edge values (0, ~0, kernel and unaligned addresses,
 * huge sizes, 64-bit values where 32 bits are expected), real handles of
 * every type (half the time one of the type the syscall wants, so the
 * checks behind the handle lookup are reached too) and random numbers from
 * a fixed seed (every run is the same); each result must be an error (< 0)
 * or that syscall's documented success value.
 *
 * Left out of the random rounds, by design: thread_exit and task_exit (they
 * end the caller), and anything that would block for good: nanosleep_until
 * and the waits get deadlines in the past (they only poll); ipc_call gets a
 * real endpoint only with an info word it must refuse or without an IPC
 * buffer, and ipc_recv only without an IPC buffer (nobody would answer),
 * while ipc_reply_recv may, since its reply fails first with no call to
 * answer. thread_set_ipc_buffer may succeed (0, or this program's scratch
 * buffer, which takes what IPC writes); the IPC buffer is restored after
 * the rounds. thread_create always gets a priority
 * it must refuse, so no thread starts at a random address, and handle_close
 * never gets one of the real handles (the rounds keep their objects). The
 * debug log never appears in the rounds (garbage on the console could
 * forge a marker). Prints a FAIL line per mismatch and a summary the QEMU
 * test looks for.
 */
#include "neuron/runtime.h"
#include "tests/qemu/programs/test_util.h"

#define P "bad_syscalls"
#define ROUNDS 64
#define KERNEL_TEXT 0xffffffff80200000ul
#define KERNEL_DIRECT 0xffffffc080000000ul
#define USER_TOP 0x4000000000ul
#define UNMAPPED 0x2000000000ul
#define MAP_VA 0x3000000000ul

static int g_failures;

static void check(const char *what, int64_t got, int64_t want) {
  if (got != want) {
    g_failures++;
    t_say(P ": FAIL %s: got %lld (%s), want %lld (%s)\n", what, (long long)got, t_err(got),
          (long long)want, t_err(want));
  }
}

static int64_t raw6(uint64_t n, const uint64_t a[6]) {
  register uint64_t r0 __asm__("a0") = a[0];
  register uint64_t r1 __asm__("a1") = a[1];
  register uint64_t r2 __asm__("a2") = a[2];
  register uint64_t r3 __asm__("a3") = a[3];
  register uint64_t r4 __asm__("a4") = a[4];
  register uint64_t r5 __asm__("a5") = a[5];
  register uint64_t r7 __asm__("a7") = n;
  /* The ABI returns ra, t0-t6 and a1-a7 zeroed: all clobbered here. */
  __asm__ volatile("ecall"
                   : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r7)
                   :
                   : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6", "memory");
  return (int64_t)r0;
}

static int64_t raw_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2) {
  const uint64_t a[6] = {a0, a1, a2, 0, 0, 0};
  return raw6(n, a);
}

/* ---- Fixed edge cases ---- */

/* Garbage may point into the first two pages; the third takes what a
 * syscall writes past them (at most one VMO page from scratch + 8190). */
static char scratch[3 * 4096] __attribute__((aligned(4096)));
static const char rodata_msg[] = "ok\n";

static void core_edges(nx_handle_t log) {
  static char stats[64];
  const uintptr_t msg = (uintptr_t)rodata_msg;
  check("unknown syscall", raw_syscall(NX_SYS_COUNT, 0, 0, 0), NX_ERR_BAD_SYSCALL);
  check("huge syscall number", raw_syscall(~0ull, 1, 2, 3), NX_ERR_BAD_SYSCALL);
  check("syscall number 2^32", raw_syscall(1ull << 32, 0, 0, 0), NX_ERR_BAD_SYSCALL);
  check("handle 0", nx_debug_write(0, msg, 3), NX_ERR_BAD_HANDLE);
  check("forged handle", nx_debug_write(log + 100, msg, 3), NX_ERR_BAD_HANDLE);
  check("stale generation", nx_debug_write(log ^ 0x10000u, msg, 3), NX_ERR_BAD_HANDLE);
  check("64-bit handle", raw_syscall(NX_SYS_DEBUG_WRITE, (1ull << 32) | log, msg, 3),
        NX_ERR_BAD_HANDLE);
  check("null buffer", nx_debug_write(log, 0, 3), NX_ERR_BAD_ADDRESS);
  check("unmapped buffer", nx_debug_write(log, UNMAPPED, 3), NX_ERR_BAD_ADDRESS);
  check("kernel buffer", nx_debug_write(log, KERNEL_TEXT, 3), NX_ERR_BAD_ADDRESS);
  check("wrapping buffer", nx_debug_write(log, ~0ul - 1, 3), NX_ERR_BAD_ADDRESS);
  check("too long", nx_debug_write(log, msg, 100000), NX_ERR_INVALID_ARGS);
  check("stats into read-only data", nx_kernel_stats(msg, 8), NX_ERR_BAD_ADDRESS);
  check("stats into kernel", nx_kernel_stats(KERNEL_DIRECT, 8), NX_ERR_BAD_ADDRESS);
  check("stats ok", nx_kernel_stats((uintptr_t)stats, sizeof stats) > 0, 1);
  check("sleep in the past", nx_nanosleep_until(0), 0);
  check("write ok", nx_debug_write(log, msg, 3), 3);
}

static void handle_edges(nx_handle_t vmo) {
  check("dup: undefined rights", nx_handle_dup(vmo, 1u << 9), NX_ERR_INVALID_ARGS);
  check("dup: 64-bit rights", raw_syscall(NX_SYS_HANDLE_DUP, vmo, 1ull << 32, 0),
        NX_ERR_INVALID_ARGS);
  check("dup: 64-bit handle", raw_syscall(NX_SYS_HANDLE_DUP, (1ull << 32) | vmo, 1, 0),
        NX_ERR_BAD_HANDLE);
  check("mint: badge 0", nx_handle_mint(vmo, NX_RIGHT_READ, 0), NX_ERR_INVALID_ARGS);
  check("close: handle 0", nx_handle_close(0), NX_ERR_BAD_HANDLE);
  check("close: ~0", raw_syscall(NX_SYS_HANDLE_CLOSE, ~0ull, 0, 0), NX_ERR_BAD_HANDLE);
  check("revoke: slot past the table", nx_handle_revoke(0x1ffffu), NX_ERR_BAD_HANDLE);
  check("revoke: nothing derived", nx_handle_revoke(vmo), 0);
}

static void vmo_edges(nx_handle_t vmo) {
  const uintptr_t buf = (uintptr_t)scratch;
  check("vmo_create: size 0", nx_vmo_create(0, 0), NX_ERR_INVALID_ARGS);
  check("vmo_create: unknown flag", nx_vmo_create(4096, 2), NX_ERR_INVALID_ARGS);
  check("vmo_create: 64-bit flags", raw_syscall(NX_SYS_VMO_CREATE, 4096, 1ull << 32, 0),
        NX_ERR_INVALID_ARGS);
  check("vmo_create: ~0 bytes", nx_vmo_create(~0ull, 0), NX_ERR_OUT_OF_RANGE);
  check("vmo_create: over the quota", nx_vmo_create(1ull << 30, 0), NX_ERR_NO_MEMORY);
  check("vmo_read: past the end", nx_vmo_read(vmo, 4096, buf, 1), NX_ERR_OUT_OF_RANGE);
  check("vmo_read: wrapping offset", nx_vmo_read(vmo, ~0ull, buf, 2), NX_ERR_OUT_OF_RANGE);
  check("vmo_read: huge length", nx_vmo_read(vmo, 0, buf, 1ull << 62), NX_ERR_BAD_ADDRESS);
  check("vmo_read: into kernel", nx_vmo_read(vmo, 0, KERNEL_TEXT, 8), NX_ERR_BAD_ADDRESS);
  check("vmo_read: into read-only data", nx_vmo_read(vmo, 0, (uintptr_t)rodata_msg, 2),
        NX_ERR_BAD_ADDRESS);
  check("vmo_write: from kernel", nx_vmo_write(vmo, 0, KERNEL_DIRECT, 8), NX_ERR_BAD_ADDRESS);
  check("vmo_read: unaligned, across a page", nx_vmo_read(vmo, 3, buf + 4093, 9), 9);
  check("vmo_map: unaligned va", nx_vmo_map(vmo, MAP_VA + 1, 0, 4096, NX_RIGHT_READ),
        NX_ERR_INVALID_ARGS);
  check("vmo_map: size 0", nx_vmo_map(vmo, MAP_VA, 0, 0, NX_RIGHT_READ), NX_ERR_INVALID_ARGS);
  check("vmo_map: write and execute",
        nx_vmo_map(vmo, MAP_VA, 0, 4096, NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_EXECUTE) < 0, 1);
  check("vmo_map: past the VMO", nx_vmo_map(vmo, MAP_VA, 4096, 4096, NX_RIGHT_READ),
        NX_ERR_OUT_OF_RANGE);
  check("vmo_map: kernel va", nx_vmo_map(vmo, KERNEL_TEXT, 0, 4096, NX_RIGHT_READ),
        NX_ERR_OUT_OF_RANGE);
  check("vmo_map: over the top of user space",
        nx_vmo_map(vmo, USER_TOP - 4096, 0, 8192, NX_RIGHT_READ) < 0, 1);
  check("vmo_map: over this program", nx_vmo_map(vmo, 0x10000, 0, 4096, NX_RIGHT_READ),
        NX_ERR_INVALID_ARGS);
  check("vmo_unmap: nothing there", nx_vmo_unmap(UNMAPPED), NX_ERR_NOT_FOUND);
  check("vmo_unmap: kernel va", nx_vmo_unmap(KERNEL_TEXT), NX_ERR_NOT_FOUND);
  check("vmo_map", nx_vmo_map(vmo, MAP_VA, 0, 4096, NX_RIGHT_READ), NX_OK);
  check("vmo_map: the range is taken", nx_vmo_map(vmo, MAP_VA, 0, 4096, NX_RIGHT_READ),
        NX_ERR_INVALID_ARGS);
  check("vmo_unmap: not the start", nx_vmo_unmap(MAP_VA + 4096), NX_ERR_NOT_FOUND);
  check("vmo_unmap", nx_vmo_unmap(MAP_VA), NX_OK);
}

/* This thread's IPC buffer (set by the runtime): the handles a message
 * sends are read from it. */
static nx_ipc_buffer_t *const ipcb = &nx_main_ipc_buffer;

static void ipc_edges(nx_handle_t ep, nx_handle_t vmo) {
  nx_ipc_words_t out;
  check("ipc_call: 5 handles", nx_ipc_call(ep, 0, 0, 0, 0, nx_msg_info(5, 0), &out),
        NX_ERR_OUT_OF_RANGE);
  check("ipc_call: 255 handles", nx_ipc_call(ep, 0, 0, 0, 0, 0xff, &out), NX_ERR_OUT_OF_RANGE);
  check("ipc_call: too many bytes",
        nx_ipc_call(ep, 0, 0, 0, 0, nx_msg_info(0, NX_MSG_BUF_MAX + 1), &out), NX_ERR_OUT_OF_RANGE);
  check("ipc_call: 65535 bytes", nx_ipc_call(ep, 0, 0, 0, 0, nx_msg_info(0, 0xffff), &out),
        NX_ERR_OUT_OF_RANGE);
  check("ipc_call: info bit 8", nx_ipc_call(ep, 0, 0, 0, 0, 1ull << 8, &out), NX_ERR_INVALID_ARGS);
  check("ipc_call: info bit 15", nx_ipc_call(ep, 0, 0, 0, 0, 1ull << 15, &out),
        NX_ERR_INVALID_ARGS);
  check("ipc_call: info bit 32", nx_ipc_call(ep, 0, 0, 0, 0, 1ull << 32, &out),
        NX_ERR_INVALID_ARGS);
  check("ipc_call: info bit 63", nx_ipc_call(ep, 0, 0, 0, 0, 1ull << 63, &out),
        NX_ERR_INVALID_ARGS);
  check("ipc_call: info ~0", nx_ipc_call(ep, 0, 0, 0, 0, ~0ull, &out), NX_ERR_INVALID_ARGS);
  ipcb->handles[0] = 0x12345;
  check("ipc_call: forged handle in the message",
        nx_ipc_call(ep, 0, 0, 0, 0, nx_msg_info(1, 0), &out), NX_ERR_BAD_HANDLE);
  ipcb->handles[0] = vmo;
  ipcb->handles[1] = vmo;
  check("ipc_call: one handle twice", nx_ipc_call(ep, 0, 0, 0, 0, nx_msg_info(2, 0), &out),
        NX_ERR_INVALID_ARGS);
  check("ipc_reply: 5 handles", nx_ipc_reply(0, 0, 0, 0, nx_msg_info(5, 0)), NX_ERR_OUT_OF_RANGE);
  check("ipc_reply: info bit 40", nx_ipc_reply(0, 0, 0, 0, 1ull << 40), NX_ERR_INVALID_ARGS);
  check("ipc_reply: nobody to answer", nx_ipc_reply(0, 0, 0, 0, 0), NX_ERR_NOT_FOUND);
  check("ipc_reply_recv: nobody to answer", nx_ipc_reply_recv(ep, 0, 0, 0, 0, 0, &out),
        NX_ERR_NOT_FOUND);
  check("ipc_reply_recv: too many bytes",
        nx_ipc_reply_recv(ep, 0, 0, 0, 0, nx_msg_info(0, NX_MSG_BUF_MAX + 1), &out),
        NX_ERR_OUT_OF_RANGE);
  check("ipc_call on a VMO", nx_ipc_call(vmo, 0, 0, 0, 0, 0, &out), NX_ERR_WRONG_TYPE);
  /* Still usable after all that: the endpoint was never left half-changed. */
  check("the VMO handle was not moved", nx_vmo_read(vmo, 0, (uintptr_t)scratch + 512, 4), 4);
}

static void channel_edges(nx_handle_t ch, nx_handle_t n) {
  nx_ipc_words_t out;
  check("channel_create: depth 0", nx_channel_create(0), NX_ERR_INVALID_ARGS);
  check("channel_create: too deep", nx_channel_create(NX_CHANNEL_DEPTH_MAX + 1),
        NX_ERR_INVALID_ARGS);
  check("channel_send: with bytes", nx_channel_send(ch, 0, 0, 0, 0, nx_msg_info(0, 1)),
        NX_ERR_OUT_OF_RANGE);
  check("channel_send: 5 handles", nx_channel_send(ch, 0, 0, 0, 0, nx_msg_info(5, 0)),
        NX_ERR_OUT_OF_RANGE);
  check("channel_send: info bit 63", nx_channel_send(ch, 0, 0, 0, 0, 1ull << 63),
        NX_ERR_INVALID_ARGS);
  ipcb->handles[0] = 0x12345;
  check("channel_send: forged handle", nx_channel_send(ch, 0, 0, 0, 0, nx_msg_info(1, 0)),
        NX_ERR_BAD_HANDLE);
  check("channel_recv: empty", nx_channel_recv(ch, &out), NX_ERR_NOT_FOUND);
  check("channel_bind: bit 0", nx_channel_bind(ch, n, 0), NX_ERR_INVALID_ARGS);
  check("channel_bind: two bits", nx_channel_bind(ch, n, 3), NX_ERR_INVALID_ARGS);
  check("channel_bind: bit 63", nx_channel_bind(ch, n, 1ull << 63), NX_ERR_INVALID_ARGS);
  check("channel_bind: to a channel", nx_channel_bind(ch, ch, 1), NX_ERR_WRONG_TYPE);
}

/* ---- IPC buffers ---- */

/* Read-only data (initialised, so not in .bss), aligned like a buffer. */
static const uint8_t ro_buffer[NX_IPC_BUFFER_SIZE] __attribute__((aligned(64))) = {1};

static uint64_t fresh_stack[1024] __attribute__((aligned(16)));
static volatile int64_t g_fresh_call = 1, g_fresh_recv = 1;
static volatile int g_fresh_done;

/* A thread that never set an IPC buffer: its IPC is refused, never blocks. */
static void __attribute__((noreturn)) fresh_thread(uint64_t ep) {
  nx_ipc_words_t out;
  g_fresh_call = nx_ipc_call((nx_handle_t)ep, 0, 0, 0, 0, 0, &out);
  g_fresh_recv = nx_ipc_recv((nx_handle_t)ep, &out);
  g_fresh_done = 1;
  nx_thread_exit(0);
}

static void ipc_buffer_edges(nx_handle_t ep, nx_handle_t ch) {
  const uintptr_t mine = (uintptr_t)ipcb;
  nx_ipc_words_t out;
  /* Refused: not 64-byte aligned, not mapped, not writable, not user memory. */
  check("ipc buffer: unaligned", nx_thread_set_ipc_buffer(mine + 8), NX_ERR_INVALID_ARGS);
  check("ipc buffer: odd", nx_thread_set_ipc_buffer(mine + 1), NX_ERR_INVALID_ARGS);
  check("ipc buffer: unmapped", nx_thread_set_ipc_buffer(UNMAPPED), NX_ERR_BAD_ADDRESS);
  check("ipc buffer: page 0", nx_thread_set_ipc_buffer(64), NX_ERR_BAD_ADDRESS);
  check("ipc buffer: read-only", nx_thread_set_ipc_buffer((uintptr_t)ro_buffer),
        NX_ERR_BAD_ADDRESS);
  check("ipc buffer: program text", nx_thread_set_ipc_buffer(0x10000), NX_ERR_BAD_ADDRESS);
  check("ipc buffer: kernel", nx_thread_set_ipc_buffer(KERNEL_DIRECT), NX_ERR_BAD_ADDRESS);
  check("ipc buffer: kernel text", nx_thread_set_ipc_buffer(KERNEL_TEXT), NX_ERR_BAD_ADDRESS);
  check("ipc buffer: across the end of user space", nx_thread_set_ipc_buffer(USER_TOP - 64),
        NX_ERR_BAD_ADDRESS);
  check("ipc buffer: wrapping", nx_thread_set_ipc_buffer(~0ull << 6), NX_ERR_BAD_ADDRESS);
  /* A refused buffer changed nothing: the runtime's still works. */
  ipcb->handles[0] = 0;
  check("channel_send after the refusals", nx_channel_send(ch, 5, 6, 7, 8, 0), NX_OK);
  check("channel_recv after the refusals", nx_channel_recv(ch, &out), NX_OK);
  check("the words", out.w0 == 5 && out.w1 == 6 && out.w2 == 7 && out.w3 == 8 && out.info == 0, 1);

  /* No IPC buffer (0 removes it): every IPC syscall is refused. */
  check("ipc buffer: 0", nx_thread_set_ipc_buffer(0), NX_OK);
  check("ipc_call without an IPC buffer", nx_ipc_call(ep, 0, 0, 0, 0, 0, &out),
        NX_ERR_INVALID_ARGS);
  check("ipc_recv without an IPC buffer", nx_ipc_recv(ep, &out), NX_ERR_INVALID_ARGS);
  check("ipc_reply_recv without an IPC buffer", nx_ipc_reply_recv(ep, 0, 0, 0, 0, 0, &out),
        NX_ERR_INVALID_ARGS);
  check("ipc_reply without an IPC buffer", nx_ipc_reply(0, 0, 0, 0, 0), NX_ERR_INVALID_ARGS);
  check("channel_send without an IPC buffer", nx_channel_send(ch, 0, 0, 0, 0, 0),
        NX_ERR_INVALID_ARGS);
  check("channel_recv without an IPC buffer", nx_channel_recv(ch, &out), NX_ERR_INVALID_ARGS);
  check("ipc buffer: 0 twice", nx_thread_set_ipc_buffer(0), NX_OK);
  check("ipc buffer: the runtime's again", nx_thread_set_ipc_buffer(mine), NX_OK);
  check("channel_recv: empty again", nx_channel_recv(ch, &out), NX_ERR_NOT_FOUND);

  /* A new thread starts without one. */
  int64_t t = nx_thread_create((uintptr_t)fresh_thread,
                               (uintptr_t)(fresh_stack + sizeof fresh_stack / 8), ep, 10);
  check("thread_create", t > 0, 1);
  for (int i = 0; t > 0 && i < 100 && !g_fresh_done; i++) nx_thread_yield();
  check("a new thread's ipc_call", g_fresh_call, NX_ERR_INVALID_ARGS);
  check("a new thread's ipc_recv", g_fresh_recv, NX_ERR_INVALID_ARGS);

  /* Checked again at each use: a buffer whose memory went away. */
  int64_t v = nx_vmo_create(2 * 4096ull, 0);
  check("vmo_create", v > 0, 1);
  if (v <= 0) return;
  nx_handle_t vmo = (nx_handle_t)v;
  check("map one page", nx_vmo_map(vmo, MAP_VA, 0, 4096, NX_RIGHT_READ | NX_RIGHT_WRITE), NX_OK);
  check("ipc buffer: its last 64 bytes unmapped", nx_thread_set_ipc_buffer(MAP_VA),
        NX_ERR_BAD_ADDRESS);
  check("unmap", nx_vmo_unmap(MAP_VA), NX_OK);
  check("map read-only", nx_vmo_map(vmo, MAP_VA, 0, 2 * 4096ull, NX_RIGHT_READ), NX_OK);
  check("ipc buffer: mapped read-only", nx_thread_set_ipc_buffer(MAP_VA), NX_ERR_BAD_ADDRESS);
  check("unmap", nx_vmo_unmap(MAP_VA), NX_OK);
  check("map", nx_vmo_map(vmo, MAP_VA, 0, 2 * 4096ull, NX_RIGHT_READ | NX_RIGHT_WRITE), NX_OK);
  check("ipc buffer: a mapped VMO", nx_thread_set_ipc_buffer(MAP_VA), NX_OK);
  check("unmap the buffer", nx_vmo_unmap(MAP_VA), NX_OK);
  check("ipc_call: bytes from an unmapped buffer",
        nx_ipc_call(ep, 0, 0, 0, 0, nx_msg_info(0, 8), &out), NX_ERR_BAD_ADDRESS);
  check("ipc_call: handles from an unmapped buffer",
        nx_ipc_call(ep, 0, 0, 0, 0, nx_msg_info(1, 0), &out), NX_ERR_BAD_ADDRESS);
  check("channel_send: handles from an unmapped buffer",
        nx_channel_send(ch, 0, 0, 0, 0, nx_msg_info(1, 0)), NX_ERR_BAD_ADDRESS);
  check("ipc buffer: back to the runtime's", nx_thread_set_ipc_buffer(mine), NX_OK);
  check("close the VMO", nx_handle_close(vmo), NX_OK);
}

static void notify_edges(nx_handle_t n, nx_handle_t ws) {
  check("signal: no bits", nx_notification_signal(n, 0), NX_ERR_INVALID_ARGS);
  check("signal: bit 63", nx_notification_signal(n, 1ull << 63), NX_ERR_INVALID_ARGS);
  check("wait: empty mask", nx_notification_wait(n, 0, 0), NX_ERR_INVALID_ARGS);
  check("wait: ~0 mask", nx_notification_wait(n, ~0ull, 0), NX_ERR_INVALID_ARGS);
  check("wait: poll", nx_notification_wait(n, 1, 0), NX_ERR_TIMED_OUT);
  check("wait: deadline in the past", nx_notification_wait(n, 1, 1), NX_ERR_TIMED_OUT);
  check("waitset_wait: empty set", nx_waitset_wait(ws, 0, (uintptr_t)scratch), NX_ERR_INVALID_ARGS);
  check("waitset_add: empty mask", nx_waitset_add(ws, n, 0), NX_ERR_INVALID_ARGS);
  check("waitset_add: a wait set as the notification", nx_waitset_add(ws, ws, 1),
        NX_ERR_WRONG_TYPE);
  check("waitset_remove: slot 16", nx_waitset_remove(ws, 16), NX_ERR_INVALID_ARGS);
  check("waitset_remove: free slot", nx_waitset_remove(ws, 3), NX_ERR_NOT_FOUND);
  check("waitset_add", nx_waitset_add(ws, n, 6), 0);
  check("waitset_add: the same notification", nx_waitset_add(ws, n, 1), NX_ERR_INVALID_ARGS);
  check("waitset_wait: bits into kernel", nx_waitset_wait(ws, 0, KERNEL_TEXT), NX_ERR_BAD_ADDRESS);
  check("waitset_wait: poll", nx_waitset_wait(ws, 0, (uintptr_t)scratch), NX_ERR_TIMED_OUT);
  check("signal", nx_notification_signal(n, 2), NX_OK);
  check("waitset_wait: slot 0 fires", nx_waitset_wait(ws, 0, (uintptr_t)scratch), 0);
  check("waitset_wait: the bits", (int64_t) * (uint64_t *)scratch, 2);
  check("waitset_remove", nx_waitset_remove(ws, 0), NX_OK);
  check("interrupt_bind: not an interrupt", nx_interrupt_bind(n, n, 1), NX_ERR_WRONG_TYPE);
  check("interrupt_ack: not an interrupt", nx_interrupt_ack(ws), NX_ERR_WRONG_TYPE);
}

static void task_edges(nx_handle_t bootfs, nx_handle_t n) {
  static const char name[] = "bad_syscalls";
  const uintptr_t nm = (uintptr_t)name;
  check("task_create: empty name", nx_task_create(bootfs, nm, 0, 1, 512), NX_ERR_INVALID_ARGS);
  check("task_create: long name", nx_task_create(bootfs, nm, NX_TASK_NAME_MAX + 1, 1, 512) < 0, 1);
  check("task_create: name in kernel", nx_task_create(bootfs, KERNEL_TEXT, 4, 1, 512),
        NX_ERR_BAD_ADDRESS);
  check("task_create: priority 32", nx_task_create(bootfs, nm, 4, 32, 512), NX_ERR_INVALID_ARGS);
  check("task_create: bin/ programs are not apps",
        nx_task_create(bootfs, nm, sizeof name - 1, 1, 512), NX_ERR_NOT_FOUND);
  check("task_create: quota 0", nx_task_create(bootfs, nm, sizeof name - 1, 1, 0),
        NX_ERR_INVALID_ARGS);
  check("task_create: quota above ours",
        nx_task_create(bootfs, nm, sizeof name - 1, 1, 0xffffffffu), NX_ERR_OUT_OF_RANGE);
  const uint64_t q[6] = {bootfs, nm, sizeof name - 1, 1, (1ull << 32) | 512, 0};
  check("task_create: 64-bit quota", raw6(NX_SYS_TASK_CREATE, q), NX_ERR_INVALID_ARGS);
  check("task_create: not a VMO", nx_task_create(n, nm, 4, 1, 512), NX_ERR_WRONG_TYPE);
  check("task_give: not a task", nx_task_give(n, n, 0), NX_ERR_WRONG_TYPE);
  check("task_start: not a task", nx_task_start(bootfs, (uintptr_t)scratch), NX_ERR_WRONG_TYPE);
  check("thread_create: entry 0", nx_thread_create(0, USER_TOP - 4096, 0, 1), NX_ERR_INVALID_ARGS);
  check("thread_create: kernel entry", nx_thread_create(KERNEL_TEXT, USER_TOP - 4096, 0, 1),
        NX_ERR_INVALID_ARGS);
  check("thread_create: unaligned stack", nx_thread_create(0x10000, USER_TOP - 4095, 0, 1),
        NX_ERR_INVALID_ARGS);
  check("thread_create: kernel stack", nx_thread_create(0x10000, KERNEL_DIRECT, 0, 1),
        NX_ERR_INVALID_ARGS);
  check("thread_create: priority 32", nx_thread_create(0x10000, USER_TOP - 4096, 0, 32),
        NX_ERR_INVALID_ARGS);
  check("thread_create: above the caller", nx_thread_create(0x10000, USER_TOP - 4096, 0, 11),
        NX_ERR_ACCESS_DENIED);
  const uint64_t a[6] = {0x10000, USER_TOP - 4096, 0, (1ull << 32) | 1, 0, 0};
  check("thread_create: 64-bit priority", raw6(NX_SYS_THREAD_CREATE, a), NX_ERR_INVALID_ARGS);
}

/* ---- Random rounds over every syscall ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Real handles the rounds use; handle_close never gets these. */
static nx_handle_t pool[6];

static int is_pool(uint64_t v) {
  for (unsigned i = 0; i < sizeof pool / sizeof pool[0]; i++) {
    if (v == pool[i]) return 1;
  }
  return 0;
}

static uint64_t garbage(void) {
  static const uint64_t edges[] = {
      0,
      1,
      2,
      7,
      0xff,
      0xfff,
      0x1000,
      4096,
      4097,
      0x7fffffff,
      0x80000000,
      0xffffffff,
      1ull << 32,
      USER_TOP,
      USER_TOP - 1,
      USER_TOP - 8,
      UNMAPPED,
      KERNEL_DIRECT,
      KERNEL_TEXT,
      1ull << 62,
      1ull << 63,
      0x7fffffffffffffffull,
      ~0ull,
      ~0ull - 1,
      0x10100, /* in this program's text; not a handle (slot 256) */
  };
  uint64_t r = next_random();
  switch (r % 8) {
    case 0:
    case 1:
    case 2:
      return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 3:
      return pool[(r >> 8) % (sizeof pool / sizeof pool[0])];
    case 4: /* a buffer of ours: aligned, unaligned, near its end */
      return (uintptr_t)scratch + ((r >> 8) % 3 == 0 ? 0 : (r >> 8) % 3 == 1 ? 1 : 8190);
    case 5: /* a small number */
      return (r >> 8) & 0xff;
    case 6: /* a 32-bit value above 2 GiB: unmapped, and never a live handle */
      return 0x80000000u | (uint32_t)(r >> 16);
    default:
      return next_random();
  }
}

/* The pool handle that fits each syscall's handle arguments a0 and a1
 * (pool[type - 1]; ANY: any of them; NONE: not a handle, or none of that
 * type in the pool), so that half the time the rounds get past the handle
 * lookup to the checks behind it. */
enum { NONE, VMO, EP, NTF, WS, CH, BOOTFS, ANY };
static const unsigned char typed[NX_SYS_COUNT][2] = {
    [NX_SYS_HANDLE_DUP] = {ANY, NONE},
    [NX_SYS_HANDLE_MINT] = {ANY, NONE},
    [NX_SYS_HANDLE_REVOKE] = {ANY, NONE},
    [NX_SYS_VMO_READ] = {VMO, NONE},
    [NX_SYS_VMO_WRITE] = {VMO, NONE},
    [NX_SYS_VMO_MAP] = {VMO, NONE},
    [NX_SYS_IPC_CALL] = {EP, NONE},
    [NX_SYS_IPC_RECV] = {EP, NONE},
    [NX_SYS_IPC_REPLY_RECV] = {EP, NONE},
    [NX_SYS_CHANNEL_SEND] = {CH, NONE},
    [NX_SYS_CHANNEL_RECV] = {CH, NONE},
    [NX_SYS_CHANNEL_BIND] = {CH, NTF},
    [NX_SYS_NOTIFICATION_SIGNAL] = {NTF, NONE},
    [NX_SYS_NOTIFICATION_WAIT] = {NTF, NONE},
    [NX_SYS_WAITSET_ADD] = {WS, NTF},
    [NX_SYS_WAITSET_REMOVE] = {WS, NONE},
    [NX_SYS_WAITSET_WAIT] = {WS, NONE},
    [NX_SYS_INTERRUPT_BIND] = {NONE, NTF},
    [NX_SYS_TASK_CREATE] = {BOOTFS, NONE},
    [NX_SYS_TASK_GIVE] = {NONE, ANY},
};

/* Info words ipc_call must refuse: too many handles or bytes, reserved bits. */
static const uint64_t bad_infos[] = {5,
                                     0xff,
                                     (NX_MSG_BUF_MAX + 1ull) << 16,
                                     0xffffull << 16,
                                     1ull << 8,
                                     1ull << 15,
                                     1ull << 32,
                                     1ull << 63,
                                     ~0ull};

/* The IPC buffer the rounds' IPC syscalls run with (thread_set_ipc_buffer
 * may change it: to 0 or to scratch). */
static uint64_t g_ipc_buffer;

/* Fits args to the rules in the header comment; returns whether the call
 * must run without an IPC buffer. */
static int sanitize(unsigned nr, uint64_t a[6]) {
  for (unsigned i = 0; i < 2; i++) {
    unsigned t = typed[nr][i];
    uint64_t r = next_random();
    if (t == NONE || r % 2) continue;
    a[i] = pool[t == ANY ? (r >> 8) % (sizeof pool / sizeof pool[0]) : t - 1];
  }
  switch (nr) {
    case NX_SYS_NANOSLEEP_UNTIL:
      a[0] &= 0xffff; /* in the past: boot took longer than 65 us */
      break;
    case NX_SYS_NOTIFICATION_WAIT:
      a[2] &= 0xffff;
      break;
    case NX_SYS_WAITSET_WAIT:
      a[1] &= 0xffff;
      break;
    case NX_SYS_IPC_CALL:
      /* A real endpoint only with an info word it refuses, or no buffer. */
      if (a[0] != pool[EP - 1]) break;
      if (a[5] % 4 == 0) return 1;
      a[5] = bad_infos[(a[5] >> 2) % (sizeof bad_infos / sizeof bad_infos[0])];
      break;
    case NX_SYS_IPC_RECV:
      return a[0] == pool[EP - 1]; /* a real endpoint only without a buffer */
    case NX_SYS_HANDLE_CLOSE:
      if (is_pool(a[0])) a[0] = 0x12345;
      break;
    case NX_SYS_THREAD_CREATE:
      a[3] = 11 + (a[3] & 0xffff); /* above our priority (10): always refused */
      break;
    default:
      break;
  }
  return 0;
}

static int creates_handle(unsigned nr) {
  switch (nr) {
    case NX_SYS_HANDLE_DUP:
    case NX_SYS_HANDLE_MINT:
    case NX_SYS_VMO_CREATE:
    case NX_SYS_ENDPOINT_CREATE:
    case NX_SYS_CHANNEL_CREATE:
    case NX_SYS_NOTIFICATION_CREATE:
    case NX_SYS_WAITSET_CREATE:
    case NX_SYS_TASK_CREATE:
      return 1;
    default:
      return 0;
  }
}

/* Whether `r` (>= 0) is what syscall `nr` documents as success for `a`. */
static int documented_success(unsigned nr, const uint64_t a[6], int64_t r) {
  uint64_t u = (uint64_t)r;
  if (creates_handle(nr)) return u > 0 && u <= 0xffffffffu;
  switch (nr) {
    case NX_SYS_NULL:
    case NX_SYS_THREAD_YIELD:
    case NX_SYS_NANOSLEEP_UNTIL:
    case NX_SYS_HANDLE_CLOSE:
    case NX_SYS_VMO_MAP:
    case NX_SYS_VMO_UNMAP:
    case NX_SYS_CHANNEL_SEND:
    case NX_SYS_CHANNEL_RECV:
    case NX_SYS_CHANNEL_BIND:
    case NX_SYS_NOTIFICATION_SIGNAL:
    case NX_SYS_WAITSET_REMOVE:
    case NX_SYS_INTERRUPT_BIND:
    case NX_SYS_INTERRUPT_ACK:
    case NX_SYS_TASK_START:
    case NX_SYS_IPC_REPLY:
    case NX_SYS_THREAD_SET_IPC_BUFFER:
      return r == 0;
    case NX_SYS_DEBUG_WRITE:
      return u == a[2];
    case NX_SYS_CLOCK_GET:
    case NX_SYS_HANDLE_REVOKE:
      return 1;
    case NX_SYS_KERNEL_STATS:
      return u == (a[1] < sizeof(nx_kernel_stats_t) ? a[1] : sizeof(nx_kernel_stats_t));
    case NX_SYS_VMO_READ:
    case NX_SYS_VMO_WRITE:
      return u == a[3];
    case NX_SYS_NOTIFICATION_WAIT:
      return u != 0 && (u & ~a[1]) == 0;
    case NX_SYS_WAITSET_ADD:
    case NX_SYS_WAITSET_WAIT:
      return u < 16;
    case NX_SYS_TASK_GIVE:
      return u > 0 && u <= 0xffffffffu;
    default: /* ipc_call/recv/reply_recv cannot succeed with nobody on the other side;
              * thread_create always gets a priority it must refuse */
      return 0;
  }
}

static void random_rounds(void) {
  unsigned calls = 0, refused = 0, succeeded = 0;
  for (unsigned nr = 0; nr < NX_SYS_COUNT; nr++) {
    if (nr == NX_SYS_THREAD_EXIT || nr == NX_SYS_TASK_EXIT) continue;
    for (unsigned round = 0; round < ROUNDS; round++) {
      uint64_t a[6];
      for (unsigned i = 0; i < 6; i++) a[i] = garbage();
      int no_buffer = sanitize(nr, a);
      if (no_buffer) nx_thread_set_ipc_buffer(0);
      int64_t r = raw6(nr, a);
      if (no_buffer) nx_thread_set_ipc_buffer(g_ipc_buffer);
      if (nr == NX_SYS_THREAD_SET_IPC_BUFFER && r == 0) g_ipc_buffer = a[0];
      calls++;
      if (r < 0) {
        refused++;
        continue;
      }
      succeeded++;
      if (!documented_success(nr, a, r)) {
        g_failures++;
        t_say(P ": FAIL syscall %u (%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) returned %lld\n", nr,
              (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
              (unsigned long long)a[3], (unsigned long long)a[4], (unsigned long long)a[5],
              (long long)r);
      }
      /* Undo what succeeded, so the table and the address space stay roomy. */
      if (creates_handle(nr) || nr == NX_SYS_TASK_GIVE) {
        if (nr != NX_SYS_TASK_GIVE) nx_handle_close((nx_handle_t)r);
      } else if (nr == NX_SYS_VMO_MAP) {
        nx_vmo_unmap(a[1]);
      }
    }
  }
  t_say(P ": %u garbage calls over syscalls 0..%u: %u refused, %u succeeded as documented\n", calls,
        NX_SYS_COUNT - 1, refused, succeeded);
}

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  t_log = log;
  for (unsigned i = 0; i < sizeof scratch; i++) scratch[i] = (char)0xa5;

  core_edges(log);
  nx_handle_t vmo = (nx_handle_t)nx_vmo_create(4096, 0);
  nx_handle_t ep = (nx_handle_t)nx_endpoint_create();
  nx_handle_t n = (nx_handle_t)nx_notification_create();
  nx_handle_t ws = (nx_handle_t)nx_waitset_create();
  nx_handle_t ch = (nx_handle_t)nx_channel_create(4);
  check("objects made", vmo > 0 && ep > 0 && n > 0 && ws > 0 && ch > 0, 1);
  handle_edges(vmo);
  vmo_edges(vmo);
  ipc_edges(ep, vmo);
  channel_edges(ch, n);
  ipc_buffer_edges(ep, ch);
  notify_edges(n, ws);
  task_edges(start->bootfs, n);

  pool[VMO - 1] = vmo;
  pool[EP - 1] = ep;
  pool[NTF - 1] = n;
  pool[WS - 1] = ws;
  pool[CH - 1] = ch;
  pool[BOOTFS - 1] = start->bootfs;
  for (unsigned i = 0; i < sizeof scratch; i++) scratch[i] = (char)0xa5;
  /* No real handle waits in the IPC buffer for a random send to move. */
  for (unsigned i = 0; i < NX_MSG_HANDLES; i++) ipcb->handles[i] = 0xa5a5a5a5u;
  g_ipc_buffer = (uintptr_t)ipcb;
  random_rounds();
  check("the IPC buffer back after the rounds", nx_thread_set_ipc_buffer((uintptr_t)ipcb), NX_OK);

  /* The kernel and this task are still fine. */
  static const char msg[] = "ok\n";
  check("write after the rounds", nx_debug_write(log, (uintptr_t)msg, 3), 3);
  nx_log_str(log, g_failures ? P ": FAILED\n" : P ": all refused\n");
  return g_failures;
}
