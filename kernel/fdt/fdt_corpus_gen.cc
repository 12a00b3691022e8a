// Writes the fuzzer's seed corpus (kernel/fdt/fuzz_corpus/): small valid
// trees that reach every token kind and lookup, and the QEMU virt tree cut
// down to a few of its devices. Run once after changing it:
//   bazel run //kernel/fdt:fdt_corpus_gen
// (writes into the source tree's kernel/fdt/fuzz_corpus/, or into the
// directory given as the one argument).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kernel/fdt/fdt_builder.h"
#include "neuron/errors.h"
#include "neuron/fdt.h"
#include "third_party/libfdt/libfdt_reference.h"

namespace {

using fdt_test::Builder;

// The nodes of the QEMU tree worth keeping (each with all its properties);
// the rest (PCI, flash, the other virtio slots, ...) only add size.
const std::set<std::string> kVirtKeep = {
    "/",
    "/chosen",
    "/memory@80000000",
    "/cpus",
    "/cpus/cpu@0",
    "/cpus/cpu@0/interrupt-controller",
    "/cpus/cpu-map",
    "/cpus/cpu-map/cluster0",
    "/cpus/cpu-map/cluster0/core0",
    "/soc",
    "/soc/serial@10000000",
    "/soc/test@100000",
    "/soc/rtc@101000",
    "/soc/plic@c000000",
    "/soc/clint@2000000",
    "/soc/virtio_mmio@10001000",
    "/soc/virtio_mmio@10008000",
};

// Copies the node at `node` (and kept descendants) into b, using libfdt to
// read the QEMU tree.
void CopyKept(const void *blob, int node, const std::string &path, Builder *b) {
  int len = 0;
  b->Begin(fdt_get_name(blob, node, &len));
  int p;
  fdt_for_each_property_offset(p, blob, node) {
    const char *name = nullptr;
    const uint8_t *v = static_cast<const uint8_t *>(fdt_getprop_by_offset(blob, p, &name, &len));
    // QEMU draws a new rng-seed on every run; leave it out so the seed file
    // only changes when the machine does.
    if (std::string(name) != "rng-seed") b->Prop(name, std::vector<uint8_t>(v, v + len));
  }
  int child;
  fdt_for_each_subnode(child, blob, node) {
    const std::string child_path =
        (path == "/" ? "" : path) + "/" + fdt_get_name(blob, child, &len);
    if (kVirtKeep.count(child_path)) CopyKept(blob, child, child_path, b);
  }
  b->End();
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> Seeds() {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds;
  {
    Builder b;
    b.Begin("").End();
    seeds.emplace_back("empty-root", b.Finish());
  }
  seeds.emplace_back("virt-like", fdt_test::VirtLikeTree("/soc/serial@10000000:115200n8"));
  {
    // The essentials with the kernel's boot arguments among another
    // owner's (platform_from_fdt reads /chosen's bootargs).
    Builder b;
    b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
    b.Begin("chosen").PropString("stdout-path", "/uart@1000");
    b.PropString("bootargs", "console=ttyS0 neuron.asid_bits=2").End();
    b.Begin("memory@80000000").PropString("device_type", "memory");
    b.PropCells("reg", {0, 0x80000000, 0, 0x1000000}).End();
    b.Begin("uart@1000").PropString("compatible", "ns16550a").PropCells("reg", {0, 0x1000, 0, 8});
    b.End();
    b.Begin("cpus").PropCells("timebase-frequency", {1000000});
    b.Begin("cpu@0").PropString("device_type", "cpu").End().End();
    b.End();
    seeds.emplace_back("bootargs", b.Finish());
  }
  {
    // Buses with every cell size the reg decoder meets, good and bad.
    Builder b;
    b.Begin("");
    const std::vector<std::pair<uint32_t, uint32_t>> cells = {
        {1, 1}, {1, 0}, {2, 1}, {2, 2}, {3, 1}};
    for (const auto &c : cells) {
      b.Begin("bus" + std::to_string(c.first) + std::to_string(c.second))
          .PropCells("#address-cells", {c.first})
          .PropCells("#size-cells", {c.second})
          .Begin("dev@1")
          .PropCells("reg", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
          .End()
          .End();
    }
    b.Begin("short-cells").Prop("#address-cells", {0, 1}).Begin("dev").PropCells("reg", {1}).End();
    b.End().End();
    seeds.emplace_back("reg-cells", b.Finish());
  }
  {
    // Look-alike names: unit-less lookups, duplicates, ':' in paths.
    Builder b;
    b.Begin("")
        .Begin("a@1")
        .End()
        .Begin("a")
        .Begin("x")
        .End()
        .End()
        .Begin("a@2")
        .End()
        .Begin("a")
        .Begin("y")
        .End()
        .End()
        .Begin("b,c@0,1")
        .End()
        .End();
    seeds.emplace_back("names", b.Finish());
  }
  {
    // NOPs, empty and unpadded properties, string lists with odd endings.
    Builder b;
    b.Nop()
        .Begin("")
        .Nop()
        .Prop("empty", {})
        .Prop("odd", {1, 2, 3, 4, 5})
        .Prop("compatible", {'a', 0, 0, 'b', 0})
        .Nop()
        .Begin("n")
        .Prop("compatible", {'n', 's'})
        .PropString("status", "okay")
        .End()
        .Nop()
        .End();
    seeds.emplace_back("nops-and-lists", b.Finish());
  }
  {
    Builder b;  // as deep as fdt_open() allows
    b.Begin("");
    for (int i = 1; i < 32; i++) b.Begin("d");
    for (int i = 0; i < 32; i++) b.End();
    seeds.emplace_back("deepest", b.Finish());
  }
  {
    std::ifstream in("kernel/platform/virt_dtb.dtb", std::ios::binary);
    const std::vector<uint8_t> virt((std::istreambuf_iterator<char>(in)), {});
    if (virt.size() < 40 || fdt_check_full(virt.data(), virt.size()) != 0) {
      std::fprintf(stderr, "fdt_corpus_gen: kernel/platform/virt_dtb.dtb missing or invalid\n");
      std::exit(1);
    }
    Builder b;
    CopyKept(virt.data(), 0, "/", &b);
    seeds.emplace_back("qemu-virt-small", b.Finish());
  }
  return seeds;
}

}  // namespace

int main(int argc, char **argv) {
  std::string dir;
  if (argc == 2) {
    dir = argv[1];
  } else if (const char *ws = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    dir = std::string(ws) + "/kernel/fdt/fuzz_corpus";
  } else {
    std::fprintf(stderr, "usage: fdt_corpus_gen DIR (or bazel run it)\n");
    return 2;
  }
  for (const auto &seed : Seeds()) {
    fdt_t f;
    if (fdt_check_full(seed.second.data(), seed.second.size()) != 0 ||
        fdt_open(&f, seed.second.data(), seed.second.size(), nullptr) != NX_OK) {
      std::fprintf(stderr, "fdt_corpus_gen: %s is not a valid tree\n", seed.first.c_str());
      return 1;
    }
    const std::string path = dir + "/" + seed.first + ".dtb";
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(seed.second.data()),
              static_cast<std::streamsize>(seed.second.size()));
    if (!out) {
      std::fprintf(stderr, "fdt_corpus_gen: cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("%s: %zu bytes\n", path.c_str(), seed.second.size());
  }
  return 0;
}
