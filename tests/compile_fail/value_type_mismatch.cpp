// A double tensor given to a float network.
// expect: ctnn: the tensor's element type is not the network's; convert the data or rebind the network
// expect: value_type_matches<float, double>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<3>, ctnn::Linear<2>>;
const Net net;
const auto y = net(ctnn::Tensor<double, ctnn::Shape<3>>(1));
