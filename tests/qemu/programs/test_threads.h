/*
 * Threads for the QEMU test programs that start many: each started thread
 * gets a stack and an IPC buffer of its own from a pool, never reused (a
 * thread that has signalled its end may not have left its stack yet).
 */
#ifndef TESTS_QEMU_PROGRAMS_TEST_THREADS_H
#define TESTS_QEMU_PROGRAMS_TEST_THREADS_H

#include <stdint.h>

#define T_THREADS 26

/* Starts fn(0) in a thread of this task at `prio` on the next stack of the
 * pool; counts a failure (test_util.h), naming `prefix`, if the pool is
 * used up or the kernel refuses. */
void t_thread(const char *prefix, void (*fn)(void *), uint32_t prio);

#endif
