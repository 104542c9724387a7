// expect: ctnn::Sequential::layer: index out of range; layers are numbered from 0
// expect: layer_index<7, std::integral_constant<long unsigned int, 2> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Linear<3>, ctnn::ReLU>;
const Net net;
const auto layer = net.layer<7>();
