/*
 * Device tree reader. One walker, fdt_step(), decodes a token with full
 * bounds checks; fdt_open() runs it over the whole structure block to
 * validate, and the lookups reuse it, so there is one place that knows the
 * token format.
 */
#include "neuron/fdt.h"

#include "neuron/errors.h"

enum {
  TOKEN_BEGIN_NODE = 1,
  TOKEN_END_NODE = 2,
  TOKEN_PROP = 3,
  TOKEN_NOP = 4,
  TOKEN_END = 9,
};

/* Header field offsets (all big-endian u32). */
enum {
  HDR_MAGIC = 0,
  HDR_TOTAL_SIZE = 4,
  HDR_OFF_STRUCT = 8,
  HDR_OFF_STRINGS = 12,
  HDR_OFF_MEM_RSVMAP = 16,
  HDR_VERSION = 20,
  HDR_LAST_COMP_VERSION = 24,
  HDR_SIZE_STRINGS = 32,
  HDR_SIZE_STRUCT = 36,
};

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t align4(uint32_t v) { return (v + 3u) & ~3u; }

static int str_eq(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return *a == *b;
}

/* Length of a NUL-terminated string within [p, p+max), or -1 if the NUL is
 * missing. */
static int64_t bounded_strlen(const uint8_t *p, uint32_t max) {
  for (uint32_t i = 0; i < max; i++) {
    if (p[i] == 0) return i;
  }
  return -1;
}

/* One decoded token. */
typedef struct token {
  uint32_t kind;
  uint32_t next;       /* offset of the following token */
  const char *name;    /* node or property name */
  const uint8_t *data; /* property value */
  uint32_t len;        /* property length */
} token_t;

/* Decodes the token at struct-block offset `off`. */
static int fdt_step(const fdt_t *fdt, uint32_t off, token_t *t) {
  const uint8_t *s = fdt->blob + fdt->struct_off;
  uint32_t end = fdt->struct_size;
  if (off % 4 != 0 || off > end || end - off < 4) return NX_ERR_BAD_FORMAT;
  t->kind = be32(s + off);
  off += 4;
  t->name = 0;
  t->data = 0;
  t->len = 0;
  switch (t->kind) {
    case TOKEN_BEGIN_NODE: {
      int64_t n = bounded_strlen(s + off, end - off);
      if (n < 0) return NX_ERR_BAD_FORMAT;
      t->name = (const char *)(s + off);
      t->next = off + align4((uint32_t)n + 1);
      if (t->next > end) return NX_ERR_BAD_FORMAT;
      return NX_OK;
    }
    case TOKEN_PROP: {
      if (end - off < 8) return NX_ERR_BAD_FORMAT;
      uint32_t len = be32(s + off);
      uint32_t nameoff = be32(s + off + 4);
      off += 8;
      if (len > end - off || align4(len) > end - off) return NX_ERR_BAD_FORMAT;
      if (nameoff >= fdt->strings_size) return NX_ERR_BAD_FORMAT;
      const uint8_t *str = fdt->blob + fdt->strings_off + nameoff;
      /* fdt_open() checked every name once; lookups need not again. */
      if (!fdt->validated && bounded_strlen(str, fdt->strings_size - nameoff) < 0) {
        return NX_ERR_BAD_FORMAT;
      }
      t->name = (const char *)str;
      t->data = s + off;
      t->len = len;
      t->next = off + align4(len);
      return NX_OK;
    }
    case TOKEN_END_NODE:
    case TOKEN_NOP:
    case TOKEN_END:
      t->next = off;
      return NX_OK;
    default:
      return NX_ERR_BAD_FORMAT;
  }
}

uint32_t fdt_header_total_size(const void *blob) {
  const uint8_t *b = blob;
  if (be32(b + HDR_MAGIC) != FDT_MAGIC) return 0;
  return be32(b + HDR_TOTAL_SIZE);
}

static int fail(const char **why, const char *reason) {
  if (why) *why = reason;
  return NX_ERR_BAD_FORMAT;
}

/* Whether [off, off+size) lies within [0, total), without overflow. */
static int in_blob(uint32_t off, uint32_t size, uint32_t total) {
  return off <= total && size <= total - off;
}

/* Walks every token: nodes balanced, the root first and alone, props only
 * inside nodes, END last. */
static int validate_structure(const fdt_t *fdt, const char **why) {
  uint32_t off = 0;
  int depth = 0;
  int seen_root = 0;
  for (;;) {
    token_t t;
    if (fdt_step(fdt, off, &t) != NX_OK) return fail(why, "truncated or unknown token");
    switch (t.kind) {
      case TOKEN_BEGIN_NODE:
        if (depth == 0 && seen_root) return fail(why, "more than one root node");
        if (depth == 0 && t.name[0] != 0) return fail(why, "root node has a name");
        if (depth != 0 && t.name[0] == 0) return fail(why, "node without a name");
        seen_root = 1;
        if (++depth > FDT_MAX_DEPTH) return fail(why, "nodes nested too deeply");
        break;
      case TOKEN_END_NODE:
        if (depth == 0) return fail(why, "END_NODE without a node");
        depth--;
        break;
      case TOKEN_PROP:
        if (depth == 0) return fail(why, "property outside any node");
        break;
      case TOKEN_NOP:
        if (depth == 0 && seen_root) return fail(why, "token after the root node");
        break;
      case TOKEN_END:
        if (depth != 0 || !seen_root) return fail(why, "END before the root node closed");
        return NX_OK;
    }
    off = t.next;
  }
}

int fdt_open(fdt_t *fdt, const void *blob, size_t max_size, const char **why) {
  const uint8_t *b = blob;
  if (!b || max_size < FDT_HEADER_SIZE) return fail(why, "smaller than a header");
  if (be32(b + HDR_MAGIC) != FDT_MAGIC) return fail(why, "bad magic");
  uint32_t total = be32(b + HDR_TOTAL_SIZE);
  /* Node offsets are ints, so the blob must stay below 2 GiB. */
  if (total < FDT_HEADER_SIZE || total > max_size || total > 0x7fffffffu) {
    return fail(why, "bad total size");
  }
  if (be32(b + HDR_VERSION) < 17 || be32(b + HDR_LAST_COMP_VERSION) > 17) {
    return fail(why, "unsupported version");
  }
  fdt_t f = {
      .blob = b,
      .total_size = total,
      .struct_off = be32(b + HDR_OFF_STRUCT),
      .struct_size = be32(b + HDR_SIZE_STRUCT),
      .strings_off = be32(b + HDR_OFF_STRINGS),
      .strings_size = be32(b + HDR_SIZE_STRINGS),
  };
  if (f.struct_off < FDT_HEADER_SIZE || f.struct_off % 4 != 0 || f.struct_size % 4 != 0 ||
      !in_blob(f.struct_off, f.struct_size, total)) {
    return fail(why, "structure block outside the blob");
  }
  if (f.strings_off < FDT_HEADER_SIZE || !in_blob(f.strings_off, f.strings_size, total)) {
    return fail(why, "strings block outside the blob");
  }
  /* The memory reservation map: 16-byte entries up to one of size 0. */
  uint32_t rsv = be32(b + HDR_OFF_MEM_RSVMAP);
  if (rsv < FDT_HEADER_SIZE) return fail(why, "reservation map outside the blob");
  for (;; rsv += 16) {
    if (!in_blob(rsv, 16, total)) return fail(why, "reservation map outside the blob");
    if (be32(b + rsv + 8) == 0 && be32(b + rsv + 12) == 0) break;
  }
  int err = validate_structure(&f, why);
  if (err != NX_OK) return err;
  f.validated = 1;
  *fdt = f;
  return NX_OK;
}

int fdt_walk_next(const fdt_t *fdt, fdt_walk_t *w, fdt_item_t *item) {
  for (;;) {
    token_t t;
    uint32_t off = w->off;
    if (fdt_step(fdt, off, &t) != NX_OK) return NX_ERR_BAD_FORMAT;
    w->off = t.next;
    switch (t.kind) {
      case TOKEN_BEGIN_NODE:
        /* fdt_open() bounds the nesting; the check keeps a caller's
         * per-depth arrays safe on any fdt_t. */
        if (w->depth + 1 >= FDT_MAX_DEPTH) return NX_ERR_BAD_FORMAT;
        w->depth++;
        w->props = 1;
        *item = (fdt_item_t){FDT_ITEM_NODE, (int)off, w->depth, t.name, 0, 0};
        return NX_OK;
      case TOKEN_PROP:
        if (!w->props) continue;
        *item = (fdt_item_t){FDT_ITEM_PROP, 0, w->depth, t.name, t.data, t.len};
        return NX_OK;
      case TOKEN_END_NODE:
        if (w->depth < 0) return NX_ERR_BAD_FORMAT;
        *item = (fdt_item_t){FDT_ITEM_END, 0, w->depth, 0, 0, 0};
        w->depth--;
        w->props = 0; /* the parent's properties came before this child */
        return NX_OK;
      case TOKEN_NOP:
        continue;
      default: /* TOKEN_END */
        return NX_ERR_NOT_FOUND;
    }
  }
}

int fdt_item_is(const fdt_item_t *item, const char *name) {
  return item->kind == FDT_ITEM_PROP && str_eq(item->name, name);
}

uint32_t fdt_cell(const void *p) { return be32(p); }

/* The first BEGIN_NODE, skipping NOPs. */
int fdt_root(const fdt_t *fdt) {
  uint32_t off = 0;
  token_t t;
  for (;;) {
    if (fdt_step(fdt, off, &t) != NX_OK) return NX_ERR_BAD_FORMAT;
    if (t.kind != TOKEN_NOP) break;
    off = t.next;
  }
  return t.kind == TOKEN_BEGIN_NODE ? (int)off : NX_ERR_BAD_FORMAT;
}

int fdt_next_node(const fdt_t *fdt, int node, int *depth) {
  token_t t;
  if (node < 0 || fdt_step(fdt, (uint32_t)node, &t) != NX_OK || t.kind != TOKEN_BEGIN_NODE) {
    return NX_ERR_INVALID_ARGS;
  }
  int d = 0;
  uint32_t off = t.next;
  for (;;) {
    if (fdt_step(fdt, off, &t) != NX_OK) return NX_ERR_BAD_FORMAT;
    if (t.kind == TOKEN_BEGIN_NODE) {
      if (depth) *depth += d + 1;
      return (int)off;
    }
    if (t.kind == TOKEN_END_NODE) d--;
    if (t.kind == TOKEN_END) return NX_ERR_NOT_FOUND;
    off = t.next;
  }
}

const char *fdt_node_name(const fdt_t *fdt, int node) {
  token_t t;
  if (node < 0 || fdt_step(fdt, (uint32_t)node, &t) != NX_OK || t.kind != TOKEN_BEGIN_NODE) {
    return 0;
  }
  return t.name;
}

int fdt_name_matches(const char *node_name, const char *want, size_t want_len) {
  for (size_t i = 0; i < want_len; i++) {
    if (node_name[i] != want[i]) return 0;
  }
  if (node_name[want_len] == 0) return 1;
  for (size_t i = 0; i < want_len; i++) {
    if (want[i] == '@') return 0;
  }
  return node_name[want_len] == '@';
}

static int subnode_n(const fdt_t *fdt, int parent, const char *name, size_t len) {
  int depth = 0;
  int node = parent;
  for (;;) {
    node = fdt_next_node(fdt, node, &depth);
    if (node < 0 || depth <= 0) return NX_ERR_NOT_FOUND;
    if (depth == 1 && fdt_name_matches(fdt_node_name(fdt, node), name, len)) return node;
  }
}

int fdt_path(const fdt_t *fdt, const char *path) {
  if (path[0] != '/') return NX_ERR_INVALID_ARGS;
  int node = fdt_root(fdt);
  const char *p = path + 1;
  while (node >= 0 && *p && *p != ':') {
    size_t len = 0;
    while (p[len] && p[len] != '/' && p[len] != ':') len++;
    if (len > 0) node = subnode_n(fdt, node, p, len);
    p += len;
    if (*p == '/') p++;
  }
  return node;
}

const void *fdt_prop(const fdt_t *fdt, int node, const char *name, uint32_t *len) {
  token_t t;
  if (node < 0 || fdt_step(fdt, (uint32_t)node, &t) != NX_OK || t.kind != TOKEN_BEGIN_NODE) {
    return 0;
  }
  for (uint32_t off = t.next; fdt_step(fdt, off, &t) == NX_OK; off = t.next) {
    if (t.kind == TOKEN_PROP && str_eq(t.name, name)) {
      if (len) *len = t.len;
      return t.data;
    }
    if (t.kind != TOKEN_PROP && t.kind != TOKEN_NOP) break;
  }
  return 0;
}

int fdt_u32_decode(const void *value, uint32_t len, uint32_t *out) {
  if (!value) return NX_ERR_NOT_FOUND;
  if (len != 4) return NX_ERR_BAD_FORMAT;
  *out = be32(value);
  return NX_OK;
}

int fdt_prop_u32(const fdt_t *fdt, int node, const char *name, uint32_t *out) {
  uint32_t len = 0;
  const void *v = fdt_prop(fdt, node, name, &len);
  return fdt_u32_decode(v, len, out);
}

/* Reads `cells` big-endian cells (1 or 2) as one number. */
static uint64_t read_cells(const uint8_t *p, uint32_t cells) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < cells; i++) v = (v << 32) | be32(p + 4 * (size_t)i);
  return v;
}

int fdt_prop_number(const fdt_t *fdt, int node, const char *name, uint64_t *out) {
  uint32_t len;
  const uint8_t *v = fdt_prop(fdt, node, name, &len);
  if (!v) return NX_ERR_NOT_FOUND;
  if (len != 4 && len != 8) return NX_ERR_BAD_FORMAT;
  *out = read_cells(v, len / 4);
  return NX_OK;
}

int fdt_list_contains(const char *list, uint32_t len, const char *s) {
  return fdt_list_match(list, len, &s, 1) != 0;
}

uint32_t fdt_list_match(const char *list, uint32_t len, const char *const *names, uint32_t count) {
  uint32_t found = 0;
  uint32_t i = 0;
  while (list && i < len) {
    int64_t n = bounded_strlen((const uint8_t *)list + i, len - i);
    if (n < 0) break;
    for (uint32_t k = 0; k < count && k < 32; k++) {
      if (list[i] == names[k][0] && str_eq(list + i, names[k])) found |= 1u << k;
    }
    i += (uint32_t)n + 1;
  }
  return found;
}

int fdt_cells_decode(const void *address_value, uint32_t address_len, const void *size_value,
                     uint32_t size_len, uint32_t *addr_cells, uint32_t *size_cells) {
  /* Defaults from the Devicetree Specification when the node is silent. */
  *addr_cells = 2;
  *size_cells = 1;
  if (fdt_u32_decode(address_value, address_len, addr_cells) == NX_ERR_BAD_FORMAT ||
      fdt_u32_decode(size_value, size_len, size_cells) == NX_ERR_BAD_FORMAT) {
    return NX_ERR_BAD_FORMAT;
  }
  return NX_OK;
}

int fdt_reg_decode(const void *value, uint32_t len, uint32_t addr_cells, uint32_t size_cells,
                   uint32_t index, uint64_t *base, uint64_t *size) {
  if (addr_cells < 1 || addr_cells > 2 || size_cells > 2) return NX_ERR_NOT_SUPPORTED;
  const uint8_t *reg = value;
  if (!reg) return NX_ERR_NOT_FOUND;
  uint32_t entry = 4 * (addr_cells + size_cells);
  if (len % entry != 0) return NX_ERR_BAD_FORMAT;
  if (index >= len / entry) return NX_ERR_OUT_OF_RANGE;
  reg += (size_t)index * entry;
  *base = read_cells(reg, addr_cells);
  *size = size_cells ? read_cells(reg + 4 * (size_t)addr_cells, size_cells) : 0;
  return NX_OK;
}
