// expect: ctnn::Embedding<Num, Dim, PaddingIdx>: Num and Dim must be at least 1 and PaddingIdx must be a row of the table
// expect: embedding_options<10, 4, 10, true>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<5>, ctnn::Embedding<10, 4, 10>>;
Net net;
