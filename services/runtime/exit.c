#include "neuron/runtime.h"
#include "neuron/syscalls.h"

void nx_runtime_exit(int64_t code) { nx_task_exit(code); }
