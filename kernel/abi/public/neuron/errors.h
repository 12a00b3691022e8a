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
#define NX_ERR_BAD_SYSCALL (-7)   /* the syscall number is unknown */
#define NX_ERR_BAD_HANDLE (-8)    /* a handle is stale, closed or was never issued */
#define NX_ERR_ACCESS_DENIED (-9) /* a handle lacks a right the operation needs */
#define NX_ERR_BAD_ADDRESS (-10)  /* a user buffer is outside user space or not mapped as needed */
#define NX_ERR_WRONG_TYPE (-11)   /* a handle names an object of another type */
#define NX_ERR_TIMED_OUT (-12)    /* the deadline passed before the operation could complete */
#define NX_ERR_BUSY (-13)         /* the object is in use; try again later */

/* A short, stable name for an error code, for log lines ("bad-format"). */
const char *nx_error_name(int err);

#endif
