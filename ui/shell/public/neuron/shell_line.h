/*
 * The shell's line editor: bytes typed on the serial line in, the bytes to
 * echo out, and a line once Enter ends it.
 *
 * Printable ASCII is kept and echoed; backspace and DEL take back the last
 * byte; CR or LF ends the line (an LF right after a CR is the same Enter,
 * so CRLF terminals do not get an empty line after each one); Ctrl-C drops
 * the line. Escape sequences (arrow keys and the like) and other control
 * bytes are ignored, so they never land in a command as stray letters. A
 * line longer than SHELL_LINE_MAX is refused: the editor says so at the
 * byte that overflows and ignores the rest up to Enter.
 */
#ifndef NEURON_SHELL_LINE_H
#define NEURON_SHELL_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest line, in bytes. */
#define SHELL_LINE_MAX 80u

/* The most echo bytes one input byte produces ("\b \b", "^C\r\n"). */
#define SHELL_ECHO_MAX 4u

/* What a byte did (shell_line_feed). */
#define SHELL_LINE_PENDING 0  /* the line goes on */
#define SHELL_LINE_READY 1    /* the line ended: text holds it */
#define SHELL_LINE_TOO_LONG 2 /* the line overflowed: refused, ignored up to Enter */

typedef struct shell_line {
  char text[SHELL_LINE_MAX + 1]; /* NUL-terminated */
  size_t len;
  bool ready;     /* text holds an ended line; the next byte starts anew */
  bool after_cr;  /* the last byte was CR */
  bool refused;   /* the line overflowed: ignore bytes up to Enter */
  uint8_t escape; /* where in an escape sequence the input is (line.c) */
} shell_line_t;

/* An empty line. */
void shell_line_init(shell_line_t *l);

/* Takes one typed byte. Writes the bytes to echo to echo[0..*echo_len)
 * (at most SHELL_ECHO_MAX) and returns SHELL_LINE_*. After
 * SHELL_LINE_READY, l->text holds the line (empty when Ctrl-C dropped it,
 * or after a refused line) until the next call. */
int shell_line_feed(shell_line_t *l, uint8_t byte, char echo[SHELL_ECHO_MAX], size_t *echo_len);

#ifdef __cplusplus
}
#endif

#endif
