// A tensor whose feature shape is not the network's Input.
// expect: ctnn::Sequential: the tensor's feature shape is not the network's Input shape; reshape the data or change Input<...>
// expect: input_shape_matches<ctnn::Shape<1, 28, 28>, ctnn::Shape<784> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 28, 28>, ctnn::Flatten, ctnn::Linear<10>>;
const Net net;
const auto y = net(ctnn::Tensor<float, ctnn::Shape<784>>(1));
