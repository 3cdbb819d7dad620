// allowlist_vector_gen: prints tests/data/allowlist/allowlist-vectors.json (see fixtures.hpp
// make_vectors and tests/data/allowlist/PROVENANCE.md).
#include <iostream>

#include "tests/unit/allowlist/fixtures.hpp"

int main() {
  std::cout << snprelay::allowlist::testing::make_vectors().dump(2) << "\n";
  return 0;
}
