// Test helper: entry `index` of a node's "reg", decoded with its parent's
// #address-cells and #size-cells as the platform decodes it from its walk
// (fdt_cells_decode, then fdt_reg_decode). The reader keeps no parent links,
// so the caller says which node is the parent.
#ifndef NEURON_FDT_REG_OF_H
#define NEURON_FDT_REG_OF_H

#include <cstdint>

#include "neuron/errors.h"
#include "neuron/fdt.h"

namespace fdt_test {

inline int RegOf(const fdt_t *fdt, int parent, int node, uint32_t index, uint64_t *base,
                 uint64_t *size) {
  uint32_t ac_len = 0, sc_len = 0, reg_len = 0, ac = 0, sc = 0;
  const void *ac_value = fdt_prop(fdt, parent, "#address-cells", &ac_len);
  const void *sc_value = fdt_prop(fdt, parent, "#size-cells", &sc_len);
  const int err = fdt_cells_decode(ac_value, ac_len, sc_value, sc_len, &ac, &sc);
  if (err != NX_OK) return err;
  const void *reg = fdt_prop(fdt, node, "reg", &reg_len);
  return fdt_reg_decode(reg, reg_len, ac, sc, index, base, size);
}

}  // namespace fdt_test

#endif
