// Definitions of summary.hpp: the table's formatting.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include <algorithm>

#include "ctnn/nn/summary.hpp"

namespace ctnn {

CTNN_RUN_ONCE std::string format_summary(const std::vector<summary_row>& rows, std::size_t total,
                                         std::size_t trainable, std::size_t buffers) {
  std::vector<std::string> names;
  std::size_t name_width = 12, shape_width = 12;
  for (const auto& r : rows) {
    names.push_back(std::string(2 * r.depth, ' ') + r.key + " (" + r.type + ")");
    name_width = std::max(name_width, names.back().size());
    shape_width = std::max(shape_width, r.output.size());
  }
  const auto pad = [](std::string s, std::size_t width) {
    s.resize(std::max(s.size(), width), ' ');
    return s;
  };
  const std::size_t width = name_width + shape_width + 16;
  const std::string rule(width, '-'), heavy(width, '=');
  std::string out = rule + "\n" + pad("Layer (type)", name_width + 4) +
                    pad("Output shape", shape_width + 4) + "Param #\n" + heavy + "\n";
  for (std::size_t i = 0; i < rows.size(); ++i)
    out += pad(names[i], name_width + 4) + pad(rows[i].output, shape_width + 4) +
           std::to_string(rows[i].parameters) + "\n";
  out += heavy + "\n";
  out += "Total params: " + std::to_string(total) + "\n";
  out += "Trainable params: " + std::to_string(trainable) + "\n";
  out += "Non-trainable params: " + std::to_string(total - trainable) + "\n";
  if (buffers) out += "Buffers (running statistics): " + std::to_string(buffers) + "\n";
  out += rule + "\n";
  return out;
}

}  // namespace ctnn
