// A randomized model test: thousands of random grants, revokes,
// registrations, unregistrations, lookups and server deaths (valid and
// invalid names, badge 0, endpoint 0, full tables), each checked against a
// simple reference model of the documented rules; after every step every
// (badge, name) pair's rights and lookup result must match the model.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "neuron/errors.h"
#include "neuron/registry_table.h"

namespace {

constexpr uint64_t kBadges = 6;  // 0 (nobody) .. 5

struct Entry {
  uint64_t owner;
  uint32_t endpoint;
};

// The documented rules, on std::map.
struct Model {
  std::map<std::pair<uint64_t, std::string>, uint32_t> grants;
  std::map<std::string, Entry> entries;

  static bool Valid(const std::string &n) {
    if (n.empty() || n.size() > REGISTRY_NAME_MAX) return false;
    for (char c : n) {
      if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '/')
        return false;
    }
    return true;
  }
  uint32_t Rights(uint64_t b, const std::string &n) const {
    auto it = grants.find({b, n});
    return it == grants.end() ? 0 : it->second;
  }
  int Grant(uint64_t b, const std::string &n, uint32_t rights) {
    if (b == 0 || rights == 0 || (rights & ~REGISTRY_RIGHTS_ALL) || !Valid(n))
      return NX_ERR_INVALID_ARGS;
    auto it = grants.find({b, n});
    if (it != grants.end()) {
      it->second |= rights;
      return NX_OK;
    }
    if (grants.size() == REGISTRY_GRANTS) return NX_ERR_NO_MEMORY;
    grants[{b, n}] = rights;
    return NX_OK;
  }
  size_t Revoke(uint64_t b) {
    size_t n = 0;
    for (auto it = grants.begin(); it != grants.end();) {
      if (it->first.first == b) {
        it = grants.erase(it);
        n++;
      } else {
        ++it;
      }
    }
    return n;
  }
  int Register(uint64_t o, const std::string &n, uint32_t ep, uint32_t *replaced) {
    *replaced = 0;
    if (!Valid(n)) return NX_ERR_INVALID_ARGS;
    if (!(Rights(o, n) & REGISTRY_SERVE)) return NX_ERR_ACCESS_DENIED;
    if (ep == 0) return NX_ERR_BAD_HANDLE;
    auto it = entries.find(n);
    if (it != entries.end()) {
      if (it->second.owner != o) return NX_ERR_ACCESS_DENIED;
      if (it->second.endpoint != ep) *replaced = it->second.endpoint;
      it->second.endpoint = ep;
      return NX_OK;
    }
    if (entries.size() == REGISTRY_TABLE_ENTRIES) return NX_ERR_NO_MEMORY;
    entries[n] = {o, ep};
    return NX_OK;
  }
  int Lookup(uint64_t c, const std::string &n, uint32_t *ep) const {
    if (!Valid(n)) return NX_ERR_INVALID_ARGS;
    if (!(Rights(c, n) & REGISTRY_LOOKUP)) return NX_ERR_ACCESS_DENIED;
    auto it = entries.find(n);
    if (it == entries.end()) return NX_ERR_NOT_FOUND;
    *ep = it->second.endpoint;
    return NX_OK;
  }
  int Unregister(uint64_t o, const std::string &n, uint32_t *ep) {
    if (!Valid(n)) return NX_ERR_INVALID_ARGS;
    if (!(Rights(o, n) & REGISTRY_SERVE)) return NX_ERR_ACCESS_DENIED;
    auto it = entries.find(n);
    if (it == entries.end()) return NX_ERR_NOT_FOUND;
    if (it->second.owner != o) return NX_ERR_ACCESS_DENIED;
    *ep = it->second.endpoint;
    entries.erase(it);
    return NX_OK;
  }
  std::vector<uint32_t> RemoveOwner(uint64_t o) {
    std::vector<uint32_t> out;
    if (o == 0) return out;
    for (auto it = entries.begin(); it != entries.end();) {
      if (it->second.owner == o) {
        out.push_back(it->second.endpoint);
        it = entries.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  }
};

void Collect(void *ctx, uint32_t ep) { static_cast<std::vector<uint32_t> *>(ctx)->push_back(ep); }

TEST(TableModel, RandomOperationsMatchTheModel) {
  // More valid names than table slots and more (badge, name) pairs than
  // grant slots, so both tables fill up; a few invalid names besides.
  std::vector<std::string> names;
  for (int i = 0; i < int(REGISTRY_TABLE_ENTRIES) + 8; i++)
    names.push_back("n" + std::to_string(i));
  const size_t valid = names.size();
  names.push_back("");
  names.push_back("bad name");
  names.push_back(std::string(REGISTRY_NAME_MAX + 1, 'n'));
  names.push_back(std::string(REGISTRY_NAME_MAX, 'n'));
  names.push_back(std::string("n1\0", 3));

  registry_table_t r;
  registry_table_init(&r);
  Model m;
  std::mt19937_64 rng(20240917);
  auto pick = [&rng](uint64_t n) { return uint64_t(rng() % n); };
  auto name = [&]() -> const std::string & {
    return names[pick(8) == 0 ? valid + pick(names.size() - valid) : pick(valid)];
  };
  auto endpoint = [&]() { return pick(16) == 0 ? 0u : uint32_t(1 + pick(300)); };

  std::map<int, size_t> seen[8];  // op -> result -> how often
  constexpr int kSteps = 6000;
  for (int step = 0; step < kSteps; step++) {
    int op = int(pick(8));
    uint64_t badge = pick(kBadges);
    std::string n = name();
    // Registrations, unregistrations and lookups mostly come from a program
    // that holds the grant they need, or nearly every one would be refused.
    uint32_t need = op == 6 ? REGISTRY_LOOKUP : op >= 3 && op <= 5 ? REGISTRY_SERVE : 0;
    if (need != 0 && pick(4) != 0) {
      std::vector<std::pair<uint64_t, std::string>> holders;
      for (const auto &g : m.grants) {
        if (g.second & need) holders.push_back(g.first);
      }
      if (!holders.empty()) std::tie(badge, n) = holders[pick(holders.size())];
    }
    int got = 0, want = 0;
    switch (op) {
      case 0:
      case 1: {
        // Mostly valid rights, so grants build up; sometimes anything.
        uint32_t rights = pick(8) == 0 ? uint32_t(pick(8)) : uint32_t(1 + pick(3));
        got = registry_grants_add(&r.grants, badge, n.data(), n.size(), rights);
        want = m.Grant(badge, n, rights);
        break;
      }
      case 2: {
        if (pick(32) != 0) break;  // rare: revoking undoes the grants above
        ASSERT_EQ(registry_grants_revoke(&r.grants, badge), m.Revoke(badge)) << step;
        break;
      }
      case 3:
      case 4: {
        uint32_t ep = endpoint(), rep = 1, mrep = 2;
        got = registry_table_register(&r, badge, n.data(), n.size(), ep, &rep);
        want = m.Register(badge, n, ep, &mrep);
        ASSERT_EQ(rep, mrep) << step;
        break;
      }
      case 5: {
        uint32_t ep = 1, mep = 1;
        got = registry_table_unregister(&r, badge, n.data(), n.size(), &ep);
        want = m.Unregister(badge, n, &mep);
        ASSERT_EQ(ep, mep) << step;
        break;
      }
      case 6: {
        uint32_t ep = 1, mep = 1;
        got = registry_table_lookup(&r, badge, n.data(), n.size(), &ep);
        want = m.Lookup(badge, n, &mep);
        ASSERT_EQ(ep, mep) << step;
        break;
      }
      case 7: {
        if (pick(16) != 0) break;  // rare: a death undoes many registrations
        std::vector<uint32_t> released;
        size_t count = registry_table_remove_owner(&r, badge, Collect, &released);
        std::vector<uint32_t> expected = m.RemoveOwner(badge);
        ASSERT_EQ(count, expected.size()) << step;
        std::sort(released.begin(), released.end());
        std::sort(expected.begin(), expected.end());
        ASSERT_EQ(released, expected) << step;
        break;
      }
    }
    ASSERT_EQ(got, want) << "step " << step << " op " << op << " badge " << badge << " name '" << n
                         << "'";
    seen[op][got]++;

    // Everything observable: every pair's rights and lookup, and the count.
    ASSERT_EQ(registry_table_count(&r), m.entries.size()) << step;
    for (uint64_t b = 0; b < kBadges; b++) {
      for (const std::string &each : names) {
        ASSERT_EQ(registry_grants_rights(&r.grants, b, each.data(), each.size()), m.Rights(b, each))
            << step;
        uint32_t ep = 1, mep = 1;
        ASSERT_EQ(registry_table_lookup(&r, b, each.data(), each.size(), &ep),
                  m.Lookup(b, each, &mep))
            << step;
        ASSERT_EQ(ep, mep) << step;
      }
    }
  }
  // The run reached every outcome of each operation, full tables included.
  EXPECT_GT(seen[0][NX_OK] + seen[1][NX_OK], 50u);
  EXPECT_GT(seen[0][NX_ERR_NO_MEMORY] + seen[1][NX_ERR_NO_MEMORY], 0u);
  EXPECT_GT(seen[3][NX_OK] + seen[4][NX_OK], 50u);
  EXPECT_GT(seen[3][NX_ERR_NO_MEMORY] + seen[4][NX_ERR_NO_MEMORY], 0u);
  EXPECT_GT(seen[3][NX_ERR_BAD_HANDLE] + seen[4][NX_ERR_BAD_HANDLE], 0u);
  EXPECT_GT(seen[5][NX_OK], 10u);
  EXPECT_GT(seen[5][NX_ERR_NOT_FOUND], 0u);
  EXPECT_GT(seen[6][NX_OK], 50u);
  EXPECT_GT(seen[6][NX_ERR_NOT_FOUND], 0u);
  EXPECT_GT(seen[6][NX_ERR_ACCESS_DENIED], 0u);
  EXPECT_GT(seen[6][NX_ERR_INVALID_ARGS], 0u);
}

}  // namespace
