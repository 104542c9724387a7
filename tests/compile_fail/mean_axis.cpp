// expect: ctnn::Mean: Dim names a feature axis, counted from 0 without the batch
// expect: reduce_axis<ctnn::check::at<1, ctnn::Mean<2> >, ctnn::check::after<0, ctnn::Embedding<10, 4> >, ctnn::Shape<6, 4>, 2>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<6>, ctnn::Embedding<10, 4>, ctnn::Mean<2>>;
Net net;
