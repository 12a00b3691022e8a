/*
 * The boot plan: what init starts, in which order, with what. The build
 * writes it from the system manifest (tools/manifest, docs/manifest.md,
 * format version 1) and packs it as etc/bootplan; init reads it here.
 *
 * The format is line-based ASCII so this reader needs no library: a header
 * ("nexus-bootplan 1", "programs N"), then per program "program NAME",
 * "priority P", "quota Q", any number of "provides S", "calls S",
 * "mmio R", "irq L" lines, and "end". Programs come in dependency order.
 * The reader is strict: anything else is refused with a reason, so a plan
 * the checker did not write never half-starts a system.
 */
#ifndef NEURON_BOOTPLAN_H
#define NEURON_BOOTPLAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The format's limits (tools/manifest/manifest_check.py checks the same). */
#define BOOTPLAN_VERSION 1
#define BOOTPLAN_NAME_MAX 31
#define BOOTPLAN_PROGRAMS 32
#define BOOTPLAN_CALLS 16
#define BOOTPLAN_DEVICES 8

/* The badge init mints into each program's send capabilities: the
 * program's plan index + 1 (0 means unbadged, never a program), kept across
 * restarts. Servers tell their clients apart by it. init calls services
 * (the registry's init-only methods) with a badge of its own, which no
 * program's badge can equal. */
#define BOOTPLAN_BADGE(index) ((uint64_t)(index) + 1u)
#define BOOTPLAN_BADGE_INIT ((uint64_t)BOOTPLAN_PROGRAMS + 1u)

typedef char bootplan_name_t[BOOTPLAN_NAME_MAX + 1];

typedef struct bootplan_program {
  bootplan_name_t name;
  uint32_t priority;
  uint32_t quota_pages;
  bootplan_name_t provides; /* "" if it serves nothing */
  bootplan_name_t calls[BOOTPLAN_CALLS];
  uint32_t call_count;
  bootplan_name_t mmio[BOOTPLAN_DEVICES];
  uint32_t mmio_count;
  bootplan_name_t irqs[BOOTPLAN_DEVICES];
  uint32_t irq_count;
} bootplan_program_t;

typedef struct bootplan {
  bootplan_program_t programs[BOOTPLAN_PROGRAMS];
  uint32_t count;
} bootplan_t;

/* Parses the `size` bytes at `text` into *out. NX_OK, or NX_ERR_BAD_FORMAT
 * with a reason in *why (and the 1-based line in *line, 0 if none). */
int bootplan_parse(const char *text, size_t size, bootplan_t *out, const char **why,
                   uint32_t *line);

/* Whether `p` lists `name` among `count` names. */
int bootplan_has(const bootplan_name_t *names, uint32_t count, const char *name);

#ifdef __cplusplus
}
#endif

#endif
