// expect: ctnn::LayerNorm: .axes counts the trailing feature axes to normalise and must be between 1 and the input's rank
// expect: normalized_axes<ctnn::check::at<0, ctnn::LayerNorm<.*> >, ctnn::Input<5>, ctnn::Shape<5>, 2>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<5>, ctnn::LayerNorm<ctnn::layernorm_options{.axes = 2}>>;
Net net;
