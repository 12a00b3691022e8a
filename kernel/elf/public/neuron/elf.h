/*
 * The ELF front-end of the program loader: checks that a file is an ELF64
 * little-endian RISC-V static executable that can be placed in a user
 * address space, and describes what to map. The mapping itself is the
 * kernel's job; this module only reads the file, and allocates nothing.
 *
 * The file comes from the boot archive (or later from user space), so it is
 * untrusted: elf_describe() refuses, with a reason, anything it cannot vouch
 * for. A described image satisfies:
 *
 *   - every segment's file bytes lie inside the file;
 *   - every segment lies inside [user_min, user_max), rounded out to whole
 *     pages, and no two segments share a page (so each page has one owner
 *     and one set of permissions);
 *   - p_vaddr and p_offset agree modulo the page size (so a segment could be
 *     mapped straight from a page-aligned copy of the file);
 *   - no segment is both writable and executable, and none is writable
 *     without being readable (Sv39 reserves W without R), nor inaccessible;
 *   - the entry point is 2-byte aligned (the C extension's instruction
 *     alignment) inside an executable segment.
 */
#ifndef NEURON_ELF_H
#define NEURON_ELF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ELF_PAGE_SIZE 4096u

/* The most PT_LOAD segments an image may have. Linkers emit two to four. */
#define ELF_MAX_SEGMENTS 16u

/* The most program headers of any type; bounds the work on hostile input. */
#define ELF_MAX_PHDRS 64u

/* Segment permissions (ELF_PERM_W and ELF_PERM_X are never both set). */
#define ELF_PERM_R 1u
#define ELF_PERM_W 2u
#define ELF_PERM_X 4u

/* One range to map: [vaddr, vaddr + memsz), of which the first filesz bytes
 * come from `data` and the rest are zero. */
typedef struct elf_segment {
  uint64_t vaddr;
  uint64_t memsz;
  const void *data; /* inside the file */
  uint64_t filesz;  /* <= memsz */
  uint32_t perms;   /* ELF_PERM_* */
} elf_segment_t;

typedef struct elf_image {
  uint64_t entry;
  uint32_t flags; /* e_flags: the RISC-V float ABI and RVC/RVE bits, unchecked */
  uint32_t segment_count;
  elf_segment_t segments[ELF_MAX_SEGMENTS]; /* in program header order */
} elf_image_t;

/* Validates the ELF file of `size` bytes for a user address space of
 * [user_min, user_max) (both page-aligned; the Sv39 user half is
 * 0x1000 .. 0x3ffffff000) and fills *img. On failure returns a negative
 * NX_ERR_* code and, if why is not NULL, a reason, and leaves *img with no
 * segments:
 *
 *   NX_ERR_INVALID_ARGS   no file, or a bad user range (a caller bug)
 *   NX_ERR_BAD_FORMAT     the file is malformed
 *   NX_ERR_NOT_SUPPORTED  a well-formed ELF this loader will not run (not
 *                         RISC-V ELF64 LSB, not ET_EXEC, dynamically linked,
 *                         W^X violated, too many segments)
 *   NX_ERR_OUT_OF_RANGE   a segment lies outside the user address range */
int elf_describe(elf_image_t *img, const void *file, size_t size, uint64_t user_min,
                 uint64_t user_max, const char **why);

#ifdef __cplusplus
}
#endif

#endif
