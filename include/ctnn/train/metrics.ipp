// Definitions of metrics.hpp: the confusion matrix as a table.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "ctnn/train/metrics.hpp"

namespace ctnn::metrics {

CTNN_RUN_ONCE std::string confusion_matrix::format(const std::vector<std::string>& names) const {
  std::ostringstream s;
  std::size_t label = 10;
  for (const auto& n : names) label = std::max(label, n.size() + 1);
  s << std::setw(int(label)) << "true\\pred";
  for (std::size_t c = 0; c < classes_; ++c) s << std::setw(7) << c;
  s << '\n';
  for (std::size_t t = 0; t < classes_; ++t) {
    s << std::setw(int(label)) << (t < names.size() ? names[t] : std::to_string(t));
    for (std::size_t p = 0; p < classes_; ++p) s << std::setw(7) << (*this)(t, p);
    s << '\n';
  }
  s << "accuracy " << std::fixed << std::setprecision(2) << 100 * accuracy() << "% (" << correct_
    << " of " << total_ << ")\n";
  return s.str();
}

}  // namespace ctnn::metrics
