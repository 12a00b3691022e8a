/*
 * Links the registry core into a real user program (user toolchain,
 * picolibc, the runtime), so `bazel test //services/...` proves the core
 * builds for riscv64 and not only for the host. Never run.
 */
#include "neuron/errors.h"
#include "neuron/registry.h"
#include "neuron/runtime.h"

static registry_t reg;

int nx_main(const nx_start_info_t *start) {
  uint32_t ep = 0;
  registry_init(&reg);
  registry_grants_add(&reg.grants, 1, "log", 3, REGISTRY_SERVE | REGISTRY_LOOKUP);
  registry_register(&reg, 1, "log", 3, start->h0, NULL);
  int err = registry_lookup(&reg, 1, "log", 3, &ep);
  registry_remove_owner(&reg, 1, NULL, NULL);
  nx_log_str(start->log, nx_error_name(err));
  return err;
}
