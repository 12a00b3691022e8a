/*
 * The little protocol between the IPC test clients and servers: w0 of a
 * call names the operation. Every message carries four words (w0..w3);
 * handles and bytes travel in the IPC buffers, counted in the info word.
 */
#ifndef TESTS_QEMU_PROGRAMS_IPC_PROTO_H
#define TESTS_QEMU_PROGRAMS_IPC_PROTO_H

enum {
  OP_INC = 1,   /* reply w0 = w1 + 1, w1 = w2 ^ w3, w2 = w3, w3 = w2 (words only) */
  OP_BUF = 2,   /* check the bytes' pattern; reply them inverted, w0 = bytes that matched */
  OP_BADGE = 3, /* reply w0 = the badge the call came through */
  OP_VMO = 4,   /* handle 0 is a VMO: read it, write an answer into it, send it back */
  OP_QUIT = 5,  /* reply, then end */
  OP_DIE = 6,   /* end without replying: the call fails with NX_ERR_NOT_FOUND */
};

/* The byte the client puts at offset i of its IPC buffer's bytes. */
static inline unsigned char proto_pattern(unsigned i) { return (unsigned char)(i * 7u + 3u); }

#endif
