/*
 * Boot archive reader. One decoder, decode(), reads the entry at an offset
 * with every bounds check; bootfs_open() runs it over the whole archive to
 * validate, and lookup and iteration reuse it, so there is one place that
 * knows the newc layout.
 *
 * Layout of an entry (all offsets relative to the archive, which starts on
 * an entry): a 110-byte header, the name and its NUL (namesize bytes), NUL
 * padding to a multiple of 4, the data (filesize bytes), NUL padding to a
 * multiple of 4. Every entry therefore starts 4-byte aligned.
 */
#include "neuron/bootfs.h"

#include <stdbool.h>

#include "neuron/errors.h"

/* The 13 header fields after the magic, in order. */
enum {
  F_INO,
  F_MODE,
  F_UID,
  F_GID,
  F_NLINK,
  F_MTIME,
  F_FILESIZE,
  F_DEVMAJOR,
  F_DEVMINOR,
  F_RDEVMAJOR,
  F_RDEVMINOR,
  F_NAMESIZE,
  F_CHECK,
  F_COUNT,
};

#define MAGIC_LEN 6u
#define FIELD_LEN 8u
#define MODE_TYPE_MASK 0170000u
#define MODE_REGULAR 0100000u

static const char kMagic[MAGIC_LEN] = {'0', '7', '0', '7', '0', '1'};
static const char kTrailer[] = "TRAILER!!!";

/* One decoded entry. */
typedef struct record {
  const char *name;
  uint32_t namesize; /* including the NUL */
  uint32_t mode;
  uint32_t nlink;
  const uint8_t *data;
  uint32_t filesize;
  size_t next; /* offset of the following entry */
  bool trailer;
} record_t;

static int fail(const char **why, int err, const char *reason) {
  if (why) *why = reason;
  return err;
}

/* Eight hex digits (either case, as the kernel's cpio reader accepts). */
static bool parse_hex8(const uint8_t *p, uint32_t *out) {
  uint32_t v = 0;
#pragma clang loop unroll(disable)
  /* Not unrolled: 8 copies of the digit's three ranges, in each of the 13
   * fields, would be most of the reader's code. */
  for (uint32_t i = 0; i < FIELD_LEN; i++) {
    uint8_t c = p[i];
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = (uint32_t)(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = (uint32_t)(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = (uint32_t)(c - 'A' + 10);
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  *out = v;
  return true;
}

/* Bytes of padding after offset `off` to the next multiple of 4. */
static size_t pad4(size_t off) { return (4u - (off & 3u)) & 3u; }

static bool all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != 0) return false;
  }
  return true;
}

static bool bytes_eq(const void *a, const void *b, size_t n) {
  const uint8_t *x = a;
  const uint8_t *y = b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

static bool str_eq(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return *a == *b;
}

/* Decodes the entry at `off` of base[0, size). Every subtraction below is
 * of a smaller bound from a larger one, so no sum can overflow. */
static int decode(const uint8_t *base, size_t size, size_t off, record_t *r, const char **why) {
  if (off == size) return fail(why, NX_ERR_BAD_FORMAT, "no trailer");
  if (off > size || size - off < BOOTFS_HEADER_SIZE) {
    return fail(why, NX_ERR_BAD_FORMAT, "truncated header");
  }
  const uint8_t *h = base + off;
  if (!bytes_eq(h, kMagic, MAGIC_LEN)) return fail(why, NX_ERR_BAD_FORMAT, "bad magic");
  uint32_t f[F_COUNT];
  for (uint32_t i = 0; i < F_COUNT; i++) {
    if (!parse_hex8(h + MAGIC_LEN + FIELD_LEN * (size_t)i, &f[i])) {
      return fail(why, NX_ERR_BAD_FORMAT, "bad hex digit in header");
    }
  }

  /* The name: at least one character and its NUL, and no NUL before. */
  size_t name_off = off + BOOTFS_HEADER_SIZE;
  uint32_t namesize = f[F_NAMESIZE];
  if (namesize < 2) return fail(why, NX_ERR_BAD_FORMAT, "empty name");
  if (namesize > size - name_off) return fail(why, NX_ERR_BAD_FORMAT, "name runs past the end");
  const uint8_t *name = base + name_off;
  for (uint32_t i = 0; i + 1 < namesize; i++) {
    if (name[i] == 0) return fail(why, NX_ERR_BAD_FORMAT, "NUL inside the name");
  }
  if (name[namesize - 1] != 0) return fail(why, NX_ERR_BAD_FORMAT, "name not NUL-terminated");
  size_t name_end = name_off + namesize;
  if (pad4(name_end) > size - name_end) {
    return fail(why, NX_ERR_BAD_FORMAT, "name runs past the end");
  }
  /* Padding must be NUL: pack.py writes it so, and a strict reader leaves
   * no bytes of the archive unexplained. */
  if (!all_zero(base + name_end, pad4(name_end))) {
    return fail(why, NX_ERR_BAD_FORMAT, "non-zero padding");
  }

  size_t data_off = name_end + pad4(name_end);
  uint32_t filesize = f[F_FILESIZE];
  if (filesize > size - data_off) return fail(why, NX_ERR_BAD_FORMAT, "data runs past the end");
  size_t data_end = data_off + filesize;
  if (pad4(data_end) > size - data_end) {
    return fail(why, NX_ERR_BAD_FORMAT, "data runs past the end");
  }
  if (!all_zero(base + data_end, pad4(data_end))) {
    return fail(why, NX_ERR_BAD_FORMAT, "non-zero padding");
  }

  r->name = (const char *)name;
  r->namesize = namesize;
  r->mode = f[F_MODE];
  r->nlink = f[F_NLINK];
  r->data = base + data_off;
  r->filesize = filesize;
  r->next = data_end + pad4(data_end);
  r->trailer = namesize == sizeof(kTrailer) && bytes_eq(name, kTrailer, sizeof(kTrailer));
  return NX_OK;
}

static void fill_entry(const record_t *r, bootfs_entry_t *out) {
  out->name = r->name;
  out->data = r->data;
  out->size = r->filesize;
  out->mode = r->mode;
}

/* Whether an entry before `end` has the same name as `r`. Those entries were
 * validated already, so decoding them cannot fail. */
static bool name_seen_before(const uint8_t *base, size_t size, size_t end, const record_t *r) {
  for (size_t off = 0; off < end;) {
    record_t prev;
    if (decode(base, size, off, &prev, 0) != NX_OK) return false;
    if (prev.namesize == r->namesize && bytes_eq(prev.name, r->name, r->namesize)) return true;
    off = prev.next;
  }
  return false;
}

int bootfs_open(bootfs_t *fs, const void *archive, size_t size, const char **why) {
  const uint8_t *base = archive;
  if (!base) return fail(why, NX_ERR_INVALID_ARGS, "no archive");
  uint32_t count = 0;
  size_t off = 0;
  for (;;) {
    record_t r;
    int err = decode(base, size, off, &r, why);
    if (err != NX_OK) return err;
    if (r.trailer) {
      if (r.filesize != 0) return fail(why, NX_ERR_BAD_FORMAT, "trailer has data");
      off = r.next;
      break;
    }
    /* Directories, symlinks and devices mean nothing to the kernel, and a
     * hard link's data may sit on another entry, so only plain files pass. */
    if ((r.mode & MODE_TYPE_MASK) != MODE_REGULAR) {
      return fail(why, NX_ERR_NOT_SUPPORTED, "not a regular file");
    }
    if (r.nlink != 1) return fail(why, NX_ERR_NOT_SUPPORTED, "hard links are not supported");
    if (count == BOOTFS_MAX_ENTRIES) return fail(why, NX_ERR_NOT_SUPPORTED, "too many files");
    /* Two files with one name would make lookup depend on archive order. */
    if (name_seen_before(base, size, off, &r)) {
      return fail(why, NX_ERR_BAD_FORMAT, "duplicate name");
    }
    count++;
    off = r.next;
  }
  if (!all_zero(base + off, size - off)) {
    return fail(why, NX_ERR_BAD_FORMAT, "data after the trailer");
  }
  fs->base = base;
  fs->size = off;
  fs->count = count;
  return NX_OK;
}

int bootfs_lookup(const bootfs_t *fs, const char *name, bootfs_entry_t *out) {
  for (size_t off = 0;;) {
    record_t r;
    if (decode(fs->base, fs->size, off, &r, 0) != NX_OK || r.trailer) return NX_ERR_NOT_FOUND;
    if (str_eq(r.name, name)) {
      fill_entry(&r, out);
      return NX_OK;
    }
    off = r.next;
  }
}

int bootfs_next(const bootfs_t *fs, size_t *cursor, bootfs_entry_t *out) {
  record_t r;
  /* A cursor that is not an entry boundary did not come from here; it is
   * still decoded with full bounds checks, so it cannot read outside. */
  if (*cursor % 4 != 0 || decode(fs->base, fs->size, *cursor, &r, 0) != NX_OK) {
    return NX_ERR_INVALID_ARGS;
  }
  if (r.trailer) return NX_ERR_NOT_FOUND;
  fill_entry(&r, out);
  *cursor = r.next;
  return NX_OK;
}
