// How a loss combines its per-element terms, with PyTorch's names and default (mean).
#pragma once

namespace ctnn::loss {

enum class Reduction { mean, sum };

}  // namespace ctnn::loss
