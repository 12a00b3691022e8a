/*
 * A flattened device tree (DTB) reader for the kernel.
 *
 * The tree comes from firmware, so it is untrusted input: fdt_open() walks
 * the whole blob once and refuses anything malformed (bad header, offsets
 * outside the blob or into the header, a memory reservation map without its
 * terminating entry, unterminated names, unbalanced nodes, tokens after the
 * root node, property names outside the strings block, nesting deeper than
 * FDT_MAX_DEPTH): never less than libfdt's fdt_check_full() refuses
 * (kernel/fdt/fdt_libfdt_test.cc compares the two). Every other
 * function works on a tree fdt_open() accepted and still checks bounds, so
 * no input can make it read outside the blob.
 *
 * Nodes are named by the offset of their BEGIN_NODE token in the structure
 * block; negative values are NX_ERR_* codes.
 */
#ifndef NEURON_FDT_H
#define NEURON_FDT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FDT_MAGIC 0xd00dfeedu
#define FDT_MAX_DEPTH 32
#define FDT_HEADER_SIZE 40u

typedef struct fdt {
  const uint8_t *blob;
  uint32_t total_size;
  uint32_t struct_off;
  uint32_t struct_size;
  uint32_t strings_off;
  uint32_t strings_size;
  uint32_t validated; /* set by fdt_open once every token has been checked */
} fdt_t;

/* Reads the total size from a header (0 if there is no valid magic), so a
 * caller that only has a pointer knows how much to map before fdt_open(). */
uint32_t fdt_header_total_size(const void *blob);

/* Validates the blob (at most max_size bytes) and fills *fdt. On failure
 * returns a negative NX_ERR_* code and, if why is not NULL, a reason. */
int fdt_open(fdt_t *fdt, const void *blob, size_t max_size, const char **why);

/* A walk over the whole tree in document order, one token at a time: for a
 * reader that wants many properties of many nodes (the kernel's platform
 * description), so the tree is read once instead of once per lookup. */
enum {
  FDT_ITEM_NODE = 1, /* a node begins: node, depth (the root's is 0), name */
  FDT_ITEM_PROP = 2, /* a property of the node begun last: name, data, len */
  FDT_ITEM_END = 3,  /* the node at `depth` ends */
};

/* `node` is set for FDT_ITEM_NODE only; name, data and len are 0 where the
 * kind has none. */

typedef struct fdt_item {
  int kind;
  int node;
  int depth;
  const char *name;
  const uint8_t *data;
  uint32_t len;
} fdt_item_t;

typedef struct fdt_walk {
  uint32_t off;
  int depth; /* of the innermost open node; -1 before the root */
  int props; /* whether PROP tokens still belong to that node */
} fdt_walk_t;

#define FDT_WALK_START ((fdt_walk_t){0, -1, 0})

/* The next item of the walk: NX_OK, NX_ERR_NOT_FOUND once the tree has
 * ended, or NX_ERR_BAD_FORMAT. A node's properties are those before its
 * first child, the ones fdt_prop() finds (a property after a child is
 * skipped, as libfdt does). */
int fdt_walk_next(const fdt_t *fdt, fdt_walk_t *walk, fdt_item_t *item);

/* A one-cell (u32) property value of `len` bytes, `value` NULL when the
 * property is absent: NX_OK, NX_ERR_NOT_FOUND, or NX_ERR_BAD_FORMAT if it
 * is not 4 bytes. What fdt_prop_u32() reads, for a walk's items. */
int fdt_u32_decode(const void *value, uint32_t len, uint32_t *out);

/* The #address-cells and #size-cells a node gives its children, from those
 * properties' values (each NULL when absent): 2 and 1 when the node does
 * not say, NX_ERR_BAD_FORMAT if either is not one cell. */
int fdt_cells_decode(const void *address_value, uint32_t address_len, const void *size_value,
                     uint32_t size_len, uint32_t *addr_cells, uint32_t *size_cells);

/* Whether a walk item is the property `name`. */
int fdt_item_is(const fdt_item_t *item, const char *name);

/* The big-endian 32-bit cell at p. */
uint32_t fdt_cell(const void *p);

/* Whether a node name matches a lookup name of `len` characters: equal, or
 * `name@<unit>` when the lookup name has no '@' (as fdt_path() matches each
 * component). */
int fdt_name_matches(const char *node_name, const char *want, size_t len);

/* The root node's offset. */
int fdt_root(const fdt_t *fdt);

/* The next node after `node` in document order, or NX_ERR_NOT_FOUND.
 * *depth (may be NULL) is adjusted by the levels entered and left. */
int fdt_next_node(const fdt_t *fdt, int node, int *depth);

/* The node's name including its unit address ("serial@10000000"). */
const char *fdt_node_name(const fdt_t *fdt, int node);

/* The node at an absolute path such as "/soc/serial@10000000"; an optional
 * ':' suffix (as in stdout-path "...:115200n8") is ignored. A component
 * without '@' also matches a child named `component@<unit>`: the first
 * such child in document order. */
int fdt_path(const fdt_t *fdt, const char *path);

/* The property's value and length, or NULL if the node has none. */
const void *fdt_prop(const fdt_t *fdt, int node, const char *name, uint32_t *len);

/* A one-cell (u32) property. */
int fdt_prop_u32(const fdt_t *fdt, int node, const char *name, uint32_t *out);

/* A number of one or two cells (such as /chosen's linux,initrd-start,
 * which loaders write either way); NX_ERR_BAD_FORMAT for other lengths. */
int fdt_prop_number(const fdt_t *fdt, int node, const char *name, uint64_t *out);

/* Whether a string-list property value (NUL-separated strings, `len`
 * bytes, may be NULL) contains `s`; an unterminated entry ends the list. */
int fdt_list_contains(const char *list, uint32_t len, const char *s);

/* Which of `count` (at most 32) strings such a list contains, in one pass
 * over it: bit k for names[k]. */
uint32_t fdt_list_match(const char *list, uint32_t len, const char *const *names, uint32_t count);

/* Entry `index` of a "reg" value of `len` bytes (NULL when the node has
 * none), decoded with the parent's #address-cells and #size-cells, which a
 * walk has already passed by the time it reaches the node. 1 or 2 address
 * cells and 0 to 2 size cells are supported (NX_ERR_NOT_SUPPORTED
 * otherwise); NX_ERR_NOT_FOUND without a value, NX_ERR_BAD_FORMAT if `len`
 * is not whole entries, NX_ERR_OUT_OF_RANGE past the last entry. */
int fdt_reg_decode(const void *value, uint32_t len, uint32_t addr_cells, uint32_t size_cells,
                   uint32_t index, uint64_t *base, uint64_t *size);

#ifdef __cplusplus
}
#endif

#endif
