/*
 * A command line split into words, on spaces.
 */
#ifndef NEURON_SHELL_WORDS_H
#define NEURON_SHELL_WORDS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most words a command line keeps; every command takes fewer, so a
 * line with more is a usage error whatever the command. */
#define SHELL_WORDS_MAX 4u

/* Splits `line` in place (NULs over the spaces) and points words[0..) at
 * its first `max` words. Returns how many words the line has, which may be
 * more than `max`. */
size_t shell_split_words(char *line, char **words, size_t max);

#ifdef __cplusplus
}
#endif

#endif
