/*
 * kmain: the portable start of NEURON. The architecture entry calls it with
 * the boot hart's id and the device tree's address; it validates the tree,
 * learns the machine from it and brings up the console.
 */
#include "neuron/arch/machine.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/arch/sbi.h"
#include "neuron/console.h"
#include "neuron/errors.h"
#include "neuron/fdt.h"
#include "neuron/platform.h"
#include "neuron/version.h"

__attribute__((noreturn)) void kmain(unsigned long hartid, uint64_t dtb_phys);

void kmain(unsigned long hartid, uint64_t dtb_phys) {
  console_set_output(sbi_console_putc);
  const void *dtb = dtb_phys ? phys_to_virt(dtb_phys) : 0;
  fdt_t fdt;
  const char *why = "no device tree";
  uint32_t size = dtb ? fdt_header_total_size(dtb) : 0;
  if (!dtb || fdt_open(&fdt, dtb, size, &why) != NX_OK) {
    kprintf("NEURON: device tree rejected: %s\n", why);
    machine_exit(0, 1);
  }
  platform_t platform;
  if (platform_from_fdt(&fdt, &platform, &why) != NX_OK) {
    kprintf("NEURON: device tree incomplete: %s\n", why);
    machine_exit(0, 1);
  }
  machine_console_init(&platform);
  kprintf("NEURON %s hart %lu\n", NEURON_VERSION, hartid);
  kprintf("memory: %lu MiB at %#lx\n", (unsigned long)(platform.memory_total >> 20),
          (unsigned long)platform.memory.base);
  kprintf("NEURON: halting\n");
  machine_exit(&platform, 0);
}
