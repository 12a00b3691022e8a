#include "neuron/platform.h"

#include <gtest/gtest.h>

#include "kernel/fdt/fdt_builder.h"
#include "neuron/errors.h"

namespace {

using fdt_test::Builder;

TEST(Platform, ReadsTheQemuVirtMachine) {
  auto blob = fdt_test::LoadVirtDtb();
  fdt_t fdt;
  ASSERT_EQ(fdt_open(&fdt, blob.data(), blob.size(), nullptr), NX_OK);
  platform_t p;
  const char *why = nullptr;
  ASSERT_EQ(platform_from_fdt(&fdt, &p, &why), NX_OK) << why;
  // Facts of QEMU 7.2's virt machine with -m 256M (see QEMU_MACHINE).
  EXPECT_EQ(p.memory.base, 0x80000000u);
  EXPECT_EQ(p.memory.size, 256u << 20);
  EXPECT_EQ(p.memory_total, 256u << 20);
  EXPECT_EQ(p.uart.base, 0x10000000u);
  EXPECT_EQ(p.uart_irq, 10u);  // QEMU virt wires the UART to PLIC line 10
  EXPECT_EQ(p.test_device.base, 0x100000u);
  EXPECT_EQ(p.plic.base, 0x0c000000u);
  EXPECT_EQ(p.plic.size, 0x600000u);
  EXPECT_EQ(p.plic_sources, 96u);
  EXPECT_EQ(p.plic_context, 1u);  // hart 0: context 0 is M-mode, 1 is S-mode
  EXPECT_EQ(p.timebase_hz, 10000000u);
  EXPECT_EQ(p.hart_count, 1u);
  ASSERT_EQ(p.virtio_count, 8u);
  for (uint32_t i = 0; i < p.virtio_count; i++) {
    EXPECT_EQ(p.virtio[i].size, 0x1000u);
    EXPECT_GE(p.virtio_irq[i], 1u);
    EXPECT_LE(p.virtio_irq[i], 8u);
  }
}

// A tree with only the essentials, each of which a test can leave out.
std::vector<uint8_t> Tree(bool memory, bool uart, bool cpus, bool chosen_uart = true) {
  Builder b;
  b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
  if (chosen_uart) b.Begin("chosen").PropString("stdout-path", "/uart@1000:115200").End();
  if (memory) {
    b.Begin("memory@80000000")
        .PropString("device_type", "memory")
        .PropCells("reg", {0, 0x80000000, 0, 0x1000000, 0, 0x90000000, 0, 0x1000000})
        .End();
  }
  if (uart) {
    b.Begin("uart@1000").PropString("compatible", "ns16550a").PropCells("reg", {0, 0x1000, 0, 8});
    b.End();
  }
  if (cpus) {
    b.Begin("cpus").PropCells("timebase-frequency", {1000000});
    b.Begin("cpu@0").PropString("device_type", "cpu").End();
    b.Begin("cpu@1").PropString("device_type", "cpu").End();
    b.End();
  }
  b.End();
  return b.Finish();
}

int Parse(const std::vector<uint8_t> &blob, platform_t *p, const char **why) {
  fdt_t fdt;
  EXPECT_EQ(fdt_open(&fdt, blob.data(), blob.size(), nullptr), NX_OK);
  return platform_from_fdt(&fdt, p, why);
}

TEST(Platform, SumsMemoryRangesAndCountsHarts) {
  platform_t p;
  const char *why = nullptr;
  ASSERT_EQ(Parse(Tree(true, true, true), &p, &why), NX_OK) << why;
  EXPECT_EQ(p.memory.base, 0x80000000u);
  EXPECT_EQ(p.memory.size, 0x1000000u);
  EXPECT_EQ(p.memory_total, 0x2000000u);
  EXPECT_EQ(p.uart.base, 0x1000u);
  EXPECT_EQ(p.hart_count, 2u);
  EXPECT_EQ(p.timebase_hz, 1000000u);
  EXPECT_EQ(p.test_device.size, 0u);
  EXPECT_EQ(p.virtio_count, 0u);
}

TEST(Platform, FindsTheUartWithoutStdoutPath) {
  platform_t p;
  ASSERT_EQ(Parse(Tree(true, true, true, false), &p, nullptr), NX_OK);
  EXPECT_EQ(p.uart.base, 0x1000u);
}

TEST(Platform, RefusesTreesMissingEssentials) {
  platform_t p;
  const char *why = nullptr;
  EXPECT_EQ(Parse(Tree(false, true, true), &p, &why), NX_ERR_NOT_FOUND);
  EXPECT_STREQ(why, "no memory node with a reg");
  EXPECT_EQ(Parse(Tree(true, false, true), &p, &why), NX_ERR_NOT_FOUND);
  EXPECT_STREQ(why, "no ns16550a console with a reg");
  EXPECT_EQ(Parse(Tree(true, true, false), &p, &why), NX_ERR_NOT_FOUND);
  EXPECT_STREQ(why, "no /cpus with timebase-frequency and cpu nodes");
}

// One memory range, one UART at 0x1000, one hart: under a root with two
// cells for address and size.
void Essentials(Builder &b, uint32_t timebase_hz = 1000000) {
  b.Begin("memory@80000000").PropString("device_type", "memory");
  b.PropCells("reg", {0, 0x80000000, 0, 0x1000000}).End();
  b.Begin("uart@1000").PropString("compatible", "ns16550a").PropCells("reg", {0, 0x1000, 0, 8});
  b.End();
  b.Begin("cpus").PropCells("timebase-frequency", {timebase_hz});
  b.Begin("cpu@0").PropString("device_type", "cpu").End().End();
}

TEST(Platform, SkipsVirtioSlotsWithoutASizeOrAnInterrupt) {
  Builder b;
  b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
  Essentials(b);
  auto slot = [&](const char *name, std::vector<uint32_t> reg, std::vector<uint32_t> irq) {
    b.Begin(name).PropString("compatible", "virtio,mmio").PropCells("reg", reg);
    if (!irq.empty()) b.PropCells("interrupts", irq);
    b.End();
  };
  slot("virtio_mmio@1", {0, 0x10001000, 0, 0x1000}, {1});
  slot("virtio_mmio@2", {0, 0x10002000, 0, 0}, {2});          // no size
  slot("virtio_mmio@3", {0, 0x10003000, 0, 0x1000}, {});      // no interrupt
  slot("virtio_mmio@4", {0, 0x10004000, 0, 0x1000}, {4, 5});  // not one cell
  slot("virtio_mmio@5", {0, 0x10005000, 0}, {5});             // reg not whole entries
  slot("virtio_mmio@6", {0, 0x10006000, 0, 0x1000}, {6});
  b.End();
  platform_t p;
  const char *why = nullptr;
  ASSERT_EQ(Parse(b.Finish(), &p, &why), NX_OK) << why;
  ASSERT_EQ(p.virtio_count, 2u);
  EXPECT_EQ(p.virtio[0].base, 0x10001000u);
  EXPECT_EQ(p.virtio_irq[0], 1u);
  EXPECT_EQ(p.virtio[1].base, 0x10006000u);
  EXPECT_EQ(p.virtio_irq[1], 6u);
}

TEST(Platform, RefusesATimebaseTooSlowForASlice) {
  for (uint32_t hz : {0u, 1u, PLATFORM_MIN_TIMEBASE_HZ - 1, PLATFORM_MIN_TIMEBASE_HZ}) {
    Builder b;
    b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
    Essentials(b, hz);
    b.End();
    platform_t p;
    const char *why = nullptr;
    if (hz == PLATFORM_MIN_TIMEBASE_HZ) {
      ASSERT_EQ(Parse(b.Finish(), &p, &why), NX_OK) << why;
      EXPECT_EQ(p.timebase_hz, hz);
      continue;
    }
    EXPECT_EQ(Parse(b.Finish(), &p, &why), NX_ERR_BAD_FORMAT) << hz;
    EXPECT_STREQ(why, "timebase-frequency below 100 Hz");
  }
}

// The essentials and two more UARTs under "soc", and /chosen with
// `stdout_path` (if not null) first or last.
std::vector<uint8_t> TreeWithUarts(const char *stdout_path, bool chosen_last = false) {
  Builder b;
  b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
  auto chosen = [&] {
    if (stdout_path) b.Begin("chosen").PropString("stdout-path", stdout_path).End();
  };
  if (!chosen_last) chosen();
  Essentials(b);
  // soc's children have one cell each for address and size.
  b.Begin("soc").PropCells("#address-cells", {1}).PropCells("#size-cells", {1});
  b.Begin("serial@2000").PropString("compatible", "ns16550a").PropCells("reg", {0x2000, 8});
  b.PropCells("interrupts", {12}).End();
  b.Begin("serial@3000").PropString("compatible", "ns16550a").PropCells("reg", {0x3000, 8});
  b.End().End();
  if (chosen_last) chosen();
  b.End();
  return b.Finish();
}

TEST(Platform, TheConsoleIsTheUartStdoutPathNames) {
  struct Case {
    const char *path;
    bool chosen_last;
    uint64_t uart;
  } cases[] = {
      {"/soc/serial@3000", false, 0x3000},
      {"/soc/serial@3000", true, 0x3000},  // /chosen after the UARTs
      {"/soc/serial@2000:115200n8", false, 0x2000},
      {"//soc//serial@3000", false, 0x3000},  // empty components are skipped
      {"/soc/serial", false, 0x2000},         // no unit address: the first such
      {"/uart@1000", false, 0x1000},
      {"/soc", false, 0x1000},                // not a UART: the first one
      {"/soc/serial@3000/x", false, 0x1000},  // names no node
      {"/soc/serial@4000", false, 0x1000},
      {"/cpus/serial@3000", false, 0x1000},
      {"soc/serial@3000", false, 0x1000},  // not absolute: ignored
      {nullptr, false, 0x1000},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.path ? c.path : "(no stdout-path)");
    platform_t p;
    const char *why = nullptr;
    ASSERT_EQ(Parse(TreeWithUarts(c.path, c.chosen_last), &p, &why), NX_OK) << why;
    EXPECT_EQ(p.uart.base, c.uart);
    EXPECT_EQ(p.uart.size, 8u);
    EXPECT_EQ(p.uart_irq, c.uart == 0x2000 ? 12u : 0u);
  }
}

TEST(Platform, ReadsOnlyPropertiesBeforeANodesFirstChild) {
  // memory's reg follows a child: fdt_prop() would not see it, nor does the
  // walk; and a parent with a malformed #size-cells leaves its children's
  // reg undecodable.
  Builder b;
  b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
  b.Begin("memory@80000000").PropString("device_type", "memory").Begin("x").End();
  b.PropCells("reg", {0, 0x80000000, 0, 0x1000000}).End();
  b.Begin("memory@90000000").PropString("device_type", "memory");
  b.PropCells("reg", {0, 0x90000000, 0, 0x1000000}).End();
  b.Begin("bad").Prop("#size-cells", {0, 1});
  b.Begin("uart@1").PropString("compatible", "ns16550a").PropCells("reg", {0, 1, 0, 8}).End();
  b.End();
  b.Begin("uart@1000").PropString("compatible", "ns16550a").PropCells("reg", {0, 0x1000, 0, 8});
  b.End();
  b.Begin("cpus").PropCells("timebase-frequency", {1000000});
  b.Begin("cpu@0").PropString("device_type", "cpu").End().End();
  b.End();
  platform_t p;
  const char *why = nullptr;
  ASSERT_EQ(Parse(b.Finish(), &p, &why), NX_OK) << why;
  EXPECT_EQ(p.memory.base, 0x90000000u);
  EXPECT_EQ(p.memory_total, 0x1000000u);
  EXPECT_EQ(p.uart.base, 0x1000u);
}

TEST(Platform, RefusesAStructureThatWalksBadly) {
  // A blob changed after fdt_open() accepted it: the walk meets a bad token.
  std::vector<uint8_t> blob = Tree(true, true, true);
  fdt_t fdt;
  ASSERT_EQ(fdt_open(&fdt, blob.data(), blob.size(), nullptr), NX_OK);
  Builder::Patch(blob, fdt.struct_off + fdt.struct_size - 8, 7);  // the root's END_NODE
  platform_t p;
  const char *why = nullptr;
  EXPECT_EQ(platform_from_fdt(&fdt, &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, "malformed device tree structure");
}

std::vector<uint8_t> TreeWithInitrd(std::vector<uint8_t> start, std::vector<uint8_t> end) {
  Builder b;
  b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
  b.Begin("chosen").PropString("stdout-path", "/uart@1000");
  if (!start.empty()) b.Prop("linux,initrd-start", start);
  if (!end.empty()) b.Prop("linux,initrd-end", end);
  b.End();
  Essentials(b);
  b.End();
  return b.Finish();
}

TEST(Platform, ReadsTheInitrdInOneOrTwoCells) {
  platform_t p;
  const char *why = nullptr;
  ASSERT_EQ(Parse(TreeWithInitrd({0x84, 0, 0, 0}, {0x84, 0, 0x10, 0}), &p, &why), NX_OK) << why;
  EXPECT_EQ(p.initrd.base, 0x84000000u);
  EXPECT_EQ(p.initrd.size, 0x1000u);
  ASSERT_EQ(
      Parse(TreeWithInitrd({0, 0, 0, 0, 0x84, 0, 0, 0}, {0, 0, 0, 0, 0x84, 0, 0, 8}), &p, &why),
      NX_OK);
  EXPECT_EQ(p.initrd.size, 8u);
  ASSERT_EQ(Parse(TreeWithInitrd({}, {}), &p, &why), NX_OK);
  EXPECT_EQ(p.initrd.size, 0u);
}

TEST(Platform, RefusesABrokenInitrd) {
  platform_t p;
  const char *why = nullptr;
  const char *reason = "bad linux,initrd-start/end in /chosen";
  EXPECT_EQ(Parse(TreeWithInitrd({0x84, 0, 0, 0}, {}), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
  EXPECT_EQ(Parse(TreeWithInitrd({0x84, 0, 0, 0}, {0x83, 0, 0, 0}), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
  EXPECT_EQ(Parse(TreeWithInitrd({0x84, 0, 0}, {0x85, 0, 0, 0}), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(Parse(TreeWithInitrd({0x84, 0, 0, 0}, {0x85, 0, 0}), &p, &why), NX_ERR_BAD_FORMAT);
}

// The essentials with /chosen's bootargs as `args` (raw bytes: a test can
// leave the terminating 0 out).
std::vector<uint8_t> TreeWithBootargs(const std::vector<uint8_t> &args) {
  Builder b;
  b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
  b.Begin("chosen").PropString("stdout-path", "/uart@1000").Prop("bootargs", args).End();
  Essentials(b);
  b.End();
  return b.Finish();
}

std::vector<uint8_t> Str(const std::string &s) {
  return std::vector<uint8_t>(s.c_str(), s.c_str() + s.size() + 1);
}

TEST(Platform, ReadsTheAsidLimitFromTheBootArguments) {
  platform_t p;
  const char *why = nullptr;
  ASSERT_EQ(Parse(Tree(true, true, true), &p, &why), NX_OK) << why;
  EXPECT_EQ(p.asid_bits_max, PLATFORM_ASID_BITS_ANY);  // no bootargs
  const struct {
    const char *args;
    uint32_t bits;
  } cases[] = {
      {"", PLATFORM_ASID_BITS_ANY},
      {"console=ttyS0 quiet", PLATFORM_ASID_BITS_ANY},  // not the kernel's
      {"neuron.asid_bits=2", 2},
      {"  quiet neuron.asid_bits=0  ", 0},
      {"neuron.asid_bits=16 console=ttyS0", 16},
  };
  for (const auto &c : cases) {
    ASSERT_EQ(Parse(TreeWithBootargs(Str(c.args)), &p, &why), NX_OK) << c.args << ": " << why;
    EXPECT_EQ(p.asid_bits_max, c.bits) << c.args;
  }
}

TEST(Platform, RefusesBadBootArguments) {
  const char *reason = "bad bootargs in /chosen (known: neuron.asid_bits=0..16)";
  for (const char *args :
       {"neuron.asid_bits=17", "neuron.asid_bits=", "neuron.asid_bits=2x", "neuron.asid_bits=-1",
        "neuron.asid_bits=9999", "neuron.asid_bit=2", "quiet neuron.verbose"}) {
    platform_t p;
    const char *why = nullptr;
    EXPECT_EQ(Parse(TreeWithBootargs(Str(args)), &p, &why), NX_ERR_BAD_FORMAT) << args;
    EXPECT_STREQ(why, reason) << args;
  }
  // Not a string: no terminating 0, or empty.
  platform_t p;
  const char *why = nullptr;
  EXPECT_EQ(Parse(TreeWithBootargs({'n', 'e'}), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
  EXPECT_EQ(Parse(TreeWithBootargs({}), &p, &why), NX_ERR_BAD_FORMAT);
}

// The essentials and a PLIC node; a property is left out when its cells
// are empty (`interrupts` holds the raw interrupts-extended bytes).
std::vector<uint8_t> TreeWithPlic(std::vector<uint32_t> ndev, std::vector<uint8_t> interrupts) {
  Builder b;
  b.Begin("").PropCells("#address-cells", {2}).PropCells("#size-cells", {2});
  b.Begin("chosen").PropString("stdout-path", "/uart@1000").End();
  Essentials(b);
  b.Begin("plic@c000000").PropString("compatible", "riscv,plic0");
  b.PropCells("reg", {0, 0xc000000, 0, 0x600000});
  if (!ndev.empty()) b.PropCells("riscv,ndev", ndev);
  if (!interrupts.empty()) b.Prop("interrupts-extended", interrupts);
  b.End().End();
  return b.Finish();
}

std::vector<uint8_t> Cells(const std::vector<uint32_t> &cells) {
  std::vector<uint8_t> v;
  for (uint32_t c : cells) {
    for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(c >> s));
  }
  return v;
}

TEST(Platform, FindsThePlicContextOfTheFirstHartsSupervisorMode) {
  platform_t p;
  const char *why = nullptr;
  // <phandle irq> per context: 11 is M-mode's external interrupt, 9 S-mode's.
  ASSERT_EQ(Parse(TreeWithPlic({53}, Cells({1, 11, 1, 9, 2, 11, 2, 9})), &p, &why), NX_OK) << why;
  EXPECT_EQ(p.plic.base, 0xc000000u);
  EXPECT_EQ(p.plic_sources, 53u);
  EXPECT_EQ(p.plic_context, 1u);
  ASSERT_EQ(Parse(TreeWithPlic({53}, Cells({1, 9})), &p, &why), NX_OK) << why;
  EXPECT_EQ(p.plic_context, 0u);
}

TEST(Platform, APlicThatReachesNoSupervisorModeCountsAsAbsent) {
  platform_t p;
  const char *why = nullptr;
  ASSERT_EQ(Parse(TreeWithPlic({53}, Cells({1, 11, 2, 11})), &p, &why), NX_OK) << why;
  EXPECT_EQ(p.plic.size, 0u);
  EXPECT_EQ(p.plic_sources, 0u);
}

TEST(Platform, RefusesABrokenPlic) {
  platform_t p;
  const char *why = nullptr;
  const char *reason = "riscv,plic0 without riscv,ndev or <phandle irq> interrupts-extended";
  EXPECT_EQ(Parse(TreeWithPlic({}, Cells({1, 9})), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
  why = nullptr;
  EXPECT_EQ(Parse(TreeWithPlic({0, 53}, Cells({1, 9})), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
  why = nullptr;
  EXPECT_EQ(Parse(TreeWithPlic({53}, {}), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
  why = nullptr;
  EXPECT_EQ(Parse(TreeWithPlic({53}, Cells({1, 11, 1})), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
  why = nullptr;
  EXPECT_EQ(Parse(TreeWithPlic({53}, {0, 0, 0, 1, 0, 0, 0, 9, 0}), &p, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, reason);
}

}  // namespace
