"""What abigen's and idlgen's format tests share: random docs and names for
the random schemas they generate (the same draws from `rng` as the tests
made before, so a seed still gives the same schemas), and the checks that
generated files are clang-format clean and compile with the strict flags.
"""

import os
import string
import subprocess

STRICT = ["-Wall", "-Wextra", "-Werror"]
HOST_C = ["-std=c11", "-c", "-o", os.devnull]


def random_words(rng, vocabulary, n):
    """`n` words drawn from `vocabulary`, joined by spaces."""
    return " ".join(rng.choice(vocabulary) for _ in range(n))


def random_doc(rng, vocabulary):
    """A doc of one of four shapes: short, long, two paragraphs, a list."""
    kind = rng.randrange(4)
    if kind == 0:
        return random_words(rng, vocabulary, rng.randint(1, 6)) + "."
    if kind == 1:
        return random_words(rng, vocabulary, rng.randint(20, 60)) + "."
    if kind == 2:
        return f"{random_words(rng, vocabulary, 12)}.\n\n{random_words(rng, vocabulary, 30)}."
    w = random_words
    return f"{w(rng, vocabulary, 8)}:\n- {w(rng, vocabulary, 20)}\n- {w(rng, vocabulary, 3)}"


def random_name(rng, max_len):
    """A lower_case candidate name, often 1, 2 or 5 long or at the limit;
    the caller rejects the ones its schema refuses and draws again."""
    n = rng.choice([1, 2, 5, max_len // 2, max_len, max_len])
    first = rng.choice(string.ascii_lowercase)
    chars = string.ascii_lowercase + "_0123456789"
    return first + "".join(rng.choice(chars) for _ in range(n - 1))


def write_files(root, texts):
    """Writes each text of `texts` (path relative to `root` -> text)."""
    for rel, text in texts.items():
        with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
            f.write(text)


def assert_clang_format_clean(test, clang_format, style, paths, label):
    """Fails `test` unless clang-format (`style`) leaves `paths` as they are."""
    res = subprocess.run(
        [clang_format, style, "--dry-run", "--Werror", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    test.assertEqual(res.returncode, 0, f"{label}: not clang-format clean:\n{res.stderr}")


def compiler(test, clang, include_dir, label):
    """cc(*args): runs `clang` with the STRICT flags and -I `include_dir`,
    failing `test` (naming `label` and the command) if it does not succeed."""

    def cc(*args):
        cmd = [clang, *STRICT, "-I", include_dir, *args]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        test.assertEqual(res.returncode, 0, f"{label}: {' '.join(cmd)}\n{res.stderr}")

    return cc
