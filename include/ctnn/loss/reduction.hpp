// How a loss combines its per-element (or per-sample) terms, with PyTorch's names and default.
//   mean: the average (PyTorch's default); sum: the total; none: no reduction, see elementwise()
#pragma once

namespace ctnn::loss {

enum class Reduction { mean, sum, none };

}  // namespace ctnn::loss
