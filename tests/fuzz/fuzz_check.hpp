// Shared helpers of the fuzz targets (tests/fuzz/): invariant checks, the test-data directory, and the
// "xor edits" mutation that the signed-input targets apply to a known-good vector.
//
// fuzz_check(ok, what): an invariant of the code under test. When `ok` is false it prints
// "fuzz invariant broken: <what>" to stderr and aborts, so libFuzzer records the input as a crash
// (crash-<sha1>) and the ctest replay driver (replay_main.cpp) fails on it. `what` names the invariant
// in words, so the log line alone says which property broke.
//
// test_data_file(relative): the bytes of tests/data/<relative>. SNPRELAY_TEST_DATA is defined for every
// fuzz target by add_snprelay_fuzz_target (tests/CMakeLists.txt). A missing or empty file aborts: a
// target whose baseline vector vanished must fail loudly, not fuzz nothing.
//
// apply_xor_edits(original, edits): a copy of `original` in which each 3-byte group of `edits`
// (16-bit little-endian position taken modulo the size, then an xor mask) flips bits. A mask of 0 or
// two edits that cancel leave the byte unchanged, so callers compare the result with the original
// rather than assume every input mutates something.
//
// Thread-safety: pure functions except test_data_file (reads a file). Not for production code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#ifndef SNPRELAY_TEST_DATA
#error "SNPRELAY_TEST_DATA must name tests/data (set by add_snprelay_fuzz_target)"
#endif

namespace snprelay::fuzz {

using ByteVec = std::vector<std::uint8_t>;

// Aborts (a libFuzzer finding) when an invariant does not hold.
inline void fuzz_check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

// The bytes of tests/data/<relative>; aborts when the file is missing or empty.
inline ByteVec test_data_file(const std::string& relative) {
  const std::string path = std::string(SNPRELAY_TEST_DATA) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  ByteVec bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    std::fprintf(stderr, "fuzz: cannot read test vector %s\n", path.c_str());
    std::abort();
  }
  return bytes;
}

// `original` with the xor edits of `edits` applied (see the file comment).
inline ByteVec apply_xor_edits(std::span<const std::uint8_t> original, std::span<const std::uint8_t> edits) {
  ByteVec out(original.begin(), original.end());
  if (out.empty())
    return out;
  for (std::size_t i = 0; i + 3 <= edits.size(); i += 3) {
    const std::size_t pos =
        (static_cast<std::size_t>(edits[i]) | (static_cast<std::size_t>(edits[i + 1]) << 8U));
    out[pos % out.size()] ^= edits[i + 2];
  }
  return out;
}

// True when `a` and `b` differ inside [begin, end) (both at least `end` long) or in their lengths.
inline bool differs_in(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b, std::size_t begin,
                       std::size_t end) {
  if (a.size() != b.size() || a.size() < end)
    return true;
  for (std::size_t i = begin; i < end; ++i) {
    if (a[i] != b[i])
      return true;
  }
  return false;
}

}  // namespace snprelay::fuzz
