// expect: ctnn::MultiheadAttention: the embedding size \(the input's last extent\) must be divisible by .heads
// expect: attention_heads<ctnn::check::at<0, ctnn::MultiheadAttention<.*> >, ctnn::Shape<5, 6>, 6, 4>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<5, 6>,
                             ctnn::MultiheadAttention<ctnn::attention_options{.heads = 4}>>;
Net net;
