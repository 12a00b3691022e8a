#!/usr/bin/env python3
"""idlgen: generates the client and server code of a service protocol from its schema.

    idlgen.py --schema PROTO.toml [--protocol PROTO] \
        [--client-h F] [--server-h F] [--server-c F] [--doc-md F]

Reads one protocol's schema (a TOML file: [protocol] and [[method]]s, see
tools/idlgen/README.md), validates it strictly and writes each requested
output:

  --client-h  <proto>_client.h: the method numbers, the result structs and one
              static inline function <proto>_<method>(ep, args..., result) per
              method that calls the server (nx_ipc_call) and decodes the reply.
  --server-h  <proto>_server.h: <proto>_ops_t (a handler per method),
              <proto>_dispatch() and <proto>_serve().
  --server-c  <proto>_server.c: their definitions.
  --doc-md    <proto>.md: the protocol's reference.

A bad schema is refused with one line per problem, naming the method (or
argument...) and the problem, and exit code 1; nothing is written then.
--protocol is the name the build expects (the schema's file name): a schema
that names another protocol is refused.

The C outputs come out already formatted for /.clang-format (clang-format 14,
Google style, 100 columns), which idlgen_format_test checks on the example
and on many random schemas. The server includes its client header by file
name ("<proto>_client.h", next to it), so the outputs do not depend on the
package they are generated in.

The generator's modules: idlgen_schema (the model, loading and checking),
idlgen_layout (the files' banner), idlgen_method (C shared by client and
server), idlgen_client, idlgen_server and idlgen_docs (the outputs); this
one is the command line. The text and C layout and the schema checker's
basics are tools/codegen's, shared with abigen.

Python 3.11 standard library only.
"""

import argparse
import os
import sys

from idlgen_client import gen_client_h
from idlgen_docs import gen_doc_md
from idlgen_schema import SchemaError, load
from idlgen_server import gen_server_c, gen_server_h

GENERATORS = {
    "client_h": gen_client_h,
    "server_h": gen_server_h,
    "server_c": gen_server_c,
    "doc_md": gen_doc_md,
}


def generate(p):
    """Every output, by GENERATORS key."""
    return {key: gen(p) for key, gen in GENERATORS.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema", required=True, help="the protocol's schema (<proto>.toml)")
    parser.add_argument("--protocol", help="the protocol name the build expects")
    for key in GENERATORS:
        parser.add_argument("--" + key.replace("_", "-"), metavar="FILE", help=f"write {key}")
    args = parser.parse_args(argv)
    outputs = {key: getattr(args, key) for key in GENERATORS if getattr(args, key)}
    try:
        protocol = load(args.schema, args.protocol)
    except SchemaError as e:
        for problem in e.problems:
            print(f"idlgen: {problem}", file=sys.stderr)
        print(f"idlgen: refusing the schema ({len(e.problems)} problem(s))", file=sys.stderr)
        return 1
    texts = generate(protocol)
    for key, path in outputs.items():
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(texts[key])
    return 0


if __name__ == "__main__":
    sys.exit(main())
