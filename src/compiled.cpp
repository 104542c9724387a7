// ctnn::compiled: ctnn's run-once code (file formats, data set readers, reports), compiled once
// for the whole program. Its target defines CTNN_SEPARATE_COMPILATION for every user.
#include <ctnn/src.hpp>
