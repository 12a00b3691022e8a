#include "neuron/log_text.h"

size_t log_text_copy(char *out, size_t max, const char *text, size_t len, bool *truncated) {
  /* Clients usually end a message with "\n" (or "\r\n"); the formatter
   * ends the line itself. */
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--;
  *truncated = len > max;
  if (len > max) len = max;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\t') {
      c = ' ';
    } else if (c < 0x20 || c > 0x7e) { /* controls, DEL and non-ASCII bytes */
      c = '?';
    }
    out[i] = (char)c;
  }
  out[len] = '\0';
  return len;
}
