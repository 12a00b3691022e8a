/*
 * A task's watch (task_watch): the notification bit signalled when it ends.
 * Portable (only object references and notifications), so the host tests
 * run the kernel's own code; task.c's task_exited and task_destroy let go of
 * it.
 */
#include "neuron/task.h"

void task_watch_end(task_t *task, bool ended) {
  notification_t *n = task->exit_watch;
  if (!n) return;
  task->exit_watch = 0;
  if (ended) notification_signal(n, task->exit_bit);
  object_drop(&n->obj);
}

void task_watch(task_t *task, notification_t *n, uint64_t bit) {
  object_retain(&n->obj);
  task_watch_end(task, false);
  task->exit_watch = n;
  task->exit_bit = bit;
}
