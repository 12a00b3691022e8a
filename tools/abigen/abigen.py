#!/usr/bin/env python3
"""abigen: generates the NEURON syscall ABI from kernel/abi/syscalls.toml.

    abigen.py --schema syscalls.toml --errors errors.h \
        [--numbers-h F] [--rights-h F] [--syscalls-h F] [--decl-h F] \
        [--dispatch-c F] [--doc-md F] [--struct-h NAME=F]...

Reads the schema, validates it strictly (against errors.h for the error
names) and writes each requested output. A bad schema is refused with one
line per problem, naming the syscall (or right, struct...) and the problem,
and exit code 1; nothing is written then.

The C outputs come out already formatted for /.clang-format (clang-format 14,
Google style, 100 columns): the few shapes emitted here (function
signatures, inline asm, comments) are laid out the way clang-format lays
them out, which abigen_format_test checks on the real schema and on many
random ones.

The generator's modules: abigen_schema (the model, errors.h, loading and
checking), abigen_layout (the files' frame), abigen_c and abigen_docs (the
outputs); this one is the command line. The text and C layout and the
schema checker's basics are tools/codegen's, shared with idlgen.

Python 3.11 standard library only.
"""

import argparse
import os
import sys

from abigen_c import (
    gen_decl_h,
    gen_dispatch_c,
    gen_numbers_h,
    gen_rights_h,
    gen_struct_h,
    gen_syscalls_h,
)
from abigen_docs import gen_doc_md
from abigen_schema import SchemaError, load

GENERATORS = {
    "numbers_h": gen_numbers_h,
    "rights_h": gen_rights_h,
    "syscalls_h": gen_syscalls_h,
    "decl_h": gen_decl_h,
    "dispatch_c": gen_dispatch_c,
    "doc_md": gen_doc_md,
}


def generate(schema):
    """Every output: by GENERATORS key, and "struct_h:<header>" per struct header."""
    out = {key: gen(schema) for key, gen in GENERATORS.items()}
    for header in schema.struct_headers():
        out[f"struct_h:{header}"] = gen_struct_h(schema, header)
    return out


def check_struct_outputs(schema, given, with_syscalls_h):
    """Problems with the --struct-h outputs asked for (names -> paths)."""
    problems = []
    for name in sorted(set(given) - set(schema.struct_headers())):
        problems.append(f"--struct-h {name}: no struct of the schema goes in neuron/{name}.h")
    if with_syscalls_h:
        for st in schema.structs:
            if st.header not in given:
                problems.append(
                    f"struct '{st.name}' goes in neuron/{st.header}.h, which is not generated: "
                    f"add '{st.header}' to ABI_STRUCT_HEADERS in tools/abigen/abigen.bzl"
                )
    return list(dict.fromkeys(problems))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema", required=True, help="kernel/abi/syscalls.toml")
    parser.add_argument("--errors", required=True, help="kernel/abi/public/neuron/errors.h")
    for key in GENERATORS:
        parser.add_argument("--" + key.replace("_", "-"), metavar="FILE", help=f"write {key}")
    parser.add_argument(
        "--struct-h",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="write the struct header neuron/NAME.h (every one syscalls.h includes is needed)",
    )
    args = parser.parse_args(argv)
    outputs = {key: getattr(args, key) for key in GENERATORS if getattr(args, key)}
    structs = {}
    for spec in args.struct_h:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            parser.error(f"--struct-h wants NAME=FILE, not {spec!r}")
        structs[name] = path
    try:
        schema = load(args.schema, args.errors)
        problems = check_struct_outputs(schema, structs, "syscalls_h" in outputs)
        if problems:
            raise SchemaError(problems)
    except SchemaError as e:
        for problem in e.problems:
            print(f"abigen: {problem}", file=sys.stderr)
        print(f"abigen: refusing the schema ({len(e.problems)} problem(s))", file=sys.stderr)
        return 1
    texts = generate(schema)
    outputs.update({f"struct_h:{name}": path for name, path in structs.items()})
    for key, path in outputs.items():
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(texts[key])
    return 0


if __name__ == "__main__":
    sys.exit(main())
