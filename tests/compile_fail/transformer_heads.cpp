// The encoder layer checks its input as its attention does, naming the encoder's position.
// expect: ctnn::MultiheadAttention: the embedding size \(the input's last extent\) must be divisible by .heads
// expect: attention_heads<ctnn::check::at<1, ctnn::TransformerEncoderLayer<.*> >, ctnn::Shape<4, 10>, 10, 4>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<
    ctnn::Input<4, 10>, ctnn::Identity,
    ctnn::TransformerEncoderLayer<ctnn::transformer_options{.heads = 4, .feedforward = 16}>>;
Net net;
