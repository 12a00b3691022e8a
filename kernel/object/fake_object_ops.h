// A table of object operations for tests: every type's destroy,
// on_cap_removed and on_revoke hooks record their calls, so tests can check
// that the capability layer runs them exactly when it should.
#ifndef KERNEL_OBJECT_FAKE_OBJECT_OPS_H
#define KERNEL_OBJECT_FAKE_OBJECT_OPS_H

#include <cstdint>
#include <map>
#include <vector>

#include "neuron/object.h"

namespace fake_ops {

struct Removal {
  const object_t *object;
  cap_info_t cap;
  uint32_t refs_during_call;  // the object's count while the hook ran
};

// destroy calls per object; on_cap_removed and on_revoke calls in call order
// (an on_revoke call is a Removal with cap.why == CAP_REVOKE_STARTED).
extern std::map<const object_t *, int> destroyed;
extern std::vector<Removal> removals;
extern std::vector<Removal> revokes;

void Reset();

}  // namespace fake_ops

#endif
