/*
 * NEURON error codes: the one list, shared by the kernel and user space.
 * Every failing kernel function and syscall returns one of these negative
 * values; 0 (or a non-negative result) means success.
 */
#ifndef NEURON_ERRORS_H
#define NEURON_ERRORS_H

#define NX_OK 0
#define NX_ERR_INVALID_ARGS (-1)  /* an argument is out of range or malformed */
#define NX_ERR_NOT_FOUND (-2)     /* the named thing does not exist */
#define NX_ERR_OUT_OF_RANGE (-3)  /* an offset or size points outside its object */
#define NX_ERR_BAD_FORMAT (-4)    /* structured input (device tree, ELF, message) is malformed */
#define NX_ERR_NOT_SUPPORTED (-5) /* a valid request this build does not implement */
#define NX_ERR_NO_MEMORY (-6)     /* the caller's quota or the kernel's memory is exhausted */

/* A short, stable name for an error code, for log lines ("bad-format"). */
const char *nx_error_name(int err);

#endif
