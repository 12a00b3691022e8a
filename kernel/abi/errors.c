#include "neuron/errors.h"

const char *nx_error_name(int err) {
  switch (err) {
    case NX_OK:
      return "ok";
    case NX_ERR_INVALID_ARGS:
      return "invalid-args";
    case NX_ERR_NOT_FOUND:
      return "not-found";
    case NX_ERR_OUT_OF_RANGE:
      return "out-of-range";
    case NX_ERR_BAD_FORMAT:
      return "bad-format";
    case NX_ERR_NOT_SUPPORTED:
      return "not-supported";
    case NX_ERR_NO_MEMORY:
      return "no-memory";
    case NX_ERR_BAD_SYSCALL:
      return "bad-syscall";
    case NX_ERR_BAD_HANDLE:
      return "bad-handle";
    case NX_ERR_ACCESS_DENIED:
      return "access-denied";
    case NX_ERR_BAD_ADDRESS:
      return "bad-address";
    case NX_ERR_WRONG_TYPE:
      return "wrong-type";
    case NX_ERR_TIMED_OUT:
      return "timed-out";
    case NX_ERR_BUSY:
      return "busy";
    default:
      return "unknown-error";
  }
}
