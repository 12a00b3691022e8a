/*
 * The example protocol's server on NEURON (app/echo_server): echo_idl starts
 * it with the endpoint to receive on as h0, and it serves with the generated
 * echo_serve() until that endpoint is gone.
 */
#include <stdio.h>
#include <string.h>

#include "neuron/errors.h"
#include "neuron/runtime.h"
#include "tests/idlgen/echo_server.h"

static nx_handle_t g_log;

static void say(const char *text) { nx_log_str(g_log, text); }

static int64_t ping(void *ctx, uint64_t badge) {
  (void)ctx;
  (void)badge;
  return NX_OK;
}

static int64_t add(void *ctx, uint64_t badge, const echo_add_args_t *args,
                   echo_add_result_t *result) {
  (void)ctx;
  (void)badge;
  if (args->shift > 63) return NX_ERR_INVALID_ARGS;
  result->sum = (int64_t)((uint64_t)(args->a + args->b) << args->shift);
  result->negative = result->sum < 0;
  return NX_OK;
}

/* result->text points at the same bytes as text: reverse in place. */
static int64_t reverse(void *ctx, uint64_t badge, const echo_reverse_args_t *args,
                       echo_reverse_result_t *result) {
  (void)ctx;
  (void)badge;
  const uint8_t *text = args->text;
  size_t text_len = args->text_len;
  for (size_t i = 0; i < text_len; i++) result->vowels += text[i] && strchr("aeiouAEIOU", text[i]);
  for (size_t i = 0; i < text_len / 2; i++) {
    uint8_t c = result->text[i];
    result->text[i] = result->text[text_len - 1 - i];
    result->text[text_len - 1 - i] = c;
  }
  result->text_len = text_len;
  return NX_OK;
}

static int64_t swap(void *ctx, uint64_t badge, const echo_swap_args_t *args,
                    echo_swap_result_t *result) {
  (void)ctx;
  result->tag = args->tag;
  result->badge = badge;
  result->first = args->second;
  result->second = args->first;
  return NX_OK;
}

/* A new notification, named from memory of our own. */
static int64_t fetch(void *ctx, uint64_t badge, echo_fetch_result_t *result) {
  (void)ctx;
  (void)badge;
  static const char name[] = "a notification";
  int64_t n = nx_notification_create();
  if (n < 0) return n;
  result->object = (nx_handle_t)n;
  result->name = (uint8_t *)name;
  result->name_len = sizeof name - 1;
  return NX_OK;
}

static const echo_ops_t ops = {ping, add, reverse, swap, fetch};

int nx_main(const nx_start_info_t *start) {
  g_log = start->log;
  say("echo_server: serving\n");
  int64_t err = echo_serve(start->h0, &ops, NULL);
  char line[64];
  snprintf(line, sizeof line, "echo_server: serve ended: %s\n", nx_error_name((int)err));
  say(line);
  return err == NX_ERR_BAD_HANDLE ? 0 : 1;
}
