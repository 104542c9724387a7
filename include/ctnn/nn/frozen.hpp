// Frozen<Layer>: the layer with constant parameters. They are part of the state (saved, loaded,
// set by name) but never trained: the network reports them as not trainable, backward leaves
// their gradient at zero and optimisers skip them, as parameters with requires_grad=False in
// PyTorch. For freezing at run time, see Sequential::set_requires_grad.
#pragma once

#include <array>
#include <cstddef>

#include "ctnn/core/parameter.hpp"

namespace ctnn {

template <class Layer_>
struct Frozen : Layer_ {
  template <class In>
  static constexpr auto parameters = [] {
    auto specs = Layer_::template parameters<In>;
    for (auto& spec : specs) spec.trainable = false;
    return specs;
  }();
};

}  // namespace ctnn
