#include "kernel/object/fake_object_ops.h"

namespace fake_ops {

std::map<const object_t *, int> destroyed;
std::vector<Removal> removals;
std::vector<Removal> revokes;

void Reset() {
  destroyed.clear();
  removals.clear();
  revokes.clear();
}

namespace {

void Destroy(object_t *obj) { destroyed[obj]++; }

void OnCapRemoved(object_t *obj, const cap_info_t *cap) {
  removals.push_back({obj, *cap, obj->refs});
}

void OnRevoke(object_t *obj, const cap_info_t *root) { revokes.push_back({obj, *root, obj->refs}); }

const object_ops_t kOps = {Destroy, OnCapRemoved, OnRevoke};

}  // namespace
}  // namespace fake_ops

extern "C" const object_ops_t *object_ops_get(uint32_t type) {
  return type > OBJ_NONE && type < OBJ_TYPE_COUNT ? &fake_ops::kOps : nullptr;
}
