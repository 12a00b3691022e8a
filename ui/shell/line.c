#include <string.h>

#include "neuron/shell_line.h"

#define CTRL_C 0x03
#define BACKSPACE 0x08
#define ESC 0x1b
#define DEL 0x7f

/* Escape sequences: ESC, then either one final byte or an introducer ('['
 * CSI, 'O' SS3) followed by parameter bytes (0x20..0x3f) and a final byte
 * (0x40..0x7e). Arrow keys send ESC [ A, ESC O A and the like. */
#define ESCAPE_NONE 0
#define ESCAPE_STARTED 1  /* after ESC */
#define ESCAPE_SEQUENCE 2 /* after ESC [ or ESC O */

void shell_line_init(shell_line_t *l) { memset(l, 0, sizeof *l); }

static void echo_str(char echo[SHELL_ECHO_MAX], size_t *echo_len, const char *s) {
  *echo_len = strlen(s);
  memcpy(echo, s, *echo_len);
}

static void clear(shell_line_t *l) {
  l->len = 0;
  l->text[0] = '\0';
}

/* Whether `byte` belongs to the escape sequence under way (and is dropped).
 * A byte that cannot be part of one (a control byte: Enter, say) ends the
 * sequence and counts as typed. */
static bool in_escape(shell_line_t *l, uint8_t byte) {
  if (byte < 0x20 || byte > 0x7e) {
    l->escape = ESCAPE_NONE;
    return false;
  }
  if (l->escape == ESCAPE_STARTED) {
    l->escape = (byte == '[' || byte == 'O') ? ESCAPE_SEQUENCE : ESCAPE_NONE;
  } else if (byte >= 0x40) {
    l->escape = ESCAPE_NONE;
  }
  return true;
}

/* The line ends (Enter or Ctrl-C): ready for the caller until the next
 * byte. */
static int end_line(shell_line_t *l) {
  l->refused = false;
  l->ready = true;
  return SHELL_LINE_READY;
}

int shell_line_feed(shell_line_t *l, uint8_t byte, char echo[SHELL_ECHO_MAX], size_t *echo_len) {
  *echo_len = 0;
  if (l->ready) {
    l->ready = false;
    clear(l);
  }
  bool after_cr = l->after_cr;
  l->after_cr = byte == '\r';
  if (l->escape != ESCAPE_NONE && in_escape(l, byte)) return SHELL_LINE_PENDING;
  if (byte == '\r' || byte == '\n') {
    if (byte == '\n' && after_cr) return SHELL_LINE_PENDING;
    /* A refused line had its new line when it was refused. */
    if (!l->refused) echo_str(echo, echo_len, "\r\n");
    return end_line(l);
  }
  if (byte == CTRL_C) {
    clear(l);
    echo_str(echo, echo_len, "^C\r\n");
    return end_line(l);
  }
  if (l->refused) return SHELL_LINE_PENDING;
  if (byte == ESC) {
    l->escape = ESCAPE_STARTED;
    return SHELL_LINE_PENDING;
  }
  if (byte == BACKSPACE || byte == DEL) {
    if (l->len == 0) return SHELL_LINE_PENDING;
    l->text[--l->len] = '\0';
    /* Back over the byte, blank it, back again. */
    echo_str(echo, echo_len, "\b \b");
    return SHELL_LINE_PENDING;
  }
  if (byte < 0x20 || byte > 0x7e) return SHELL_LINE_PENDING;
  if (l->len == SHELL_LINE_MAX) {
    clear(l);
    l->refused = true;
    echo_str(echo, echo_len, "\r\n");
    return SHELL_LINE_TOO_LONG;
  }
  l->text[l->len++] = (char)byte;
  l->text[l->len] = '\0';
  echo[0] = (char)byte;
  *echo_len = 1;
  return SHELL_LINE_PENDING;
}
