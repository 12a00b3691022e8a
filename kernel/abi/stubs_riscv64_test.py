"""The user stubs of neuron/syscalls.h, compiled for riscv64, follow the schema.

    stubs_riscv64_test.py STUBS_ELF SYSCALLS_TOML

STUBS_ELF is testdata/stubs_user.c built by the riscv64 user toolchain; it
wraps each stub nx_<name> in a function stub_<name> that passes ARG(i) as
argument i. For every syscall of the schema this decodes stub_<name> up to its
one `ecall` and checks that a7 holds the syscall's number and a0.. its
arguments in order, so a stub that stopped compiling, stopped trapping or
passes a wrong number or register fails here. A syscall with an `out` struct
returns it in a1, a2, ...: its stub_<name> takes the out pointer (in a0), and
after the ecall the stub must store a1 into the first field, a2 into the
second, ... through that pointer, and nothing else. The program's tables layout_<struct>
(offset and size of every field, as the riscv64 compiler lays the struct out)
and default_rights (NX_DEFAULT_RIGHTS_<OBJECT>, NX_RIGHTS_ALL) are checked
against the schema's fields and rights too.
"""

import struct
import sys
import tomllib
import unittest

EM_RISCV = 243
SHT_SYMTAB = 2
SHT_NOBITS = 8
STT_OBJECT = 1
STT_FUNC = 2
ECALL_WORD = 0x00000073
ECALL = struct.pack("<I", ECALL_WORD)

# Argument i of every stub_<name> (ARG(i) in testdata/stubs_user.c).
STUB_ARGS = [0x111 * (i + 1) for i in range(6)]
SP = 2
A0 = 10  # x10..x17 are a0..a7
A7 = 17
# What an ecall leaves alone (the C callee-saved registers): sp, gp, tp,
# s0-s1, s2-s11. Every other register holds something new afterwards.
PRESERVED = {2, 3, 4, 8, 9, *range(18, 28)}
# Symbolic values: the out pointer a stub_<name> gets in a0, and what the
# kernel hands back in a<k> (RETURNED[k]).
OUT = "out"
RETURNED = [f"a{k} after the ecall" for k in range(8)]

# Bytes per schema field type (the schema lays fields out without padding).
FIELD_SIZES = {"u32": 4, "u64": 8, "i64": 8, "handle": 4}

ELF_PATH = ""
SCHEMA_PATH = ""


def read_symbols(data):
    """Returns ({name: bytes} of FUNC symbols, {name: bytes} of OBJECT symbols)
    of an ELF64 little-endian RISC-V file."""
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
    found = {STT_FUNC: {}, STT_OBJECT: {}}
    for sec in sections:
        if sec["type"] != SHT_SYMTAB:
            continue
        strtab = sections[sec["link"]]
        for off in range(sec["offset"], sec["offset"] + sec["size"], 24):
            name_off, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", data, off)
            kind = info & 0xF
            if kind not in found or not 0 < shndx < len(sections):
                continue
            home = sections[shndx]
            if home["type"] == SHT_NOBITS:
                continue
            start = strtab["offset"] + name_off
            name = data[start : data.index(b"\0", start)].decode()
            begin = home["offset"] + value - home["addr"]
            found[kind][name] = data[begin : begin + size]
    return found[STT_FUNC], found[STT_OBJECT]


def has_ecall(code):
    # Instructions are 2-byte aligned with the C extension; ecall is 4 bytes.
    return any(code[i : i + 4] == ECALL for i in range(0, len(code) - 3, 2))


def _sext(value, bits):
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


# What an instruction does to the integer registers, as far as the check needs:
#   ("li", rd, value)  rd = a constant        ("mv", rd, rs)  rd = rs
#   ("write", rd)      rd = something else    ("none",)       no register
#   ("load", rd, base, offset, bytes)         rd = memory at base + offset
#   ("store", rs, base, offset, bytes)        memory at base + offset = rs
#   ("ecall",)         the syscall            ("flow",)       a jump, branch or
#                                                             anything unknown
# 32-bit opcodes whose rd (bits 11:7) is an integer register.
_WRITES_RD = {0x37, 0x17, 0x1B, 0x33, 0x3B, 0x2F}
# 32-bit opcodes that write no integer register: fences, FP loads and stores.
_NO_RD = {0x27, 0x0F, 0x07}
# Integer loads and stores: funct3 -> bytes.
_LOAD_BYTES = {0: 1, 1: 2, 2: 4, 3: 8, 4: 1, 5: 2, 6: 4}
_STORE_BYTES = {0: 1, 1: 2, 2: 4, 3: 8}


def _bits(value, hi, lo):
    return (value >> lo) & ((1 << (hi - lo + 1)) - 1)


def _decode32(word):
    opcode, rd = word & 0x7F, (word >> 7) & 0x1F
    funct3, rs1 = (word >> 12) & 7, (word >> 15) & 0x1F
    if word == ECALL_WORD:
        return ("ecall",)
    if opcode == 0x13:  # OP-IMM
        imm = _sext(word >> 20, 12)
        if funct3 == 0 and rs1 == 0:
            return ("li", rd, imm)
        if funct3 == 0 and imm == 0:
            return ("mv", rd, rs1)
        return ("write", rd)
    if opcode == 0x03 and funct3 in _LOAD_BYTES:
        return ("load", rd, rs1, _sext(word >> 20, 12), _LOAD_BYTES[funct3])
    if opcode == 0x23 and funct3 in _STORE_BYTES:
        imm = _sext(_bits(word, 31, 25) << 5 | _bits(word, 11, 7), 12)
        return ("store", _bits(word, 24, 20), rs1, imm, _STORE_BYTES[funct3])
    if opcode in _WRITES_RD or (opcode == 0x73 and funct3 != 0):  # ... and CSR reads
        return ("write", rd)
    if opcode in _NO_RD:
        return ("none",)
    return ("flow",)


def _decode16(half):
    quadrant, funct3 = half & 3, half >> 13
    rd, rs2 = (half >> 7) & 0x1F, (half >> 2) & 0x1F
    rd_prime = 8 + ((half >> 2) & 7)  # rd' (rs2') of c.addi4spn, c.lw, c.ld, c.sw, c.sd
    rs1_prime = 8 + ((half >> 7) & 7)
    # Offsets of c.lw / c.sw, c.ld / c.sd.
    word_off = _bits(half, 12, 10) << 3 | _bits(half, 6, 6) << 2 | _bits(half, 5, 5) << 6
    double_off = _bits(half, 12, 10) << 3 | _bits(half, 6, 5) << 6
    if half == 0:
        return ("flow",)  # illegal
    if quadrant == 0:
        if funct3 == 0:  # c.addi4spn
            return ("write", rd_prime)
        if funct3 in (2, 3):  # c.lw, c.ld
            off, size = (word_off, 4) if funct3 == 2 else (double_off, 8)
            return ("load", rd_prime, rs1_prime, off, size)
        if funct3 in (6, 7):  # c.sw, c.sd
            off, size = (word_off, 4) if funct3 == 6 else (double_off, 8)
            return ("store", rd_prime, rs1_prime, off, size)
        return ("none",) if funct3 in (1, 5) else ("flow",)  # FP load and store
    if quadrant == 1:
        if funct3 == 2:  # c.li
            return ("li", rd, _sext(((half >> 12) & 1) << 5 | rs2, 6))
        if funct3 in (0, 1, 3):  # c.addi, c.addiw, c.lui / c.addi16sp
            return ("write", rd)
        if funct3 == 4:  # c.srli ... c.and: rd' in bits 9:7
            return ("write", 8 + ((half >> 7) & 7))
        return ("flow",)  # c.j, c.beqz, c.bnez
    if funct3 == 0:  # c.slli
        return ("write", rd)
    if funct3 == 2:  # c.lwsp
        off = _bits(half, 12, 12) << 5 | _bits(half, 6, 4) << 2 | _bits(half, 3, 2) << 6
        return ("load", rd, SP, off, 4)
    if funct3 == 3:  # c.ldsp
        off = _bits(half, 12, 12) << 5 | _bits(half, 6, 5) << 3 | _bits(half, 4, 2) << 6
        return ("load", rd, SP, off, 8)
    if funct3 == 6:  # c.swsp
        return ("store", rs2, SP, _bits(half, 12, 9) << 2 | _bits(half, 8, 7) << 6, 4)
    if funct3 == 7:  # c.sdsp
        return ("store", rs2, SP, _bits(half, 12, 10) << 3 | _bits(half, 9, 7) << 6, 8)
    if funct3 == 4:
        if (half >> 12) & 1 == 0:
            return ("mv", rd, rs2) if rs2 else ("flow",)  # c.mv; c.jr
        return ("write", rd) if rs2 else ("flow",)  # c.add; c.jalr, c.ebreak
    return ("none",)  # c.fldsp, c.fsdsp


def decode(code):
    """Yields the effect of each instruction of `code`, in order."""
    i = 0
    while i + 2 <= len(code):
        (half,) = struct.unpack_from("<H", code, i)
        if half & 3 != 3:
            yield _decode16(half)
            i += 2
        elif i + 4 <= len(code):
            yield _decode32(struct.unpack_from("<I", code, i)[0])
            i += 4
        else:
            return


def run(code, entry=None):
    """Follows straight-line `code` from `entry` ({register: value} at the
    start), tracking constants, moves and 8-byte stack slots.

    Returns, for each ecall, (registers, stores): the registers known to hold
    a value just before it ({register: value}), and the stores after it, up to
    the next ecall or jump, in order: (base value, offset, bytes, value
    stored), a value None where it is not known. After an ecall a0..a5 hold
    RETURNED[0..5] and only PRESERVED registers keep their values. A jump, a
    branch or an unknown instruction forgets everything."""
    known, stack, found, stores = dict(entry or {}), {}, [], None
    for effect in decode(code):
        kind = effect[0]
        if kind == "ecall":
            stores = []
            found.append((dict(known), stores))
            kept = {r: v for r, v in known.items() if r in PRESERVED}
            known = {**kept, **{A0 + k: RETURNED[k] for k in range(6)}}
        elif kind == "flow":
            known, stack, stores = {}, {}, None
        elif kind == "store":
            _, rs, base, offset, size = effect
            value = known.get(rs) if rs else 0
            if base == SP:
                stack.pop(offset - offset % 8, None)
                if size == 8 and value is not None:
                    stack[offset] = value
            if stores is not None:
                stores.append((known.get(base), offset, size, value))
        elif kind in ("li", "mv", "write", "load"):
            rd = effect[1]
            known.pop(rd, None)
            if rd == SP:
                stack = {}
            if not rd:
                continue
            if kind == "li":
                known[rd] = effect[2]
            elif kind == "mv" and effect[2] in known:
                known[rd] = known[effect[2]]
            elif kind == "load" and effect[2] == SP and effect[4] == 8 and effect[3] in stack:
                known[rd] = stack[effect[3]]
    return found


def registers_at_ecalls(code):
    """Returns, for each ecall of straight-line `code`, {register: constant}
    for the registers known to hold a constant there."""
    return [{r: v for r, v in regs.items() if isinstance(v, int)} for regs, _ in run(code)]


def out_stores(code):
    """The stores through the out pointer (a0 at the start of `code`) after
    its one ecall: [(offset, bytes, value)], in order; None if `code` does not
    make exactly one ecall."""
    ecalls = run(code, {A0: OUT})
    if len(ecalls) != 1:
        return None
    return [(off, size, value) for base, off, size, value in ecalls[0][1] if base == OUT]


def read_named_entries(table, fmt):
    """Splits a C array of {char name[24]; ...} entries into (name, fields...)."""
    entry = struct.calcsize(fmt)
    if len(table) % entry:
        raise ValueError(f"{len(table)} bytes is not a whole number of {entry}-byte entries")
    rows = []
    for off in range(0, len(table), entry):
        name, *fields = struct.unpack_from(fmt, table, off)
        rows.append((name.rstrip(b"\0").decode(), *fields))
    return rows


def schema_layout(fields):
    """[(name, offset, size), ..., ("sizeof", size, 0)] of a schema struct."""
    rows, offset = [], 0
    for f in fields:
        size = FIELD_SIZES[f["type"]]
        rows.append((f["name"], offset, size))
        offset += size
    return rows + [("sizeof", offset, 0)]


class StubsTest(unittest.TestCase):
    def setUp(self):
        with open(ELF_PATH, "rb") as f:
            self.functions, self.objects = read_symbols(f.read())
        with open(SCHEMA_PATH, "rb") as f:
            self.schema = tomllib.load(f)
        self.syscalls = self.schema["syscall"]

    def test_schema_has_syscalls(self):
        names = [s["name"] for s in self.syscalls]
        self.assertIn("null", names)
        self.assertEqual([s["number"] for s in self.syscalls], list(range(len(self.syscalls))))

    def test_a_stub_for_every_syscall_and_no_other(self):
        stubs = {name[len("stub_") :] for name in self.functions if name.startswith("stub_")}
        self.assertEqual(
            stubs,
            {s["name"] for s in self.syscalls},
            "kernel/abi/testdata/stubs_user.c wraps one stub per syscall of the schema",
        )

    def test_every_stub_issues_an_ecall(self):
        for s in self.syscalls:
            name = s["name"]
            with self.subTest(syscall=name):
                code = self.functions.get(f"stub_{name}")
                self.assertIsNotNone(
                    code,
                    f"stub_{name} is missing from the riscv64 program: add it to "
                    "kernel/abi/testdata/stubs_user.c",
                )
                self.assertTrue(has_ecall(code), f"stub_{name} has no ecall")

    def test_every_stub_passes_its_number_and_arguments(self):
        for s in self.syscalls:
            name, args = s["name"], s.get("arg", [])
            with self.subTest(syscall=name):
                code = self.functions.get(f"stub_{name}")
                self.assertIsNotNone(code, f"stub_{name} is missing")
                ecalls = registers_at_ecalls(code)
                self.assertEqual(len(ecalls), 1, f"stub_{name} makes one ecall")
                regs = ecalls[0]
                self.assertEqual(regs.get(A7), s["number"], f"a7 of nx_{name}")
                self.assertLessEqual(len(args), 6)
                for i, arg in enumerate(args):
                    self.assertEqual(
                        regs.get(A0 + i), STUB_ARGS[i], f"a{i} of nx_{name} is `{arg['name']}`"
                    )

    def test_struct_layouts_match_the_schema(self):
        for st in self.schema["struct"]:
            name = st["name"]
            with self.subTest(struct=name):
                table = self.objects.get(f"layout_{name}")
                self.assertIsNotNone(
                    table, f"layout_{name} is missing: add it to kernel/abi/testdata/stubs_user.c"
                )
                self.assertEqual(
                    read_named_entries(table, "<24sII"), schema_layout(st["field"]), f"nx_{name}_t"
                )

    def test_stubs_store_their_out_struct(self):
        structs = {st["name"]: st for st in self.schema["struct"]}
        with_out = [s for s in self.syscalls if "out" in s]
        self.assertTrue(with_out, "the schema has syscalls with an out struct")
        for s in with_out:
            name = s["name"]
            with self.subTest(syscall=name):
                fields = structs[s["out"]]["field"]
                self.assertTrue(1 <= len(fields) <= 5, f"nx_{s['out']}_t fits a1..a5")
                code = self.functions.get(f"stub_{name}")
                self.assertIsNotNone(code, f"stub_{name} is missing")
                stores = out_stores(code)
                self.assertIsNotNone(stores, f"stub_{name} makes one ecall")
                # Field i (8 bytes at offset 8 * i) gets a<i + 1>, each once.
                layout = schema_layout(fields)[:-1]
                want = [(offset, 8, RETURNED[i + 1]) for i, (_, offset, _) in enumerate(layout)]
                self.assertEqual([w[0] for w in want], [8 * i for i in range(len(fields))])
                self.assertEqual(
                    sorted(stores, key=lambda st: st[0]),
                    want,
                    f"nx_{name} stores a1..a{len(fields)} into *out after the ecall, in order",
                )

    def test_stubs_without_out_store_no_result_register(self):
        for s in self.syscalls:
            if "out" in s or s.get("noreturn"):
                continue
            with self.subTest(syscall=s["name"]):
                [(_, stores)] = run(self.functions[f"stub_{s['name']}"])
                stored = [st for st in stores if st[3] in RETURNED[1:6]]
                self.assertEqual(stored, [], f"nx_{s['name']} has no out struct")

    def test_default_rights_match_the_schema(self):
        bits = {r["name"]: 1 << r["bit"] for r in self.schema["right"]}
        want = {
            o["name"]: sum(bits[r] for r in o.get("default_rights", []))
            for o in self.schema["object"]
        }
        want["all"] = sum(bits.values())
        table = self.objects.get("default_rights")
        self.assertIsNotNone(table, "default_rights is missing from stubs_user.c")
        got = {name: rights for name, rights in read_named_entries(table, "<24sI")}
        self.assertEqual(got, want)
        for name, rights in got.items():
            self.assertEqual(rights & ~got["all"], 0, f"{name}: a subset of NX_RIGHTS_ALL")

    def test_ecall_detector(self):
        self.assertTrue(has_ecall(b"\x01\x00" + ECALL))
        self.assertFalse(has_ecall(b"\x00" + ECALL + b"\x00"))  # odd offset: not an instruction
        self.assertFalse(has_ecall(b"\x13\x00\x00\x00"))

    def test_decoder(self):
        def insn32(word):
            return struct.pack("<I", word)

        def insn16(half):
            return struct.pack("<H", half)

        li_a0 = insn32(0x11100513)  # addi a0, zero, 0x111
        c_li_a7_5 = insn16(0x4895)  # c.li a7, 5
        c_li_a1_m1 = insn16(0x55FD)  # c.li a1, -1
        c_mv_a2_a0 = insn16(0x862A)  # c.mv a2, a0
        sd_ra = insn16(0xE406)  # c.sdsp ra, 8(sp)
        addi_a0_a0 = insn32(0x00150513)  # addi a0, a0, 1
        beqz_a0 = insn16(0xC101)  # c.beqz a0, .
        code = li_a0 + sd_ra + c_li_a7_5 + c_li_a1_m1 + c_mv_a2_a0 + ECALL
        self.assertEqual(registers_at_ecalls(code), [{10: 0x111, 17: 5, 11: -1, 12: 0x111}])
        self.assertEqual(registers_at_ecalls(li_a0 + addi_a0_a0 + ECALL), [{}])
        self.assertEqual(registers_at_ecalls(li_a0 + beqz_a0 + c_li_a7_5 + ECALL), [{17: 5}])
        self.assertEqual(registers_at_ecalls(c_li_a7_5 + ECALL + ECALL), [{17: 5}, {}])

    def test_out_tracker(self):
        def insn32(word):
            return struct.pack("<I", word)

        def insn16(half):
            return struct.pack("<H", half)

        mv_s0_a0 = insn16(0x842A)  # c.mv s0, a0
        c_li_a7_5 = insn16(0x4895)  # c.li a7, 5
        c_sd_a1_s0 = insn16(0xE00C)  # c.sd a1, 0(s0)
        sd_a2_8_s0 = insn32(0x00C43423)  # sd a2, 8(s0)
        sdsp_a0_8 = insn16(0xE42A)  # c.sdsp a0, 8(sp)
        ldsp_a6_8 = insn16(0x6822)  # c.ldsp a6, 8(sp)
        sd_a1_a6 = insn32(0x00B83023)  # sd a1, 0(a6)
        sd_a3_16_a6 = insn32(0x00D83823)  # sd a3, 16(a6)
        mv_a6_a0 = insn16(0x882A)  # c.mv a6, a0
        mv_a6_a1 = insn16(0x882E)  # c.mv a6, a1
        sd_a6_s0 = insn32(0x01043023)  # sd a6, 0(s0)
        sw_a1_4_s0 = insn16(0xC04C)  # c.sw a1, 4(s0)
        ld_a1_s2 = insn32(0x00093583)  # ld a1, 0(s2)
        addi16sp = insn16(0x713D)  # c.addi16sp sp, -32
        beqz_a0 = insn16(0xC101)  # c.beqz a0, .
        a1, a2, a3 = RETURNED[1:4]
        # Kept in a callee-saved register, compressed and full stores.
        code = mv_s0_a0 + c_li_a7_5 + ECALL + c_sd_a1_s0 + sd_a2_8_s0
        self.assertEqual(out_stores(code), [(0, 8, a1), (8, 8, a2)])
        self.assertEqual(run(code, {A0: OUT})[0][0], {A0: OUT, 8: OUT, A7: 5})
        # Spilled to the stack and reloaded.
        code = sdsp_a0_8 + ECALL + ldsp_a6_8 + sd_a1_a6 + sd_a3_16_a6
        self.assertEqual(out_stores(code), [(0, 8, a1), (16, 8, a3)])
        # A value moved first; a 4-byte store; a register loaded over.
        code = mv_s0_a0 + ECALL + mv_a6_a1 + sd_a6_s0 + sw_a1_4_s0 + ld_a1_s2 + c_sd_a1_s0
        self.assertEqual(out_stores(code), [(0, 8, a1), (4, 4, a1), (0, 8, None)])
        # The ecall clobbers a6; moving sp loses the stack slots; a branch forgets all.
        self.assertEqual(out_stores(mv_a6_a0 + ECALL + sd_a1_a6), [])
        self.assertEqual(out_stores(sdsp_a0_8 + addi16sp + ECALL + ldsp_a6_8 + sd_a1_a6), [])
        self.assertEqual(out_stores(mv_s0_a0 + ECALL + beqz_a0 + c_sd_a1_s0), [])
        self.assertIsNone(out_stores(mv_s0_a0 + c_sd_a1_s0))

    def test_schema_layout(self):
        fields = [
            dict(name="a", type="u64"),
            dict(name="b", type="handle"),
            dict(name="c", type="u32"),
        ]
        self.assertEqual(
            schema_layout(fields), [("a", 0, 8), ("b", 8, 4), ("c", 12, 4), ("sizeof", 16, 0)]
        )


if __name__ == "__main__":
    ELF_PATH, SCHEMA_PATH = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
