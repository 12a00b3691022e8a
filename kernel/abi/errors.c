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
    default:
      return "unknown-error";
  }
}
