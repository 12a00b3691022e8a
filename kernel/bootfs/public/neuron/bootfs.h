/*
 * The boot archive reader: the user programs QEMU loads as the initrd, in
 * the cpio "newc" format written by //tools/bootarchive:pack.
 *
 * The archive is untrusted input, so bootfs_open() walks it once and refuses
 * anything malformed before any lookup happens: a bad magic or hex digit,
 * a name or file that runs past the end, an unterminated name, non-zero
 * padding, a missing trailer, anything but regular files, hard links,
 * duplicate names, or more than BOOTFS_MAX_ENTRIES files. Lookups and
 * iteration then reuse the same bounds-checked decoder, so no input can make
 * them read outside the archive.
 *
 * Nothing is copied or allocated: names and data point into the archive,
 * which must stay mapped while they are in use.
 */
#ifndef NEURON_BOOTFS_H
#define NEURON_BOOTFS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A newc header: the magic "070701" and 13 fields of 8 hex digits. */
#define BOOTFS_HEADER_SIZE 110u

/* The most files an archive may hold. Duplicate names are refused, which
 * costs a pass over the earlier entries per entry, so the bound keeps
 * bootfs_open() cheap even for a hostile archive of tiny entries. */
#define BOOTFS_MAX_ENTRIES 256u

typedef struct bootfs {
  const uint8_t *base;
  size_t size;    /* bytes up to the end of the trailer entry */
  uint32_t count; /* files, not counting the trailer */
} bootfs_t;

/* One file of the archive. */
typedef struct bootfs_entry {
  const char *name; /* NUL-terminated, inside the archive ("bin/init") */
  const void *data; /* the file's bytes, inside the archive */
  size_t size;
  uint32_t mode; /* st_mode: S_IFREG and the permission bits */
} bootfs_entry_t;

/* Validates the archive of `size` bytes and fills *fs. Only NUL bytes may
 * follow the trailer (padding, as cpio writes to whole blocks). On failure
 * returns a negative NX_ERR_* code and, if why is not NULL, a reason. */
int bootfs_open(bootfs_t *fs, const void *archive, size_t size, const char **why);

/* The file named exactly `name`, or NX_ERR_NOT_FOUND. */
int bootfs_lookup(const bootfs_t *fs, const char *name, bootfs_entry_t *out);

/* Iteration in archive order. Start with *cursor = BOOTFS_ITER_START; each
 * call fills *out and advances *cursor, and returns NX_ERR_NOT_FOUND after
 * the last file:
 *
 *   size_t cursor = BOOTFS_ITER_START;
 *   bootfs_entry_t e;
 *   while (bootfs_next(&fs, &cursor, &e) == NX_OK) { ... }
 */
#define BOOTFS_ITER_START 0u
int bootfs_next(const bootfs_t *fs, size_t *cursor, bootfs_entry_t *out);

#ifdef __cplusplus
}
#endif

#endif
