"""Repositories backed by Debian packages, declared before Bazel's own defaults."""

load("//third_party:debian_rules_cc.bzl", "debian_rules_cc")

# buildifier: disable=unnamed-macro
def debian_repositories():
    """Declares every third-party repository from its Debian install path."""
    debian_rules_cc(
        name = "rules_cc",
        path = "/usr/share/bazel/rules/cc",
    )
    native.local_repository(
        name = "rules_java",
        path = "/usr/share/bazel/rules/java",
    )
    native.local_repository(
        name = "rules_proto",
        path = "/usr/share/bazel/rules/proto",
    )
    native.local_repository(
        name = "platforms",
        path = "/usr/share/bazel/tools/platforms",
    )
    native.local_repository(
        name = "bazel_skylib",
        path = "/usr/share/bazel/tools/skylib",
    )

    # Every test rule depends on these two targets implicitly; the project
    # does not collect coverage, so small stand-ins keep Bazel offline.
    native.new_local_repository(
        name = "remote_coverage_tools",
        path = "third_party/coverage_tools",
        build_file = "@//third_party/coverage_tools:coverage_tools.BUILD",
    )
    native.new_local_repository(
        name = "googletest",
        path = "/usr/src/googletest",
        build_file = "@//third_party/googletest:googletest.BUILD",
    )

    # libfdt-dev: the reference //kernel/fdt's differential test compares
    # against (host tests only; see third_party/libfdt).
    native.new_local_repository(
        name = "libfdt",
        path = "/usr",
        build_file = "@//third_party/libfdt:libfdt.BUILD",
    )
