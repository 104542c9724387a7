// Definitions of checkpoint.hpp that depend on no network.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include "ctnn/io/checkpoint.hpp"

namespace ctnn::detail {

CTNN_RUN_ONCE std::string shape_text(const std::vector<std::size_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace ctnn::detail
