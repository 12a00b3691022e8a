/* The kernel's printf formatter (see neuron/console.h for what it takes). */
#include <stdint.h>

#include "neuron/console.h"

typedef struct spec {
  int alt;  /* '#': 0x prefix for %x */
  char pad; /* ' ' or '0' */
  unsigned width;
  int size; /* 0 = int, 1 = long, 2 = long long */
} spec_t;

typedef struct out {
  void (*putc)(char c, void *ctx);
  void *ctx;
  size_t count;
} out_t;

static void emit(out_t *o, char c) {
  o->putc(c, o->ctx);
  o->count++;
}

static void emit_number(out_t *o, const spec_t *s, uint64_t v, unsigned base, int negative) {
  char digits[24];
  unsigned n = 0;
  do {
    unsigned d = (unsigned)(v % base);
    digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  unsigned len = n + (negative ? 1u : 0u) + (s->alt ? 2u : 0u);
  if (s->pad == ' ') {
    for (unsigned i = len; i < s->width; i++) emit(o, ' ');
  }
  if (negative) emit(o, '-');
  if (s->alt) {
    emit(o, '0');
    emit(o, 'x');
  }
  if (s->pad == '0') {
    for (unsigned i = len; i < s->width; i++) emit(o, '0');
  }
  while (n) emit(o, digits[--n]);
}

static uint64_t take_unsigned(const spec_t *s, va_list *ap) {
  if (s->size == 2) return va_arg(*ap, unsigned long long);
  if (s->size == 1) return va_arg(*ap, unsigned long);
  return va_arg(*ap, unsigned int);
}

static int64_t take_signed(const spec_t *s, va_list *ap) {
  if (s->size == 2) return va_arg(*ap, long long);
  if (s->size == 1) return va_arg(*ap, long);
  return va_arg(*ap, int);
}

/* Parses flags, width and length at *fmt; leaves *fmt at the conversion. */
static spec_t parse_spec(const char **fmt) {
  spec_t s = {0, ' ', 0, 0};
  const char *f = *fmt;
  for (;; f++) {
    if (*f == '#') {
      s.alt = 1;
    } else if (*f == '0') {
      s.pad = '0';
    } else {
      break;
    }
  }
  while (*f >= '0' && *f <= '9' && s.width < 64) s.width = s.width * 10 + (unsigned)(*f++ - '0');
  while (*f == 'l' && s.size < 2) {
    s.size++;
    f++;
  }
  *fmt = f;
  return s;
}

size_t kformat(void (*putc)(char c, void *ctx), void *ctx, const char *fmt, va_list ap) {
  out_t o = {putc, ctx, 0};
  va_list args;
  va_copy(args, ap);
  while (*fmt) {
    if (*fmt != '%') {
      emit(&o, *fmt++);
      continue;
    }
    const char *start = fmt++;
    spec_t s = parse_spec(&fmt);
    switch (*fmt) {
      case 'd':
      case 'i': {
        int64_t v = take_signed(&s, &args);
        s.alt = 0;
        emit_number(&o, &s, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0);
        break;
      }
      case 'u':
        s.alt = 0;
        emit_number(&o, &s, take_unsigned(&s, &args), 10, 0);
        break;
      case 'x':
        emit_number(&o, &s, take_unsigned(&s, &args), 16, 0);
        break;
      case 'p':
        s.alt = 1;
        emit_number(&o, &s, (uintptr_t)va_arg(args, void *), 16, 0);
        break;
      case 'c':
        emit(&o, (char)va_arg(args, int));
        break;
      case 's': {
        const char *str = va_arg(args, const char *);
        for (str = str ? str : "(null)"; *str; str++) emit(&o, *str);
        break;
      }
      case '%':
        emit(&o, '%');
        break;
      default:
        /* Unknown conversion: print it as written, consume nothing. */
        while (start < fmt) emit(&o, *start++);
        if (*fmt) emit(&o, *fmt);
        break;
    }
    if (*fmt) fmt++;
  }
  va_end(args);
  return o.count;
}

typedef struct buffer {
  char *buf;
  size_t size;
  size_t used;
} buffer_t;

static void buffer_putc(char c, void *ctx) {
  buffer_t *b = ctx;
  if (b->used + 1 < b->size) b->buf[b->used] = c;
  b->used++;
}

size_t ksnprintf(char *buf, size_t size, const char *fmt, ...) {
  buffer_t b = {buf, size, 0};
  va_list ap;
  va_start(ap, fmt);
  size_t n = kformat(buffer_putc, &b, fmt, ap);
  va_end(ap);
  if (size) buf[b.used < size ? b.used : size - 1] = 0;
  return n;
}
