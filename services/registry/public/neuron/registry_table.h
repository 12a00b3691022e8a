/*
 * The registry's name table: which endpoint serves which name.
 *
 * Portable logic with no syscalls: the server glue receives each call, hands
 * this table the caller's badge (the identity the kernel delivered with the
 * call) and the name from the message, and moves the handles. Endpoints are
 * opaque uint32_t handle values in the registry's own handle table: on a
 * lookup the glue derives a copy of the one returned and transfers it; an
 * endpoint the table lets go of (replaced or removed) is passed back so the
 * glue can close it.
 *
 * Who may do what comes from the grant set (registry_grants.h), filled from
 * init's boot plan: registering needs REGISTRY_SERVE on the name, looking up
 * needs REGISTRY_LOOKUP. A client without the grant gets
 * NX_ERR_ACCESS_DENIED whether or not the name is registered, so it cannot
 * even learn which services exist.
 *
 * A name has at most one owner, the badge that registered it. A server that
 * crashed and was restarted by init keeps its badge, so when it registers
 * again it replaces its old endpoint (dead with the old task) even if init
 * has not told the registry about the crash yet.
 */
#ifndef NEURON_REGISTRY_TABLE_H
#define NEURON_REGISTRY_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/registry_grants.h"
#include "neuron/registry_name.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most names registered at once. */
#define REGISTRY_TABLE_ENTRIES 32u

typedef struct registry_table_entry {
  uint64_t owner; /* the registering server's badge; 0: slot free */
  uint32_t endpoint;
  char name[REGISTRY_NAME_MAX + 1];
} registry_table_entry_t;

typedef struct registry_table {
  registry_table_entry_t entries[REGISTRY_TABLE_ENTRIES];
  registry_grants_t grants; /* filled through registry_grants_add() */
} registry_table_t;

/* Called with each endpoint a removal lets go of, for the glue to close. */
typedef void (*registry_table_release_fn)(void *ctx, uint32_t endpoint);

/* An empty table with no grants. */
void registry_table_init(registry_table_t *r);

/* The checks registering and unregistering begin with: NX_OK if `name` is
 * valid (else NX_ERR_INVALID_ARGS) and `owner` holds REGISTRY_SERVE on it
 * (else NX_ERR_ACCESS_DENIED). Whether another server holds the name is
 * not checked. For the glue, to refuse a caller before it checks the
 * endpoint it brought. */
int registry_table_check_serve(const registry_table_t *r, uint64_t owner, const char *name,
                               size_t len);

/* Registers `endpoint` under `name` for the server with badge `owner`. If
 * `owner` already holds the name, the new endpoint replaces the old one,
 * which is stored at *replaced (if replaced is not NULL) for the glue to
 * close; *replaced is 0 when nothing was replaced.
 * NX_ERR_INVALID_ARGS: a bad name. NX_ERR_BAD_HANDLE: endpoint 0 (never a
 * handle). NX_ERR_ACCESS_DENIED: `owner` lacks REGISTRY_SERVE on the name,
 * or another server holds it. NX_ERR_NO_MEMORY: the table is full. */
int registry_table_register(registry_table_t *r, uint64_t owner, const char *name, size_t len,
                            uint32_t endpoint, uint32_t *replaced);

/* The endpoint registered under `name`, at *endpoint, for the client with
 * badge `client`.
 * NX_ERR_INVALID_ARGS: a bad name or a NULL endpoint. NX_ERR_ACCESS_DENIED:
 * `client` lacks REGISTRY_LOOKUP on the name. NX_ERR_NOT_FOUND: granted, but no server has
 * registered it (not yet, or it is down: the client may retry). */
int registry_table_lookup(const registry_table_t *r, uint64_t client, const char *name, size_t len,
                          uint32_t *endpoint);

/* Removes `owner`'s registration of `name`; its endpoint goes to *endpoint
 * (if not NULL) for the glue to close.
 * NX_ERR_INVALID_ARGS: a bad name. NX_ERR_ACCESS_DENIED: `owner` lacks
 * REGISTRY_SERVE on the name, or another server holds it.
 * NX_ERR_NOT_FOUND: the name is not registered. */
int registry_table_unregister(registry_table_t *r, uint64_t owner, const char *name, size_t len,
                              uint32_t *endpoint);

/* A server died: removes every name `owner` registered, calling `release`
 * (if not NULL) with each endpoint. Its grants stay, for its restart.
 * Returns how many names were removed. */
size_t registry_table_remove_owner(registry_table_t *r, uint64_t owner,
                                   registry_table_release_fn release, void *ctx);

/* How many names are registered. */
size_t registry_table_count(const registry_table_t *r);

#ifdef __cplusplus
}
#endif

#endif
