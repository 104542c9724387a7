// The rows of Sequential::summary() and their formatting, as torchsummary prints a model:
//   Layer (type)            Output shape        Param #
// Nested blocks list their own elements, indented under the block.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace ctnn {

struct summary_row {
  std::size_t depth = 0;  // 0 for the network's own layers
  std::string key;        // the state_dict prefix: "1", "hidden"
  std::string type;       // the layer's name: "Linear"
  std::string output;     // "[-1, 128]": -1 is the batch
  std::size_t parameters = 0;
};

// "[-1, 6, 28, 28]" for an output of Shape<6, 28, 28>.
template <class S>
std::string summary_shape() {
  std::string s = "[-1";
  for (std::size_t d : S::dims) s += ", " + std::to_string(d);
  return s + "]";
}

[[gnu::cold]] inline std::string format_summary(const std::vector<summary_row>& rows, std::size_t total,
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
