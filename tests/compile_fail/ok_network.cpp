// The corrected forms of the compile-fail tests beside this file: all of this must compile.
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 28, 28>, ctnn::Flatten, ctnn::Linear<10>, ctnn::ReLU>;
const Net net;
const auto y = net(ctnn::Tensor<float, ctnn::Shape<1, 28, 28>>(1));
const auto layer = net.layer<1>();
using Tanh_first = ctnn::Sequential<ctnn::Input<2, 5>, ctnn::Tanh, ctnn::Flatten, ctnn::Linear<3>>;
Tanh_first other;
const float loss = ctnn::loss::MSELoss{}.value(y, ctnn::Tensor<float, ctnn::Shape<10>>(1));
