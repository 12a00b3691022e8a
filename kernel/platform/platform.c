#include "neuron/platform.h"

#include "neuron/errors.h"

static int fail(const char **why, const char *reason, int err) {
  if (why) *why = reason;
  return err;
}

static int read_memory(const fdt_t *fdt, platform_t *p) {
  int depth = 0;
  for (int node = fdt_root(fdt); node >= 0; node = fdt_next_node(fdt, node, &depth)) {
    if (depth != 1 || !fdt_prop_is(fdt, node, "device_type", "memory")) continue;
    uint64_t base;
    uint64_t size;
    for (uint32_t i = 0; fdt_reg(fdt, node, i, &base, &size) == NX_OK; i++) {
      if (p->memory.size == 0) {
        p->memory.base = base;
        p->memory.size = size;
      }
      p->memory_total += size;
    }
  }
  return p->memory.size ? NX_OK : NX_ERR_NOT_FOUND;
}

/* The console: /chosen stdout-path if it names an ns16550a, else the first
 * ns16550a in the tree. */
static int read_uart(const fdt_t *fdt, platform_t *p) {
  int node = NX_ERR_NOT_FOUND;
  int chosen = fdt_path(fdt, "/chosen");
  uint32_t len;
  const char *path = chosen >= 0 ? fdt_prop(fdt, chosen, "stdout-path", &len) : 0;
  if (path && len > 0 && path[len - 1] == 0 && path[0] == '/') node = fdt_path(fdt, path);
  if (node < 0 || !fdt_is_compatible(fdt, node, "ns16550a")) {
    node = fdt_find_compatible(fdt, FDT_FROM_START, "ns16550a");
  }
  if (node < 0) return node;
  return fdt_reg(fdt, node, 0, &p->uart.base, &p->uart.size);
}

static void read_optional(const fdt_t *fdt, const char *compat, platform_region_t *r) {
  int node = fdt_find_compatible(fdt, FDT_FROM_START, compat);
  if (node < 0 || fdt_reg(fdt, node, 0, &r->base, &r->size) != NX_OK) {
    r->base = 0;
    r->size = 0;
  }
}

static int read_cpus(const fdt_t *fdt, platform_t *p) {
  int cpus = fdt_path(fdt, "/cpus");
  if (cpus < 0) return cpus;
  uint32_t hz;
  int err = fdt_prop_u32(fdt, cpus, "timebase-frequency", &hz);
  if (err != NX_OK) return err;
  p->timebase_hz = hz;
  int depth = 0;
  for (int node = fdt_next_node(fdt, cpus, &depth); node >= 0 && depth > 0;
       node = fdt_next_node(fdt, node, &depth)) {
    if (depth == 1 && fdt_prop_is(fdt, node, "device_type", "cpu")) p->hart_count++;
  }
  return p->hart_count ? NX_OK : NX_ERR_NOT_FOUND;
}

/* A /chosen property of one or two cells (QEMU writes either). */
static int read_chosen_address(const fdt_t *fdt, int chosen, const char *name, uint64_t *out) {
  uint32_t len;
  const uint8_t *v = fdt_prop(fdt, chosen, name, &len);
  if (!v) return NX_ERR_NOT_FOUND;
  if (len != 4 && len != 8) return NX_ERR_BAD_FORMAT;
  uint64_t x = 0;
  for (uint32_t i = 0; i < len; i++) x = (x << 8) | v[i];
  *out = x;
  return NX_OK;
}

/* The initrd (boot archive), if the loader left one: start and end in /chosen. */
static int read_initrd(const fdt_t *fdt, platform_t *p) {
  int chosen = fdt_path(fdt, "/chosen");
  uint64_t start, end;
  if (chosen < 0) return NX_OK;
  int err = read_chosen_address(fdt, chosen, "linux,initrd-start", &start);
  if (err == NX_ERR_NOT_FOUND) return NX_OK; /* no initrd is fine */
  if (err != NX_OK || read_chosen_address(fdt, chosen, "linux,initrd-end", &end) != NX_OK ||
      end < start) {
    return NX_ERR_BAD_FORMAT;
  }
  p->initrd.base = start;
  p->initrd.size = end - start;
  return NX_OK;
}

static void read_virtio(const fdt_t *fdt, platform_t *p) {
  for (int node = fdt_find_compatible(fdt, FDT_FROM_START, "virtio,mmio");
       node >= 0 && p->virtio_count < PLATFORM_MAX_VIRTIO;
       node = fdt_find_compatible(fdt, node, "virtio,mmio")) {
    uint32_t i = p->virtio_count;
    if (fdt_reg(fdt, node, 0, &p->virtio[i].base, &p->virtio[i].size) != NX_OK) continue;
    if (fdt_prop_u32(fdt, node, "interrupts", &p->virtio_irq[i]) != NX_OK) continue;
    p->virtio_count++;
  }
}

int platform_from_fdt(const fdt_t *fdt, platform_t *out, const char **why) {
  platform_t p = {0};
  if (read_memory(fdt, &p) != NX_OK) {
    return fail(why, "no memory node with a reg", NX_ERR_NOT_FOUND);
  }
  if (read_uart(fdt, &p) != NX_OK) {
    return fail(why, "no ns16550a console with a reg", NX_ERR_NOT_FOUND);
  }
  if (read_cpus(fdt, &p) != NX_OK) {
    return fail(why, "no /cpus with timebase-frequency and cpu nodes", NX_ERR_NOT_FOUND);
  }
  if (read_initrd(fdt, &p) != NX_OK) {
    return fail(why, "bad linux,initrd-start/end in /chosen", NX_ERR_BAD_FORMAT);
  }
  read_optional(fdt, "sifive,test0", &p.test_device);
  read_optional(fdt, "riscv,plic0", &p.plic);
  read_virtio(fdt, &p);
  *out = p;
  return NX_OK;
}
