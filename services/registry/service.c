#include <string.h>

#include "neuron/bootplan.h"
#include "neuron/errors.h"
#include "neuron/registry_service.h"
#include "neuron/syscalls.h"

/* What a client's copy of an endpoint carries: write to call it, transfer
 * so the reply can move it, nothing to derive more with. */
#define CLIENT_RIGHTS (NX_RIGHT_WRITE | NX_RIGHT_TRANSFER)

void registry_service_init(registry_service_t *s) {
  registry_table_init(&s->table);
  registry_programs_init(&s->programs);
  s->setup_done = false;
}

static int64_t do_lookup(void *ctx, uint64_t badge, const registry_lookup_args_t *args,
                         registry_lookup_result_t *result) {
  registry_service_t *s = ctx;
  uint32_t endpoint;
  int err =
      registry_table_lookup(&s->table, badge, (const char *)args->name, args->name_len, &endpoint);
  if (err != NX_OK) return err;
  int64_t copy = nx_handle_mint(endpoint, CLIENT_RIGHTS, badge);
  if (copy < 0) return copy;
  result->endpoint = (nx_handle_t)copy;
  return NX_OK;
}

/* Whether lookups could mint copies of `endpoint`: tries one now. */
static int64_t check_endpoint(nx_handle_t endpoint, uint64_t badge) {
  int64_t copy = nx_handle_mint(endpoint, CLIENT_RIGHTS, badge);
  if (copy < 0) return copy;
  nx_handle_close((nx_handle_t)copy);
  return NX_OK;
}

static int64_t do_register_endpoint(void *ctx, uint64_t badge,
                                    const registry_register_endpoint_args_t *args) {
  registry_service_t *s = ctx;
  const char *name = (const char *)args->name;
  /* The grant first: a caller that may not serve the name learns nothing
   * from the handle it sent. */
  int64_t err = registry_table_check_serve(&s->table, badge, name, args->name_len);
  if (err == NX_OK) err = check_endpoint(args->endpoint, badge);
  uint32_t replaced = 0;
  if (err == NX_OK) {
    err =
        registry_table_register(&s->table, badge, name, args->name_len, args->endpoint, &replaced);
  }
  if (err != NX_OK) {
    nx_handle_close(args->endpoint);
    return err;
  }
  if (replaced != 0) nx_handle_close(replaced);
  return NX_OK;
}

static int64_t do_grant(void *ctx, uint64_t badge, const registry_grant_args_t *args) {
  registry_service_t *s = ctx;
  if (badge != BOOTPLAN_BADGE_INIT) return NX_ERR_ACCESS_DENIED;
  return registry_grants_add(&s->table.grants, args->program, (const char *)args->name,
                             args->name_len, args->rights);
}

static int64_t do_name_of(void *ctx, uint64_t badge, const registry_name_of_args_t *args,
                          registry_name_of_result_t *result) {
  registry_service_t *s = ctx;
  (void)badge; /* names are no secret: the log shows them to everyone */
  const char *name = registry_programs_name(&s->programs, args->program);
  if (name == NULL) return NX_ERR_NOT_FOUND;
  result->name_len = strlen(name);
  memcpy(result->name, name, result->name_len);
  return NX_OK;
}

static int64_t do_name_badge(void *ctx, uint64_t badge, const registry_name_badge_args_t *args) {
  registry_service_t *s = ctx;
  if (badge != BOOTPLAN_BADGE_INIT) return NX_ERR_ACCESS_DENIED;
  return registry_programs_set(&s->programs, args->program, (const char *)args->name,
                               args->name_len);
}

static int64_t do_setup_done(void *ctx, uint64_t badge) {
  registry_service_t *s = ctx;
  if (badge != BOOTPLAN_BADGE_INIT) return NX_ERR_ACCESS_DENIED;
  s->setup_done = true;
  return NX_OK;
}

const registry_ops_t registry_service_ops = {
    .lookup = do_lookup,
    .register_endpoint = do_register_endpoint,
    .grant = do_grant,
    .name_of = do_name_of,
    .name_badge = do_name_badge,
    .setup_done = do_setup_done,
};
