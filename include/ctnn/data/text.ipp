// Definitions of text.hpp: reading a whole file.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include <fstream>
#include <sstream>

#include "ctnn/data/text.hpp"

namespace ctnn::data {

CTNN_RUN_ONCE std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw io_error(
        "ctnn::data::read_text: cannot open " + path.string() +
        " (Tiny Shakespeare is in the repository's ../shared/data/text/tinyshakespeare)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace ctnn::data
