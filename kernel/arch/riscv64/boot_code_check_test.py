"""Tests boot_code_check on made-up kernels: each refusal, and a clean one."""

import struct
import unittest

import boot_code_check as bc

BOOT = 0xFFFFFFFF80200000
TEXT = BOOT + 0x2000
RODATA = BOOT + 0x4000
X = bc.SHF_ALLOC | bc.SHF_EXECINSTR


def elf(sections, symbols):
    """An ELF64 file with `sections` [(name, type, flags, addr, bytes)] and
    function `symbols` [(name, addr)], in that order after the null section."""
    names = b"\0" + b"".join(n.encode() + b"\0" for n, *_ in sections) + b".symtab\0.strtab\0.shstrtab\0"
    strtab = b"\0" + b"".join(n.encode() + b"\0" for n, _ in symbols)
    symtab = b"\0" * 24
    at = 1
    for n, addr in symbols:
        symtab += struct.pack("<IBBHQQ", at, bc.STT_FUNC, 0, 1, addr, 0)
        at += len(n) + 1
    body = b""
    headers = [b"\0" * 64]
    offset = 64

    def add(name, kind, flags, addr, content, link=0):
        nonlocal body
        headers.append(struct.pack("<IIQQQQIIQQ", names.index(name.encode() + b"\0"), kind, flags, addr,
                                   offset + len(body), len(content), link, 0, 8, 0))
        body += content

    for name, kind, flags, addr, content in sections:
        add(name, kind, flags, addr, content)
    strtab_index = len(headers) + 1
    add(".symtab", bc.SHT_SYMTAB, 0, 0, symtab, strtab_index)
    add(".strtab", 3, 0, 0, strtab)
    add(".shstrtab", 3, 0, 0, names)
    shoff = offset + len(body)
    header = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    header += struct.pack("<HHIQQQIHHHHHH", 2, 243, 1, BOOT, 0, shoff, 0, 64, 0, 0, 64, len(headers),
                          len(headers) - 1)
    return header + body + b"".join(headers)


def kernel(rodata=b"\0" * 16, boot_addr=BOOT, text_addr=TEXT):
    data = elf(
        [(".boot.text", bc.SHT_PROGBITS, X, boot_addr, b"\0" * 0x100),
         (".text", bc.SHT_PROGBITS, X, text_addr, b"\0" * 0x100),
         (".rodata", bc.SHT_PROGBITS, bc.SHF_ALLOC, RODATA, rodata)],
        [("kmain", boot_addr), ("boot_helper", boot_addr + 0x40), ("run", text_addr)])
    sections, functions = bc.read_elf(data)
    return sections, functions, data


def problems(refs, **kw):
    sections, functions, data = kernel(**kw)
    return bc.check(sections, functions, refs, data)


class ReadElf(unittest.TestCase):
    def test_reads_sections_and_functions(self):
        sections, functions, _ = kernel()
        self.assertEqual([s.name for s in sections][1:4], [".boot.text", ".text", ".rodata"])
        self.assertEqual(functions, {BOOT: "kmain", BOOT + 0x40: "boot_helper", TEXT: "run"})

    def test_refuses_what_is_no_elf64(self):
        with self.assertRaises(ValueError):
            bc.read_elf(b"\x7fELF\x01\x01" + b"\0" * 58)


class References(unittest.TestCase):
    def test_follows_auipc_pairs_and_direct_jumps(self):
        text = "\n".join([
            "ffffffff80202000:      \tauipc\tra, 1048574",  # -2 pages
            "ffffffff80202004:      \tjalr\t64(ra)",
            "",
            "ffffffff80202008 <.Lpcrel_hi1>:",
            "ffffffff80202008:      \tauipc\ta0, 0",
            "ffffffff8020200c:      \taddi\ta0, a0, -8",
            "ffffffff80202010:      \tauipc\tt0, 1",
            "ffffffff80202014:      \tld\tt0, 16(t0)",
            "ffffffff80202018:      \tbeqz\ta0, 0xffffffff80200040 <boot_helper>",
            "ffffffff8020201c:      \tadd\ta0, a0, a1",
        ])
        self.assertEqual(list(bc.references(text)), [
            (0xFFFFFFFF80202000, BOOT + 0x40, True),
            (0xFFFFFFFF80202008, 0xFFFFFFFF80202000, False),
            (0xFFFFFFFF80202010, 0xFFFFFFFF80203020, False),
            (0xFFFFFFFF80202018, BOOT + 0x40, True),
        ])


class Check(unittest.TestCase):
    def test_clean_kernel(self):
        refs = [(BOOT + 4, TEXT, True),  # boot code calls resident code
                (BOOT + 8, BOOT + 0x40, True),  # and itself
                (TEXT + 4, BOOT, False)]  # the code that frees it forms its start
        self.assertEqual(problems(refs, rodata=struct.pack("<QQ", BOOT + 0x44, TEXT)), [])

    def test_call_from_resident_code(self):
        self.assertEqual(problems([(TEXT + 4, BOOT + 0x40, True)]),
                         ["run+0x4, outside .boot.text, refers to boot_helper in it"])

    def test_call_to_the_start_from_resident_code(self):
        self.assertEqual(len(problems([(TEXT + 4, BOOT, True)])), 1)

    def test_address_taken_inside_boot_code(self):
        self.assertEqual(problems([(BOOT + 8, BOOT + 0x40, False)]),
                         ["kmain+0x8 takes the address of boot_helper, which is freed after boot"])

    def test_data_holding_a_boot_function(self):
        self.assertEqual(problems([], rodata=struct.pack("<QQ", 0, BOOT + 0x40)),
                         [".rodata+0x8 holds the address of boot_helper, which is freed after boot"])

    def test_boot_code_not_page_aligned(self):
        self.assertIn(".boot.text starts at %#x, not on a page boundary" % (BOOT + 8),
                      problems([], boot_addr=BOOT + 8))

    def test_boot_code_sharing_its_last_page(self):
        self.assertEqual(problems([], text_addr=BOOT + 0x100),
                         ["the page where .boot.text ends holds other sections"])

    def test_boot_code_not_first(self):
        self.assertIn(".boot.text is not the kernel's first code (.text is)",
                      problems([], boot_addr=TEXT + 0x1000))

    def test_no_boot_code(self):
        data = elf([(".text", bc.SHT_PROGBITS, X, TEXT, b"\0" * 16)], [("run", TEXT)])
        sections, functions = bc.read_elf(data)
        self.assertEqual(bc.check(sections, functions, [], data), ["the kernel has no .boot.text section"])


if __name__ == "__main__":
    unittest.main()
