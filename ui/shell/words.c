#include <string.h>

#include "neuron/shell_words.h"

size_t shell_split_words(char *line, char **words, size_t max) {
  size_t count = 0;
  for (;;) {
    line += strspn(line, " ");
    if (*line == '\0') return count;
    if (count < max) words[count] = line;
    count++;
    line += strcspn(line, " ");
    if (*line != '\0') *line++ = '\0';
  }
}
