"""The user stubs of neuron/syscalls.h, compiled for riscv64, issue an ecall.

    stubs_riscv64_test.py STUBS_ELF SYSCALLS_TOML

STUBS_ELF is testdata/stubs_user.c built by the riscv64 user toolchain; it
wraps each stub nx_<name> in a function stub_<name>. For every syscall of the
schema this checks that stub_<name> exists and contains an `ecall`, so a
stub that stopped compiling, or stopped trapping, fails here.
"""

import struct
import sys
import tomllib
import unittest

EM_RISCV = 243
SHT_SYMTAB = 2
STT_FUNC = 2
ECALL = struct.pack("<I", 0x00000073)

ELF_PATH = ""
SCHEMA_PATH = ""


def read_functions(data):
    """Returns {name: bytes} for the FUNC symbols of an ELF64 little-endian file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not an ELF64 little-endian file")
    (machine,) = struct.unpack_from("<H", data, 18)
    if machine != EM_RISCV:
        raise ValueError(f"e_machine is {machine}, not RISC-V ({EM_RISCV})")
    (shoff,) = struct.unpack_from("<Q", data, 40)
    shentsize, shnum = struct.unpack_from("<HH", data, 58)
    sections = []
    for i in range(shnum):
        fields = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        sections.append(
            dict(type=fields[1], addr=fields[3], offset=fields[4], size=fields[5], link=fields[6])
        )
    functions = {}
    for sec in sections:
        if sec["type"] != SHT_SYMTAB:
            continue
        strtab = sections[sec["link"]]
        for off in range(sec["offset"], sec["offset"] + sec["size"], 24):
            name_off, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", data, off)
            if info & 0xF != STT_FUNC or not 0 < shndx < len(sections):
                continue
            start = strtab["offset"] + name_off
            name = data[start : data.index(b"\0", start)].decode()
            text = sections[shndx]
            begin = text["offset"] + value - text["addr"]
            functions[name] = data[begin : begin + size]
    return functions


def has_ecall(code):
    # Instructions are 2-byte aligned with the C extension; ecall is 4 bytes.
    return any(code[i : i + 4] == ECALL for i in range(0, len(code) - 3, 2))


class StubsTest(unittest.TestCase):
    def setUp(self):
        with open(ELF_PATH, "rb") as f:
            self.functions = read_functions(f.read())
        with open(SCHEMA_PATH, "rb") as f:
            self.syscalls = [s["name"] for s in tomllib.load(f)["syscall"]]

    def test_schema_has_syscalls(self):
        self.assertIn("null", self.syscalls)
        self.assertGreaterEqual(len(self.syscalls), 8)

    def test_every_stub_issues_an_ecall(self):
        for name in self.syscalls:
            with self.subTest(syscall=name):
                code = self.functions.get(f"stub_{name}")
                self.assertIsNotNone(
                    code,
                    f"stub_{name} is missing from the riscv64 program: add it to "
                    "kernel/abi/testdata/stubs_user.c",
                )
                self.assertTrue(has_ecall(code), f"stub_{name} has no ecall")

    def test_ecall_detector(self):
        self.assertTrue(has_ecall(b"\x01\x00" + ECALL))
        self.assertFalse(has_ecall(b"\x00" + ECALL + b"\x00"))  # odd offset: not an instruction
        self.assertFalse(has_ecall(b"\x13\x00\x00\x00"))


if __name__ == "__main__":
    ELF_PATH, SCHEMA_PATH = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
