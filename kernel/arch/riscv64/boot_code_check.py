"""Checks that the kernel can free its boot code (kernel.ld's .boot.text).

After boot, kmem_free_boot_code() unmaps .boot.text and gives its pages to
the page allocator. That is safe only if nothing reaches that code once boot
is done, so this check reads the linked kernel and refuses:
  - an instruction outside .boot.text that refers to an address inside it
    (a call, a jump, a branch, an address formed with auipc), but for its
    start, which the code that frees it forms;
  - an address of a function in .boot.text formed by any instruction other
    than a call (a function pointer could be kept and called later, as a
    console output routine is);
  - a word of a data section (.rodata, .data, ...) that holds the address of
    a function in .boot.text (jump tables point into the middle of a
    function, which only that function uses);
  - a .boot.text that is not the first code, page aligned and page sized.

The instructions come from llvm-objdump (auipc pairs are followed: the
instruction after an auipc that uses its register completes the address);
sections and symbols come from the ELF itself.

Usage: boot_code_check.py --objdump LLVM_OBJDUMP KERNEL_ELF
"""

import argparse
import re
import struct
import subprocess
import sys

PAGE = 4096
BOOT = ".boot.text"

SHT_PROGBITS = 1
SHT_SYMTAB = 2
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
STT_FUNC = 2


class Section:
    def __init__(self, name, kind, flags, addr, offset, size):
        self.name, self.kind, self.flags = name, kind, flags
        self.addr, self.offset, self.size = addr, offset, size

    def holds(self, address):
        return self.addr <= address < self.addr + self.size


def read_elf(data):
    """The sections and the function symbols ({address: name}) of an ELF64
    little-endian file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    raw = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = raw[shstrndx][4]

    def name_at(table, index):
        end = data.index(b"\0", table + index)
        return data[table + index:end].decode()

    sections = [Section(name_at(names, r[0]), r[1], r[2], r[3], r[4], r[5]) for r in raw]
    functions = {}
    for r, s in zip(raw, sections):
        if s.kind != SHT_SYMTAB:
            continue
        strtab = raw[r[6]][4]
        for i in range(s.size // 24):
            st_name, st_info, _, _, st_value, _ = struct.unpack_from("<IBBHQQ", data, s.offset + i * 24)
            if st_info & 0xF == STT_FUNC:
                functions[st_value] = name_at(strtab, st_name)
    return sections, functions


_INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
_MEM = re.compile(r"(-?\d+)\((\w+)\)")
_DIRECT = re.compile(r"0x([0-9a-f]+)")
_CALLS = ("jalr", "jr")


def references(disassembly):
    """(pc, target, is_call) for every address an instruction refers to:
    direct jumps and branches, and auipc pairs (a call when the second
    instruction is a jalr/jr, else an address formed or loaded)."""
    pending = None
    for line in disassembly.splitlines():
        m = _INSN.match(line)
        if not m:
            continue
        pc, op, args = int(m.group(1), 16), m.group(2), m.group(3)
        if op == "auipc":
            reg, imm = [a.strip() for a in args.split(",")]
            imm = int(imm, 0)
            if imm >= 1 << 19:
                imm -= 1 << 20
            pending = (pc, reg, pc + (imm << 12))
            continue
        if pending:
            start, reg, base = pending
            pending = None
            operands = [a.strip() for a in args.split(",")]
            mem = _MEM.search(args)
            if mem and mem.group(2) == reg:
                yield start, base + int(mem.group(1)), op in _CALLS
                continue
            if op == "addi" and len(operands) == 3 and operands[1] == reg:
                yield start, base + int(operands[2], 0), False
                continue
        direct = _DIRECT.search(args)
        if direct and (op.startswith("b") or op in ("j", "jal")):
            yield pc, int(direct.group(1), 16), True


def check(sections, functions, refs, data):
    """The problems found, as messages (none: the boot code can be freed)."""
    problems = []
    by_name = {s.name: s for s in sections}
    boot = by_name.get(BOOT)
    if boot is None or boot.size == 0:
        return ["the kernel has no %s section" % BOOT]
    code = sorted((s for s in sections if s.flags & SHF_EXECINSTR and s.size), key=lambda s: s.addr)
    if code[0] is not boot:
        problems.append("%s is not the kernel's first code (%s is)" % (BOOT, code[0].name))
    end = boot.addr + boot.size
    if boot.addr % PAGE:
        problems.append("%s starts at %#x, not on a page boundary" % (BOOT, boot.addr))
    following = [s for s in sections if s.flags & SHF_ALLOC and s.size and s.addr >= end]
    if following and min(s.addr for s in following) < (end + PAGE - 1) // PAGE * PAGE:
        problems.append("the page where %s ends holds other sections" % BOOT)

    starts = sorted(functions)

    def name(address):
        best = None
        for a in starts:
            if a > address:
                break
            best = a
        if best is None:
            return "%#x" % address
        return functions[best] + ("" if best == address else "+%#x" % (address - best))

    boot_functions = {a for a in functions if boot.holds(a)}
    for pc, target, is_call in refs:
        if not boot.holds(target):
            continue
        if not boot.holds(pc):
            if target == boot.addr and not is_call:
                continue
            problems.append("%s, outside %s, refers to %s in it" % (name(pc), BOOT, name(target)))
        elif target in boot_functions and not is_call:
            problems.append("%s takes the address of %s, which is freed after boot" % (name(pc), name(target)))
    for s in sections:
        if s.kind != SHT_PROGBITS or not s.flags & SHF_ALLOC or s.flags & SHF_EXECINSTR:
            continue
        for i in range(0, s.size - 7, 8):
            word, = struct.unpack_from("<Q", data, s.offset + i)
            if word in boot_functions:
                problems.append("%s+%#x holds the address of %s, which is freed after boot" % (s.name, i, name(word)))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objdump", required=True)
    parser.add_argument("kernel")
    args = parser.parse_args()
    with open(args.kernel, "rb") as f:
        data = f.read()
    sections, functions = read_elf(data)
    # Every extension the kernel's code uses (fpu.S has the D instructions).
    disassembly = subprocess.run([args.objdump, "-d", "--no-show-raw-insn", "--mattr=+m,+a,+f,+d,+c",
                                  args.kernel],
                                 check=True, capture_output=True, text=True).stdout
    problems = check(sections, functions, references(disassembly), data)
    for p in problems:
        print("boot code: " + p, file=sys.stderr)
    if problems:
        return 1
    boot = next(s for s in sections if s.name == BOOT)
    print("boot code: %d bytes in %s, referred to only from itself" % (boot.size, BOOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
