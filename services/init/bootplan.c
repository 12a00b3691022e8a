/* The boot plan reader (see neuron/bootplan.h). */
#include "neuron/bootplan.h"

#include <string.h>

#include "neuron/errors.h"

/* One line of the plan, split into its key and its value. */
typedef struct line {
  const char *key, *value;
  size_t key_len, value_len;
} line_t;

static int fail(const char **why, const char *reason) {
  *why = reason;
  return NX_ERR_BAD_FORMAT;
}

/* The next line from *pos (which moves past it); false at the end. Lines
 * hold printable ASCII only, "key value" with one space. */
static int next_line(const char *text, size_t size, size_t *pos, line_t *out, const char **why) {
  size_t start = *pos, end = start;
  while (end < size && text[end] != '\n') {
    if (text[end] < ' ' || text[end] > '~') return fail(why, "a byte that is not printable ASCII");
    end++;
  }
  if (end == size) return fail(why, "a line without its newline");
  *pos = end + 1;
  const char *sp = memchr(text + start, ' ', end - start);
  out->key = text + start;
  out->key_len = sp ? (size_t)(sp - out->key) : end - start;
  out->value = sp ? sp + 1 : text + end;
  out->value_len = sp ? (size_t)(text + end - out->value) : 0;
  return NX_OK;
}

static int is_key(const line_t *l, const char *key) {
  return l->key_len == strlen(key) && memcmp(l->key, key, l->key_len) == 0;
}

/* A name: 1..BOOTPLAN_NAME_MAX of [a-z0-9_-]. */
static int copy_name(const line_t *l, char *out, const char **why) {
  if (l->value_len == 0 || l->value_len > BOOTPLAN_NAME_MAX) {
    return fail(why, "a name of the wrong length");
  }
  for (size_t i = 0; i < l->value_len; i++) {
    char c = l->value[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return fail(why, "a name with a character outside [a-z0-9_-]");
    }
  }
  memcpy(out, l->value, l->value_len);
  out[l->value_len] = 0;
  return NX_OK;
}

/* A decimal number up to `max`, no sign, no leading zeros. */
static int parse_number(const line_t *l, uint32_t max, uint32_t *out, const char **why) {
  if (l->value_len == 0 || l->value_len > 10 || (l->value[0] == '0' && l->value_len > 1)) {
    return fail(why, "a malformed number");
  }
  uint64_t v = 0;
  for (size_t i = 0; i < l->value_len; i++) {
    if (l->value[i] < '0' || l->value[i] > '9') return fail(why, "a malformed number");
    v = v * 10 + (uint64_t)(l->value[i] - '0');
  }
  if (v > max) return fail(why, "a number out of range");
  *out = (uint32_t)v;
  return NX_OK;
}

/* One of a program's list lines into names[*count]. */
static int add_name(const line_t *l, bootplan_name_t *names, uint32_t *count, uint32_t max,
                    const char **why) {
  if (*count == max) return fail(why, "too many entries in a list");
  int err = copy_name(l, names[*count], why);
  if (err == NX_OK) (*count)++;
  return err;
}

/* The lines of one program after "program NAME", up to and with "end". */
static int parse_program(const char *text, size_t size, size_t *pos, uint32_t *lineno,
                         bootplan_program_t *p, const char **why) {
  int have_priority = 0, have_quota = 0;
  for (;;) {
    line_t l;
    int err = next_line(text, size, pos, &l, why);
    if (err != NX_OK) return err;
    (*lineno)++;
    if (is_key(&l, "end") && l.value_len == 0) break;
    if (is_key(&l, "priority")) {
      err = parse_number(&l, 31, &p->priority, why);
      have_priority = 1;
    } else if (is_key(&l, "quota")) {
      err = parse_number(&l, UINT32_MAX, &p->quota_pages, why);
      have_quota = 1;
    } else if (is_key(&l, "provides")) {
      err = p->provides[0] ? fail(why, "a program provides two services")
                           : copy_name(&l, p->provides, why);
    } else if (is_key(&l, "calls")) {
      err = add_name(&l, p->calls, &p->call_count, BOOTPLAN_CALLS, why);
    } else if (is_key(&l, "mmio")) {
      err = add_name(&l, p->mmio, &p->mmio_count, BOOTPLAN_DEVICES, why);
    } else if (is_key(&l, "irq")) {
      err = add_name(&l, p->irqs, &p->irq_count, BOOTPLAN_DEVICES, why);
    } else {
      err = fail(why, "an unknown line in a program");
    }
    if (err != NX_OK) return err;
  }
  if (!have_priority || !have_quota) return fail(why, "a program without priority or quota");
  return NX_OK;
}

int bootplan_parse(const char *text, size_t size, bootplan_t *out, const char **why,
                   uint32_t *lineno) {
  memset(out, 0, sizeof *out);
  *lineno = 0;
  size_t pos = 0;
  line_t l;
  uint32_t version = 0, count = 0;
  int err = next_line(text, size, &pos, &l, why);
  if (err != NX_OK) return err;
  *lineno = 1;
  if (!is_key(&l, "nexus-bootplan")) return fail(why, "not a boot plan");
  err = parse_number(&l, UINT32_MAX, &version, why);
  if (err != NX_OK) return err;
  if (version != BOOTPLAN_VERSION) return fail(why, "a boot plan version this init does not read");
  err = next_line(text, size, &pos, &l, why);
  if (err != NX_OK) return err;
  *lineno = 2;
  if (!is_key(&l, "programs")) return fail(why, "no program count");
  err = parse_number(&l, BOOTPLAN_PROGRAMS, &count, why);
  if (err != NX_OK) return err;
  for (uint32_t i = 0; i < count; i++) {
    err = next_line(text, size, &pos, &l, why);
    if (err != NX_OK) return err;
    (*lineno)++;
    if (!is_key(&l, "program")) return fail(why, "a line outside a program");
    bootplan_program_t *p = &out->programs[i];
    err = copy_name(&l, p->name, why);
    if (err == NX_OK) err = parse_program(text, size, &pos, lineno, p, why);
    if (err != NX_OK) return err;
    for (uint32_t j = 0; j < i; j++) {
      if (strcmp(out->programs[j].name, p->name) == 0) return fail(why, "a program listed twice");
    }
  }
  if (pos != size) return fail(why, "lines after the last program");
  out->count = count;
  *lineno = 0;
  return NX_OK;
}

int bootplan_has(const bootplan_name_t *names, uint32_t count, const char *name) {
  for (uint32_t i = 0; i < count; i++) {
    if (strcmp(names[i], name) == 0) return 1;
  }
  return 0;
}
