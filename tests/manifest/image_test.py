"""Checks an image packed with a manifest: the boot archive holds each
program of the plan under app/ as an ELF file and the plan as etc/bootplan,
equal to the golden copy.

    image_test.py IMAGE_FILES... GOLDEN_BOOTPLAN
"""

import sys
import unittest

IMAGE_FILES = []
GOLDEN = ""


def read_cpio(data):
    """The entries of a cpio "newc" archive: {name: bytes}."""
    entries, offset = {}, 0
    while True:
        header = data[offset : offset + 110]
        if header[:6] != b"070701":
            raise ValueError(f"no cpio header at {offset}")
        fields = [int(header[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
        size, name_size = fields[6], fields[11]
        name_at = offset + 110
        name = data[name_at : name_at + name_size - 1].decode()
        data_at = name_at + name_size + (-(name_at + name_size) % 4)
        if name == "TRAILER!!!":
            return entries
        entries[name] = data[data_at : data_at + size]
        offset = data_at + size + (-(data_at + size) % 4)


class ImageTest(unittest.TestCase):
    def setUp(self):
        (archive,) = [f for f in IMAGE_FILES if f.endswith(".cpio")]
        with open(archive, "rb") as f:
            self.entries = read_cpio(f.read())

    def test_bootplan_is_packed(self):
        with open(GOLDEN, "rb") as f:
            golden = f.read()
        self.assertEqual(self.entries["etc/bootplan"].decode(), golden.decode())

    def test_programs_are_packed_as_elf(self):
        self.assertEqual(
            sorted(self.entries), ["app/client", "app/logd", "app/uart", "etc/bootplan"]
        )
        for name in ["app/client", "app/logd", "app/uart"]:
            self.assertEqual(self.entries[name][:4], b"\x7fELF", name)


if __name__ == "__main__":
    IMAGE_FILES, GOLDEN = sys.argv[1:-1], sys.argv[-1]
    unittest.main(argv=sys.argv[:1])
