// A tensor on Thrust's serial system given to a CPU network.
// expect: ctnn: the tensor lives on another backend than the network; move it with tensor.to<Policy>\(\)
// expect: policy_matches<ctnn::policy::cpu, ctnn::policy::thrust_cpp>
#include <ctnn/backend/thrust.hpp>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<3>, ctnn::Linear<2>>;
const Net net;
const auto y = net(ctnn::Tensor<float, ctnn::Shape<3>, ctnn::policy::thrust_cpp>(1));
