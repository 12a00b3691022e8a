"""nx_interface: the client and server code of a service protocol, from its schema.

A service declares its protocol in its own package:

    load("//tools/idlgen:idl.bzl", "nx_interface")

    nx_interface(
        name = "api",
        schema = "log.toml",  # [protocol] name = "log"
        visibility = [...],   # who may call the service
    )

which runs tools/idlgen on the schema and declares

  :api         the service's public api, for its clients: an nx_api_library
               (//services/runtime:user_program.bzl) of service "log" with
               log_client.h (log_<method>() per method), so that the system
               manifest counts a program built against it as built against
               the log service;
  :api_server  a cc_library with log_server.h and log_server.c (log_ops_t,
               log_dispatch(), log_serve()), for the service itself;
  :api_doc     log.md, the protocol's reference.

Both libraries build for the host (tests, with a fake nx_ipc_call) and for
the riscv64 user platform. The schema's file name is the protocol's name;
clients include "<package>/log_client.h".
"""

load("@rules_cc//cc:defs.bzl", "cc_library")
load("//services/runtime:user_program.bzl", "nx_api_library")

# idlgen flag -> file the generator writes, for a protocol `%s`.
IDL_OUTPUTS = {
    "--client-h": "%s_client.h",
    "--doc-md": "%s.md",
    "--server-c": "%s_server.c",
    "--server-h": "%s_server.h",
}

# What the generated code includes: the syscall stubs and ABI constants, the
# error codes, and nx_idl_ipc_buffer() (neuron/idl.h).
IDL_DEPS = [
    "//kernel/abi:errors",
    "//kernel/abi:syscalls",
    "//tools/idlgen:idl_runtime",
]

def idl_protocol(schema):
    """The protocol a schema describes: its file name without `.toml`.

    Args:
      schema: the schema's label.

    Returns:
      The protocol name.
    """
    base = schema.split(":")[-1].split("/")[-1]
    if not base.endswith(".toml"):
        fail("nx_interface: the schema must be a <protocol>.toml file, not %s" % schema)
    return base[:-len(".toml")]

def idl_outputs(protocol):
    """The files the generator writes for `protocol`, by flag.

    Args:
      protocol: the protocol name.

    Returns:
      A dict of generator flag -> file name.
    """
    return {flag: out % protocol for flag, out in IDL_OUTPUTS.items()}

def idl_generate(name, schema, **kwargs):
    """Runs tools/idlgen on `schema` (a genrule writing every IDL_OUTPUTS file).

    Args:
      name: the genrule's name.
      schema: the <protocol>.toml label.
      **kwargs: passed to the genrule (visibility, testonly...).
    """
    protocol = idl_protocol(schema)
    outs = idl_outputs(protocol)
    native.genrule(
        name = name,
        srcs = [schema],
        outs = outs.values(),
        cmd = "$(location //tools/idlgen) --schema $(location %s) --protocol %s %s" % (
            schema,
            protocol,
            " ".join(["%s $(location %s)" % (flag, out) for flag, out in outs.items()]),
        ),
        tools = ["//tools/idlgen"],
        **kwargs
    )

def nx_interface(
        name,
        schema,
        service = None,
        visibility = None,
        server_visibility = None,
        testonly = False,
        tags = None):
    """Declares the client library `name` and the server library `name`_server.

    Args:
      name: the client library (the service's `api` target), an nx_api_library.
      schema: the protocol's schema, a <protocol>.toml file.
      service: the service the api belongs to, as its provider declares it
        in `provides` (default: the protocol's name).
      visibility: who may build against the client library (who may call the
        service).
      server_visibility: who may build the server library (default: the
        package only).
      testonly: for protocols only tests use.
      tags: given to every target.
    """
    protocol = idl_protocol(schema)
    outs = idl_outputs(protocol)
    idl_generate(
        name = name + "_gen",
        schema = schema,
        tags = tags,
        testonly = testonly,
        visibility = ["//visibility:private"],
    )
    native.filegroup(
        name = name + "_doc",
        srcs = [outs["--doc-md"]],
        tags = tags,
        testonly = testonly,
        visibility = visibility,
    )
    nx_api_library(
        name = name,
        hdrs = [outs["--client-h"]],
        service = service or protocol,
        tags = tags,
        testonly = testonly,
        visibility = visibility,
        deps = IDL_DEPS,
    )
    cc_library(
        name = name + "_server",
        srcs = [outs["--server-c"]],
        hdrs = [outs["--server-h"]],
        tags = tags,
        testonly = testonly,
        visibility = server_visibility,
        deps = [":" + name] + IDL_DEPS,
    )
