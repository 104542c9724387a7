// expect: ctnn::Sequential: this layer needs \(channels\) or \(channels, length\) as input; use the 2-d layer
// expect: input_rank_1_or_2<ctnn::check::at<0, ctnn::BatchNorm1d<.*> >, ctnn::Input<3, 4, 4>, ctnn::Shape<3, 4, 4> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<3, 4, 4>, ctnn::BatchNorm1d<>>;
Net net;
