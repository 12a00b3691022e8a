/*
 * ELF64 loader front-end. The file may sit at any alignment inside the boot
 * archive, so every field is read byte by byte; every offset and size from
 * the file is checked against its bound by subtraction, never by a sum that
 * could wrap.
 */
#include "neuron/elf.h"

#include <stdbool.h>

#include "neuron/errors.h"

/* ELF64 header layout (System V ABI, "ELF Header"). */
enum {
  EH_CLASS = 4,
  EH_DATA = 5,
  EH_IDENT_VERSION = 6,
  EH_TYPE = 16,
  EH_MACHINE = 18,
  EH_VERSION = 20,
  EH_ENTRY = 24,
  EH_PHOFF = 32,
  EH_FLAGS = 48,
  EH_PHENTSIZE = 54,
  EH_PHNUM = 56,
  EH_SIZE = 64,
};

/* ELF64 program header layout. */
enum {
  PH_TYPE = 0,
  PH_FLAGS = 4,
  PH_OFFSET = 8,
  PH_VADDR = 16,
  PH_FILESZ = 32,
  PH_MEMSZ = 40,
  PH_SIZE = 56,
};

enum {
  ELFCLASS64 = 2,
  ELFDATA2LSB = 1,
  EV_CURRENT = 1,
  ET_EXEC = 2,
  EM_RISCV = 243,
  PT_LOAD = 1,
  PT_DYNAMIC = 2,
  PT_INTERP = 3,
  PF_X = 1,
  PF_W = 2,
  PF_R = 4,
};

static uint64_t le(const uint8_t *p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = bytes; i > 0; i--) v = (v << 8) | p[i - 1];
  return v;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)le(p, 2); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le(p, 4); }
static uint64_t le64(const uint8_t *p) { return le(p, 8); }

static uint64_t page_down(uint64_t v) { return v & ~(uint64_t)(ELF_PAGE_SIZE - 1); }

/* Only called on ends already checked to be <= a page-aligned user_max, so
 * rounding up cannot wrap. */
static uint64_t page_up(uint64_t v) { return page_down(v + (ELF_PAGE_SIZE - 1)); }

/* A refusal: its reason for the caller (elf_describe() clears the image,
 * once for every refusal). */
static int fail(const char **why, int err, const char *reason) {
  if (why) *why = reason;
  return err;
}

/* The header fields elf_describe() needs beyond the identity checks. */
typedef struct header {
  uint64_t entry;
  uint64_t phoff;
  uint32_t flags;
  uint16_t phnum;
} header_t;

static int check_header(const uint8_t *f, size_t size, header_t *h, const char **why) {
  if (size < EH_SIZE) return fail(why, NX_ERR_BAD_FORMAT, "smaller than an ELF header");
  if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F') {
    return fail(why, NX_ERR_BAD_FORMAT, "not an ELF file");
  }
  if (f[EH_CLASS] != ELFCLASS64) return fail(why, NX_ERR_NOT_SUPPORTED, "not ELF64");
  if (f[EH_DATA] != ELFDATA2LSB) return fail(why, NX_ERR_NOT_SUPPORTED, "not little-endian");
  if (f[EH_IDENT_VERSION] != EV_CURRENT || le32(f + EH_VERSION) != EV_CURRENT) {
    return fail(why, NX_ERR_BAD_FORMAT, "bad ELF version");
  }
  /* ET_DYN (PIE) would need relocation, which this loader does not do. */
  if (le16(f + EH_TYPE) != ET_EXEC) {
    return fail(why, NX_ERR_NOT_SUPPORTED, "not an executable (ET_EXEC)");
  }
  if (le16(f + EH_MACHINE) != EM_RISCV) return fail(why, NX_ERR_NOT_SUPPORTED, "not RISC-V");
  if (le16(f + EH_PHENTSIZE) != PH_SIZE) {
    return fail(why, NX_ERR_BAD_FORMAT, "bad program header size");
  }
  h->entry = le64(f + EH_ENTRY);
  h->phoff = le64(f + EH_PHOFF);
  h->flags = le32(f + EH_FLAGS);
  h->phnum = le16(f + EH_PHNUM);
  if (h->phnum == 0) return fail(why, NX_ERR_BAD_FORMAT, "no program headers");
  /* This also refuses PN_XNUM (0xffff), the escape to a count stored in
   * section 0, which no static executable needs. */
  if (h->phnum > ELF_MAX_PHDRS) {
    return fail(why, NX_ERR_NOT_SUPPORTED, "too many program headers");
  }
  if (h->phoff > size || (size_t)h->phnum * PH_SIZE > size - h->phoff) {
    return fail(why, NX_ERR_BAD_FORMAT, "program headers outside the file");
  }
  return NX_OK;
}

static uint32_t perms_of(uint32_t p_flags) {
  return ((p_flags & PF_R) ? ELF_PERM_R : 0) | ((p_flags & PF_W) ? ELF_PERM_W : 0) |
         ((p_flags & PF_X) ? ELF_PERM_X : 0);
}

/* Whether the page ranges of two segments intersect. */
static bool pages_overlap(const elf_segment_t *a, const elf_segment_t *b) {
  uint64_t a_lo = page_down(a->vaddr), a_hi = page_up(a->vaddr + a->memsz);
  uint64_t b_lo = page_down(b->vaddr), b_hi = page_up(b->vaddr + b->memsz);
  return a_lo < b_hi && b_lo < a_hi;
}

/* Checks one PT_LOAD header and appends it to img->segments. */
static int add_load(elf_image_t *img, const uint8_t *f, size_t size, const uint8_t *ph,
                    uint64_t user_min, uint64_t user_max, const char **why) {
  uint64_t offset = le64(ph + PH_OFFSET);
  uint64_t vaddr = le64(ph + PH_VADDR);
  uint64_t filesz = le64(ph + PH_FILESZ);
  uint64_t memsz = le64(ph + PH_MEMSZ);
  uint32_t perms = perms_of(le32(ph + PH_FLAGS));

  if (filesz > memsz) {
    return fail(why, NX_ERR_BAD_FORMAT, "segment file size exceeds its memory size");
  }
  /* An empty segment maps nothing; linkers may still emit one. */
  if (memsz == 0) return NX_OK;
  if (offset > size || filesz > size - offset) {
    return fail(why, NX_ERR_BAD_FORMAT, "segment outside the file");
  }
  if (vaddr % ELF_PAGE_SIZE != offset % ELF_PAGE_SIZE) {
    return fail(why, NX_ERR_BAD_FORMAT, "segment address and file offset misaligned");
  }
  if (vaddr < user_min || vaddr > user_max || memsz > user_max - vaddr) {
    return fail(why, NX_ERR_OUT_OF_RANGE, "segment outside the user address range");
  }
  if ((perms & ELF_PERM_W) && (perms & ELF_PERM_X)) {
    return fail(why, NX_ERR_NOT_SUPPORTED, "segment both writable and executable");
  }
  if ((perms & ELF_PERM_W) && !(perms & ELF_PERM_R)) {
    return fail(why, NX_ERR_NOT_SUPPORTED, "segment writable but not readable");
  }
  if (perms == 0) return fail(why, NX_ERR_NOT_SUPPORTED, "segment without permissions");
  if (img->segment_count == ELF_MAX_SEGMENTS) {
    return fail(why, NX_ERR_NOT_SUPPORTED, "too many segments");
  }

  elf_segment_t *s = &img->segments[img->segment_count];
  s->vaddr = vaddr;
  s->memsz = memsz;
  s->data = f + offset;
  s->filesz = filesz;
  s->perms = perms;
  for (uint32_t i = 0; i < img->segment_count; i++) {
    if (pages_overlap(&img->segments[i], s)) {
      return fail(why, NX_ERR_BAD_FORMAT, "segments share a page");
    }
  }
  img->segment_count++;
  return NX_OK;
}

static bool entry_is_executable(const elf_image_t *img, uint64_t entry) {
  for (uint32_t i = 0; i < img->segment_count; i++) {
    const elf_segment_t *s = &img->segments[i];
    if ((s->perms & ELF_PERM_X) && entry >= s->vaddr && entry - s->vaddr < s->memsz) return true;
  }
  return false;
}

/* elf_describe() but for clearing the image when it refuses. */
static int describe(elf_image_t *img, const void *file, size_t size, uint64_t user_min,
                    uint64_t user_max, const char **why) {
  const uint8_t *f = file;
  img->segment_count = 0;
  if (!f) return fail(why, NX_ERR_INVALID_ARGS, "no file");
  if (user_min >= user_max || user_min % ELF_PAGE_SIZE != 0 || user_max % ELF_PAGE_SIZE != 0) {
    return fail(why, NX_ERR_INVALID_ARGS, "bad user range");
  }
  header_t h;
  int err = check_header(f, size, &h, why);
  if (err != NX_OK) return err;

  for (uint32_t i = 0; i < h.phnum; i++) {
    const uint8_t *ph = f + h.phoff + (size_t)i * PH_SIZE;
    uint32_t type = le32(ph + PH_TYPE);
    /* A program that needs a dynamic linker cannot run without one. */
    if (type == PT_INTERP || type == PT_DYNAMIC) {
      return fail(why, NX_ERR_NOT_SUPPORTED, "dynamically linked");
    }
    /* Other types (PHDR, NOTE, TLS, GNU_STACK, GNU_RELRO, RISCV_ATTRIBUTES)
     * describe parts of the loaded segments or hints; none changes what is
     * mapped. */
    if (type != PT_LOAD) continue;
    err = add_load(img, f, size, ph, user_min, user_max, why);
    if (err != NX_OK) return err;
  }
  if (img->segment_count == 0) return fail(why, NX_ERR_BAD_FORMAT, "no loadable segment");
  if (h.entry % 2 != 0) return fail(why, NX_ERR_BAD_FORMAT, "entry point misaligned");
  if (!entry_is_executable(img, h.entry)) {
    return fail(why, NX_ERR_BAD_FORMAT, "entry point outside executable segments");
  }
  img->entry = h.entry;
  img->flags = h.flags;
  return NX_OK;
}

int elf_describe(elf_image_t *img, const void *file, size_t size, uint64_t user_min,
                 uint64_t user_max, const char **why) {
  int err = describe(img, file, size, user_min, user_max, why);
  if (err != NX_OK) {
    img->entry = 0;
    img->flags = 0;
    img->segment_count = 0;
  }
  return err;
}
