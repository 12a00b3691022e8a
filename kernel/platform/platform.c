/*
 * The machine description, read in one walk over the device tree
 * (fdt_walk_next): a node's properties are gathered as the walk passes
 * them and the node is read once they are complete (at its first child or
 * at its end), its reg decoded with the cells its parent declared (kept per
 * depth on the way down). A lookup per property would scan each node's
 * properties again, and that was most of boot's device-tree time. Only
 * /chosen is looked up by path, before the walk, so that stdout-path is
 * known when the console's node passes.
 */
#include "neuron/platform.h"

#include <stdbool.h>

#include "neuron/errors.h"

static int fail(const char **why, const char *reason, int err) {
  if (why) *why = reason;
  return err;
}

/* The initrd (boot archive), if the loader left one: start and end in /chosen. */
static int read_initrd(const fdt_t *fdt, int chosen, platform_t *p) {
  uint64_t start, end;
  if (chosen < 0) return NX_OK;
  int err = fdt_prop_number(fdt, chosen, "linux,initrd-start", &start);
  if (err == NX_ERR_NOT_FOUND) return NX_OK; /* no initrd is fine */
  if (err != NX_OK || fdt_prop_number(fdt, chosen, "linux,initrd-end", &end) != NX_OK ||
      end < start) {
    return NX_ERR_BAD_FORMAT;
  }
  p->initrd.base = start;
  p->initrd.size = end - start;
  return NX_OK;
}

/* The kernel's boot arguments: the words of /chosen's bootargs (QEMU's
 * -append). One is known, neuron.asid_bits=N; any other neuron.* word is
 * refused (a typo must not go unnoticed), words of other owners skipped. */
static const char ASID_BITS_ARG[] = "neuron.asid_bits=";

static bool starts_with(const char *s, const char *prefix) {
  while (*prefix) {
    if (*s++ != *prefix++) return false;
  }
  return true;
}

/* The number in s up to its end or a space: digits only, at most `max`. */
static bool read_number(const char *s, uint32_t max, uint32_t *out) {
  uint32_t v = 0;
  int digits = 0;
  for (; *s && *s != ' '; s++, digits++) {
    if (*s < '0' || *s > '9' || digits == 3) return false;
    v = v * 10 + (uint32_t)(*s - '0');
  }
  if (digits == 0 || v > max) return false;
  *out = v;
  return true;
}

static int read_bootargs(const fdt_t *fdt, int chosen, platform_t *p) {
  p->asid_bits_max = PLATFORM_ASID_BITS_ANY;
  uint32_t len;
  const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
  if (!args) return NX_OK;
  if (len == 0 || args[len - 1] != 0) return NX_ERR_BAD_FORMAT;
  for (const char *w = args; *w;) {
    if (*w == ' ') {
      w++;
      continue;
    }
    if (starts_with(w, "neuron.")) {
      if (!starts_with(w, ASID_BITS_ARG) ||
          !read_number(w + sizeof ASID_BITS_ARG - 1, PLATFORM_ASID_BITS_MAX, &p->asid_bits_max)) {
        return NX_ERR_BAD_FORMAT;
      }
    }
    while (*w && *w != ' ') w++;
  }
  return NX_OK;
}

/* stdout-path's node path, ':' options and all (see console_pos), or NULL. */
static const char *stdout_path(const fdt_t *fdt, int chosen) {
  uint32_t len;
  const char *path = chosen >= 0 ? fdt_prop(fdt, chosen, "stdout-path", &len) : 0;
  if (!path || len == 0 || path[len - 1] != 0 || path[0] != '/') return 0;
  return path;
}

/* Where matching a node path continues in `path` after a component that
 * ended at `pos`: past the '/'s (fdt_path() also skips empty components). */
static int skip_slashes(const char *path, int pos) {
  while (path[pos] == '/') pos++;
  return pos;
}

static bool path_ends(const char *path, int pos) { return path[pos] == 0 || path[pos] == ':'; }

/* The properties the walk gathers for every node. */
enum { P_DEVICE_TYPE, P_COMPATIBLE, P_REG, P_INTERRUPTS, P_ADDRESS_CELLS, P_SIZE_CELLS, P_COUNT };

static const char *const PROP_NAMES[P_COUNT] = {
    "device_type", "compatible", "reg", "interrupts", "#address-cells", "#size-cells",
};

typedef struct prop {
  const uint8_t *data; /* NULL if the node has none */
  uint32_t len;
} prop_t;

typedef struct node {
  int offset;
  int depth;
  const char *name;
  prop_t prop[P_COUNT];
} node_t;

/* Keeps the first of each wanted property, as fdt_prop() would find. */
static void gather(node_t *n, const fdt_item_t *item) {
  for (int i = 0; i < P_COUNT; i++) {
    /* The first letters differ for most: no call for those. */
    if (item->name[0] == PROP_NAMES[i][0] && fdt_item_is(item, PROP_NAMES[i])) {
      if (!n->prop[i].data) n->prop[i] = (prop_t){item->data, item->len};
      return;
    }
  }
}

/* What the walk keeps per depth: the cells the node there gives its
 * children (addr_cells 0 when its say is malformed: their reg cannot be
 * decoded), and how far its path matches stdout-path's: the position after
 * its own component, or -1 when it or an ancestor does not match. */
typedef struct level {
  uint32_t addr_cells, size_cells;
  int console_pos;
} level_t;

typedef struct walk {
  const fdt_t *fdt;
  platform_t *p;
  const char *console; /* stdout-path, if any */
  int cpus;            /* the first depth-1 node named cpus */
  int top;             /* the depth-1 node the walk is under */
  bool have_uart;
  bool have_console;
  bool bad_plic;
  level_t levels[FDT_MAX_DEPTH];
} walk_t;

/* Entry `index` of the node's reg, with its parent's cells. */
static int reg_of(const walk_t *w, const node_t *n, uint32_t index, uint64_t *base,
                  uint64_t *size) {
  const level_t *parent = &w->levels[n->depth - 1];
  const prop_t *reg = &n->prop[P_REG];
  return fdt_reg_decode(reg->data, reg->len, parent->addr_cells, parent->size_cells, index, base,
                        size);
}

static void read_region(const walk_t *w, const node_t *n, platform_region_t *r) {
  if (reg_of(w, n, 0, &r->base, &r->size) != NX_OK) {
    r->base = 0;
    r->size = 0;
  }
}

/* The node's interrupt line: false unless `interrupts` is one cell. */
static bool read_irq(const node_t *n, uint32_t *irq) {
  const prop_t *prop = &n->prop[P_INTERRUPTS];
  return fdt_u32_decode(prop->data, prop->len, irq) == NX_OK;
}

/* The riscv,cpu-intc binding numbers a hart's local interrupts by their
 * scause code: 9 is the supervisor external interrupt. */
#define HART_IRQ_S_EXTERNAL 9u

/* The PLIC's lines, and its context for the first hart's S-mode: its
 * interrupts-extended names one hart interrupt per context, in context
 * order, as <phandle irq> pairs (riscv,cpu-intc has #interrupt-cells = 1).
 * A PLIC that reaches no S-mode is of no use to the kernel: it counts as
 * absent. Looked up, not gathered: one node has them. */
static void read_plic(walk_t *w, int node) {
  platform_t *p = w->p;
  uint32_t len = 0;
  const uint8_t *pairs = fdt_prop(w->fdt, node, "interrupts-extended", &len);
  if (fdt_prop_u32(w->fdt, node, "riscv,ndev", &p->plic_sources) != NX_OK || !pairs ||
      len % 8 != 0) {
    w->bad_plic = true;
    return;
  }
  for (uint32_t i = 0; i < len / 8; i++) {
    if (fdt_cell(pairs + 8 * (size_t)i + 4) == HART_IRQ_S_EXTERNAL) {
      p->plic_context = i;
      return;
    }
  }
  p->plic = (platform_region_t){0};
  p->plic_sources = 0;
}

static bool has_string(const prop_t *list, const char *s) {
  return fdt_list_contains((const char *)list->data, list->len, s);
}

/* The devices the kernel reads, by compatible string. */
enum { C_UART, C_TEST, C_PLIC, C_VIRTIO, C_COUNT };

static const char *const COMPAT_NAMES[C_COUNT] = {
    "ns16550a",
    "sifive,test0",
    "riscv,plic0",
    "virtio,mmio",
};

/* How far the node's path matches stdout-path (see level_t), component by
 * component as fdt_path() matches names (one without a unit address
 * matches any). The first UART whose whole path matches is the console. */
static int console_pos(const walk_t *w, const node_t *n) {
  if (!w->console) return -1;
  if (n->depth == 0) return skip_slashes(w->console, 0);
  int pos = w->levels[n->depth - 1].console_pos;
  if (pos < 0 || path_ends(w->console, pos)) return -1;
  int len = 0;
  while (w->console[pos + len] != '/' && !path_ends(w->console, pos + len)) len++;
  if (!fdt_name_matches(n->name, w->console + pos, (size_t)len)) return -1;
  return skip_slashes(w->console, pos + len);
}

/* A node whose properties are all gathered. */
static void read_node(walk_t *w, const node_t *n) {
  platform_t *p = w->p;
  level_t *own = &w->levels[n->depth];
  own->console_pos = console_pos(w, n);
  const prop_t *ac = &n->prop[P_ADDRESS_CELLS], *sc = &n->prop[P_SIZE_CELLS];
  if (fdt_cells_decode(ac->data, ac->len, sc->data, sc->len, &own->addr_cells, &own->size_cells) !=
      NX_OK) {
    own->addr_cells = 0;
  }
  if (n->depth == 0) return;
  if (n->depth == 1) {
    w->top = n->offset;
    if (w->cpus < 0 && fdt_name_matches(n->name, "cpus", 4)) w->cpus = n->offset;
  }
  const prop_t *type = &n->prop[P_DEVICE_TYPE];
  if (n->depth == 1 && type->len == sizeof "memory" && has_string(type, "memory")) {
    uint64_t base, size;
    for (uint32_t i = 0; reg_of(w, n, i, &base, &size) == NX_OK; i++) {
      if (p->memory.size == 0) {
        p->memory.base = base;
        p->memory.size = size;
      }
      p->memory_total += size;
    }
  }
  if (n->depth == 2 && w->top == w->cpus && type->len == sizeof "cpu" && has_string(type, "cpu")) {
    p->hart_count++;
  }
  const prop_t *compat = &n->prop[P_COMPATIBLE];
  uint32_t kinds = fdt_list_match((const char *)compat->data, compat->len, COMPAT_NAMES, C_COUNT);
  /* The console, else the first UART. */
  bool console = own->console_pos >= 0 && path_ends(w->console, own->console_pos);
  if ((kinds & 1u << C_UART) && (!w->have_uart || (console && !w->have_console))) {
    read_region(w, n, &p->uart);
    w->have_uart = p->uart.size != 0;
    w->have_console = w->have_uart && console;
    /* Its interrupt line, for the user-space driver (0: none given). */
    if (!read_irq(n, &p->uart_irq)) p->uart_irq = 0;
  }
  if ((kinds & 1u << C_TEST) && !p->test_device.size) {
    read_region(w, n, &p->test_device);
  }
  if ((kinds & 1u << C_PLIC) && !p->plic.size) {
    read_region(w, n, &p->plic);
    if (p->plic.size) read_plic(w, n->offset);
  }
  if ((kinds & 1u << C_VIRTIO) && p->virtio_count < PLATFORM_MAX_VIRTIO) {
    uint32_t i = p->virtio_count;
    /* A slot without a size or an interrupt line is of no use: skipped. */
    if (reg_of(w, n, 0, &p->virtio[i].base, &p->virtio[i].size) == NX_OK &&
        p->virtio[i].size != 0 && read_irq(n, &p->virtio_irq[i])) {
      p->virtio_count++;
    }
  }
}

int platform_from_fdt(const fdt_t *fdt, platform_t *out, const char **why) {
  platform_t p = {0};
  int chosen = fdt_path(fdt, "/chosen");
  walk_t w = {.fdt = fdt, .p = &p, .console = stdout_path(fdt, chosen), .cpus = -1, .top = -1};
  node_t n = {0};         /* a PROP item always follows its node's NODE item */
  bool gathering = false; /* n's properties may still come */
  fdt_walk_t walk = FDT_WALK_START;
  fdt_item_t item;
  int err;
  while ((err = fdt_walk_next(fdt, &walk, &item)) == NX_OK) {
    if (item.kind == FDT_ITEM_PROP) {
      gather(&n, &item);
      continue;
    }
    if (gathering) read_node(&w, &n);
    gathering = item.kind == FDT_ITEM_NODE;
    if (gathering) n = (node_t){item.node, item.depth, item.name, {{0}}};
  }
  if (err != NX_ERR_NOT_FOUND) {
    return fail(why, "malformed device tree structure", NX_ERR_BAD_FORMAT);
  }
  if (p.memory.size == 0) return fail(why, "no memory node with a reg", NX_ERR_NOT_FOUND);
  if (p.uart.size == 0) return fail(why, "no ns16550a console with a reg", NX_ERR_NOT_FOUND);
  uint32_t hz;
  if (w.cpus < 0 || fdt_prop_u32(fdt, w.cpus, "timebase-frequency", &hz) != NX_OK ||
      p.hart_count == 0) {
    return fail(why, "no /cpus with timebase-frequency and cpu nodes", NX_ERR_NOT_FOUND);
  }
  if (hz < PLATFORM_MIN_TIMEBASE_HZ) {
    return fail(why, "timebase-frequency below 100 Hz", NX_ERR_BAD_FORMAT);
  }
  p.timebase_hz = hz;
  if (read_initrd(fdt, chosen, &p) != NX_OK) {
    return fail(why, "bad linux,initrd-start/end in /chosen", NX_ERR_BAD_FORMAT);
  }
  if (read_bootargs(fdt, chosen, &p) != NX_OK) {
    return fail(why, "bad bootargs in /chosen (known: neuron.asid_bits=0..16)", NX_ERR_BAD_FORMAT);
  }
  if (w.bad_plic) {
    return fail(why, "riscv,plic0 without riscv,ndev or <phandle irq> interrupts-extended",
                NX_ERR_BAD_FORMAT);
  }
  *out = p;
  return NX_OK;
}
