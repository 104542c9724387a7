// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic
// number (0, 0, type, rank), `rank` big-endian 32-bit extents, then the data, row-major. read_idx
// reads a file gzipped or not (zlib reads both) and checks the magic, the element type (unsigned
// bytes, 0x08), the extents and that the data is exactly as long as they say. Every error names
// the file, what was expected and what was found.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/errors.hpp"

namespace ctnn::data {

struct idx_array {
  std::vector<std::size_t> dims;     // e.g. {60000, 28, 28}
  std::vector<std::uint8_t> values;  // dims' product of them
};

CTNN_RUN_ONCE idx_array read_idx(const std::filesystem::path& path);

}  // namespace ctnn::data

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/data/idx.ipp"
#endif
