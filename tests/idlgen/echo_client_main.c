/*
 * The example protocol end to end on NEURON (bin/echo_idl): starts
 * app/echo_server with a receive-only handle to a new endpoint, calls every
 * method through the generated client functions (through a badged handle
 * too), moving notifications both ways, and sends calls the server must
 * refuse. Then it revokes and closes the endpoint, which ends the server's
 * loop. Every check that fails prints a line with FAILED.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "neuron/errors.h"
#include "neuron/runtime.h"
#include "tests/idlgen/echo_client.h"

#define P "echo_idl"
#define BADGE 0x5150

static nx_handle_t g_log;
static int g_checks, g_failures;

static void say(const char *fmt, ...) {
  char line[NX_DEBUG_WRITE_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof line) n = sizeof line - 1;
  nx_debug_write(g_log, (uintptr_t)line, (size_t)n);
}

static const char *err_name(int64_t v) { return v >= 0 ? "ok" : nx_error_name((int)v); }

static void expect(const char *what, int64_t got, int64_t want) {
  g_checks++;
  if (got == want) return;
  g_failures++;
  say(P ": FAILED %s: got %lld (%s), want %lld (%s)\n", what, (long long)got, err_name(got),
      (long long)want, err_name(want));
}

/* A notification signalled through `n` can be waited on through `w`: both
 * name the same object (and work). */
static void expect_same(const char *what, nx_handle_t n, nx_handle_t w) {
  expect(what, nx_notification_signal(n, 1ull << 3), NX_OK);
  expect(what, nx_notification_wait(w, 1ull << 3, 0), 1ll << 3);
}

static void every_method(nx_handle_t ep, nx_handle_t badged) {
  expect("ping", echo_ping(ep), NX_OK);

  echo_add_result_t sum = {0};
  expect("add", echo_add(ep, -7, 2, 4, &sum), NX_OK);
  expect("add: sum", sum.sum, -80);
  expect("add: negative", sum.negative, 1);
  expect("add with shift 64", echo_add(ep, 1, 1, 64, &sum), NX_ERR_INVALID_ARGS);

  echo_reverse_result_t rev = {0};
  static const char text[] = "hello from the client";
  expect("reverse", echo_reverse(ep, text, sizeof text - 1, &rev), NX_OK);
  char back[ECHO_REVERSE_RESULT_BYTES_MAX + 1] = {0};
  memcpy(back, rev.text, rev.text_len);
  say(P ": reverse: \"%s\", %llu vowels\n", back, (unsigned long long)rev.vowels);
  expect("reverse: text", strcmp(back, "tneilc eht morf olleh"), 0);
  static char over[ECHO_REVERSE_BYTES_MAX + 1];
  expect("reverse over the maximum", echo_reverse(ep, over, sizeof over, &rev),
         NX_ERR_INVALID_ARGS);

  nx_handle_t a = (nx_handle_t)nx_notification_create();
  nx_handle_t b = (nx_handle_t)nx_notification_create();
  nx_handle_t a_probe = (nx_handle_t)nx_handle_dup(a, NX_RIGHT_WAIT);
  nx_handle_t b_probe = (nx_handle_t)nx_handle_dup(b, NX_RIGHT_WAIT);
  echo_swap_result_t sw = {0};
  expect("swap", echo_swap(badged, 77, a, b, &sw), NX_OK);
  expect("swap: tag", sw.tag, 77);
  expect("swap: badge", (int64_t)sw.badge, BADGE);
  expect("swap: a moved out", nx_notification_signal(a, 1), NX_ERR_BAD_HANDLE);
  expect_same("swap: first is b", sw.first, b_probe);
  expect_same("swap: second is a", sw.second, a_probe);
  say(P ": swap: handles back in the other order, badge %#llx\n", (unsigned long long)sw.badge);

  echo_fetch_result_t got = {0};
  expect("fetch", echo_fetch(ep, &got), NX_OK);
  char name[64] = {0};
  memcpy(name, got.name, got.name_len < sizeof name - 1 ? got.name_len : sizeof name - 1);
  expect("fetch: name", strcmp(name, "a notification"), 0);
  expect("fetch: signal", nx_notification_signal(got.object, 1ull << 4), NX_OK);
  expect("fetch: wait", nx_notification_wait(got.object, 1ull << 4, 0), 1ll << 4);
  say(P ": fetch: \"%s\", a working handle\n", name);
}

/* Calls the generated server must refuse, sent raw; returns the status of
 * the reply to w0 (with w1..w3 and `handles` new notifications). */
static int64_t raw(nx_handle_t ep, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                   uint32_t handles) {
  for (uint32_t i = 0; i < handles; i++) {
    nx_main_ipc_buffer.handles[i] = (nx_handle_t)nx_notification_create();
  }
  nx_ipc_words_t r = {0};
  int64_t err = nx_ipc_call(ep, w0, w1, w2, w3, nx_msg_info(handles, 0), &r);
  expect("raw call", err, NX_OK);
  expect("an error reply carries nothing else", (int64_t)(r.w1 | r.w2 | r.w3 | r.info), 0);
  return err < 0 ? err : (int64_t)r.w0;
}

static void refused_calls(nx_handle_t ep) {
  int64_t version = raw(ep, ECHO_CALL_W0(ECHO_METHOD_PING) + (1ull << 32), 0, 0, 0, 0);
  int64_t method = raw(ep, ECHO_CALL_W0(4), 0, 0, 0, 0);
  int64_t narrow = raw(ep, ECHO_CALL_W0(ECHO_METHOD_ADD), 1, 2, 1ull << 32, 0);
  int64_t shape = raw(ep, ECHO_CALL_W0(ECHO_METHOD_SWAP), 0, 0, 0, 1);
  expect("another version", version, NX_ERR_INVALID_ARGS);
  expect("an unknown method", method, NX_ERR_NOT_SUPPORTED);
  expect("a u32 over 32 bits", narrow, NX_ERR_INVALID_ARGS);
  expect("one handle of two", shape, NX_ERR_BAD_FORMAT);
  say(P ": refused: version %s, method 4 %s, u32 %s, one handle of two %s\n", err_name(version),
      err_name(method), err_name(narrow), err_name(shape));
}

int nx_main(const nx_start_info_t *start) {
  g_log = start->log;
  nx_handle_t ep = (nx_handle_t)nx_endpoint_create();
  static const char name[] = "echo_server";
  int64_t task = nx_task_create(start->bootfs, (uintptr_t)name, sizeof name - 1, 10, 512);
  expect("task_create", task < 0 ? task : 0, 0);
  if (task < 0) return 1;
  nx_start_info_t info = {0};
  info.log = (nx_handle_t)nx_task_give((nx_handle_t)task, start->log, NX_RIGHT_WRITE);
  info.h0 = (nx_handle_t)nx_task_give((nx_handle_t)task, ep, NX_RIGHT_READ);
  expect("task_start", nx_task_start((nx_handle_t)task, (uintptr_t)&info), NX_OK);
  int64_t badged = nx_handle_mint(ep, NX_RIGHT_WRITE, BADGE);
  expect("mint", badged < 0 ? badged : 0, 0);

  every_method(ep, (nx_handle_t)badged);
  refused_calls(ep);

  /* The server's handle goes with the revoke, ours with the close: the
   * endpoint is gone and the server's loop ends. */
  expect("revoke", nx_handle_revoke(ep) >= 2, 1);
  expect("close", nx_handle_close(ep), NX_OK);
  if (g_failures) {
    say(P ": FAILED %d of %d checks\n", g_failures, g_checks);
    return 1;
  }
  say(P ": all %d checks passed\n", g_checks);
  return 0;
}
