/*
 * The rights a registry grant gives (the `rights` of the registry's grant
 * method, registry.toml): shared by the registry and init, which grants
 * them from the boot plan.
 */
#ifndef NEURON_REGISTRY_RIGHTS_H
#define NEURON_REGISTRY_RIGHTS_H

/* What a grant allows. LOOKUP: get the name's endpoint. SERVE: register an
 * endpoint under the name; only the manifest's server of a name has it, so
 * no other program can take the name over while its server is down. */
#define REGISTRY_LOOKUP 1u
#define REGISTRY_SERVE 2u
#define REGISTRY_RIGHTS_ALL (REGISTRY_LOOKUP | REGISTRY_SERVE)

#endif
