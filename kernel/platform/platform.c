/*
 * The machine description, read in one walk over the device tree: each
 * node's reg is decoded with the cells its parent declared (kept per depth
 * on the way down), so no lookup searches the tree again for a parent.
 * Only /chosen (stdout-path, initrd) is looked up by path.
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

/* The node stdout-path names, or a negative code. */
static int stdout_node(const fdt_t *fdt, int chosen) {
  uint32_t len;
  const char *path = chosen >= 0 ? fdt_prop(fdt, chosen, "stdout-path", &len) : 0;
  if (!path || len == 0 || path[len - 1] != 0 || path[0] != '/') return NX_ERR_NOT_FOUND;
  return fdt_path(fdt, path);
}

/* What the walk keeps per depth: the node, and the cells it gives its
 * children, read only when a child needs them (few nodes have a reg the
 * kernel wants, and each read scans the node's properties). */
typedef struct level {
  int node;
  bool known;
  uint32_t addr_cells, size_cells;
} level_t;

/* Decodes entry `index` of node's reg with its parent's cells. */
static int reg_of(const fdt_t *fdt, int node, level_t *parent, uint32_t index, uint64_t *base,
                  uint64_t *size) {
  if (!parent->known) {
    if (fdt_cells(fdt, parent->node, &parent->addr_cells, &parent->size_cells) != NX_OK) {
      parent->addr_cells = 0; /* children's reg cannot be decoded */
    }
    parent->known = true;
  }
  return fdt_reg_cells(fdt, node, parent->addr_cells, parent->size_cells, index, base, size);
}

typedef struct walk {
  const fdt_t *fdt;
  platform_t *p;
  int console; /* stdout-path's node, if any */
  int cpus;    /* the /cpus node */
  int top;     /* the depth-1 node the walk is under */
  bool have_uart;
  bool bad_plic;
} walk_t;

static void read_region(const walk_t *w, int node, level_t *parent, platform_region_t *r) {
  if (reg_of(w->fdt, node, parent, 0, &r->base, &r->size) != NX_OK) {
    r->base = 0;
    r->size = 0;
  }
}

/* The riscv,cpu-intc binding numbers a hart's local interrupts by their
 * scause code: 9 is the supervisor external interrupt. */
#define HART_IRQ_S_EXTERNAL 9u

static uint32_t be32(const uint8_t *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The PLIC's lines, and its context for the first hart's S-mode: its
 * interrupts-extended names one hart interrupt per context, in context
 * order, as <phandle irq> pairs (riscv,cpu-intc has #interrupt-cells = 1).
 * A PLIC that reaches no S-mode is of no use to the kernel: it counts as
 * absent. */
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
    if (be32(pairs + 8 * (size_t)i + 4) == HART_IRQ_S_EXTERNAL) {
      p->plic_context = i;
      return;
    }
  }
  p->plic = (platform_region_t){0};
  p->plic_sources = 0;
}

static void visit(walk_t *w, int node, int depth, level_t *parent) {
  const fdt_t *fdt = w->fdt;
  platform_t *p = w->p;
  /* Each property is fetched once per node: the walk is most of boot's
   * device-tree time. */
  uint32_t type_len = 0, compat_len = 0;
  const char *type = fdt_prop(fdt, node, "device_type", &type_len);
  const char *compat = fdt_prop(fdt, node, "compatible", &compat_len);
  bool is_memory = type_len == sizeof "memory" && fdt_list_contains(type, type_len, "memory");
  bool is_cpu = type_len == sizeof "cpu" && fdt_list_contains(type, type_len, "cpu");
  if (depth == 1 && is_memory) {
    uint64_t base, size;
    for (uint32_t i = 0; reg_of(fdt, node, parent, i, &base, &size) == NX_OK; i++) {
      if (p->memory.size == 0) {
        p->memory.base = base;
        p->memory.size = size;
      }
      p->memory_total += size;
    }
  }
  if (depth == 2 && w->top == w->cpus && is_cpu) {
    p->hart_count++;
  }
  if (!compat) return;
  if (fdt_list_contains(compat, compat_len, "ns16550a") && (!w->have_uart || node == w->console)) {
    read_region(w, node, parent, &p->uart);
    w->have_uart = p->uart.size != 0;
    /* Its interrupt line, for the user-space driver (0: none given). */
    p->uart_irq = 0;
    fdt_prop_u32(w->fdt, node, "interrupts", &p->uart_irq);
  }
  if (fdt_list_contains(compat, compat_len, "sifive,test0") && !p->test_device.size) {
    read_region(w, node, parent, &p->test_device);
  }
  if (fdt_list_contains(compat, compat_len, "riscv,plic0") && !p->plic.size) {
    read_region(w, node, parent, &p->plic);
    if (p->plic.size) read_plic(w, node);
  }
  if (fdt_list_contains(compat, compat_len, "virtio,mmio") &&
      p->virtio_count < PLATFORM_MAX_VIRTIO) {
    uint32_t i = p->virtio_count;
    if (reg_of(fdt, node, parent, 0, &p->virtio[i].base, &p->virtio[i].size) == NX_OK &&
        fdt_prop_u32(fdt, node, "interrupts", &p->virtio_irq[i]) == NX_OK) {
      p->virtio_count++;
    }
  }
}

int platform_from_fdt(const fdt_t *fdt, platform_t *out, const char **why) {
  platform_t p = {0};
  int chosen = fdt_path(fdt, "/chosen");
  walk_t w = {fdt, &p, stdout_node(fdt, chosen), fdt_path(fdt, "/cpus"), -1, false, false};
  level_t levels[FDT_MAX_DEPTH];
  int depth = 0;
  for (int node = fdt_root(fdt); node >= 0; node = fdt_next_node(fdt, node, &depth)) {
    levels[depth].node = node;
    levels[depth].known = false;
    if (depth == 1) w.top = node;
    if (depth > 0) visit(&w, node, depth, &levels[depth - 1]);
  }
  if (p.memory.size == 0) return fail(why, "no memory node with a reg", NX_ERR_NOT_FOUND);
  if (p.uart.size == 0) return fail(why, "no ns16550a console with a reg", NX_ERR_NOT_FOUND);
  uint32_t hz;
  if (w.cpus < 0 || fdt_prop_u32(fdt, w.cpus, "timebase-frequency", &hz) != NX_OK ||
      p.hart_count == 0) {
    return fail(why, "no /cpus with timebase-frequency and cpu nodes", NX_ERR_NOT_FOUND);
  }
  p.timebase_hz = hz;
  if (read_initrd(fdt, chosen, &p) != NX_OK) {
    return fail(why, "bad linux,initrd-start/end in /chosen", NX_ERR_BAD_FORMAT);
  }
  if (w.bad_plic) {
    return fail(why, "riscv,plic0 without riscv,ndev or <phandle irq> interrupts-extended",
                NX_ERR_BAD_FORMAT);
  }
  *out = p;
  return NX_OK;
}
