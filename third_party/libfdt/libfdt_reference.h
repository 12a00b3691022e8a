/*
 * libfdt for code that also includes neuron/fdt.h: libfdt's fdt_next_node()
 * is renamed libfdt_next_node() (the archive is renamed to match, see BUILD)
 * and its FDT_MAGIC macro does not leak, so the two headers can be included
 * in either order.
 */
#ifndef THIRD_PARTY_LIBFDT_LIBFDT_REFERENCE_H
#define THIRD_PARTY_LIBFDT_LIBFDT_REFERENCE_H

#pragma push_macro("FDT_MAGIC")
#undef FDT_MAGIC
#define fdt_next_node libfdt_next_node
#include <libfdt.h>
#undef fdt_next_node
#undef FDT_MAGIC
#pragma pop_macro("FDT_MAGIC")

#endif
