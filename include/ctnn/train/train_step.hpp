// One step of the smallest training loop: zero the gradients, forward, loss, backward, update.
#pragma once

#include <cmath>
#include <string>

#include "ctnn/core/errors.hpp"

namespace ctnn {

// Returns the loss before the update; `inspect(prediction)` sees the forward's output first (fit
// uses it for the accuracy). A loss that is not finite throws numeric_error before any parameter
// is changed.
template <class Net, class Loss, class Opt, class X, class Y, class Inspect>
typename Net::value_type train_step(Net& net, const Loss& loss, Opt& opt, const X& x, const Y& y,
                                    Inspect&& inspect) {
  opt.zero_grad();
  const auto prediction = net.forward(x);
  const auto value = loss.value(prediction, y);
  if (!std::isfinite(value))
    throw numeric_error(
        "ctnn::train_step: the loss is " + std::to_string(value) +
        "; the parameters were not updated (check the inputs and the learning rate)");
  inspect(prediction);
  net.backward(loss.gradient(prediction, y));
  opt.step();
  return value;
}

template <class Net, class Loss, class Opt, class X, class Y>
typename Net::value_type train_step(Net& net, const Loss& loss, Opt& opt, const X& x, const Y& y) {
  return train_step(net, loss, opt, x, y, [](const auto&) {});
}

}  // namespace ctnn
