// The rows of Sequential::summary() and their formatting, as torchsummary prints a model:
//   Layer (type)            Output shape        Param #
// Nested blocks list their own elements, indented under the block.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "ctnn/config.hpp"

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

CTNN_RUN_ONCE std::string format_summary(const std::vector<summary_row>& rows, std::size_t total,
                                         std::size_t trainable, std::size_t buffers);

}  // namespace ctnn

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/nn/summary.ipp"
#endif
