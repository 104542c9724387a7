// Run-time errors. Each is a typed exception whose text names what was wrong: the expected and the
// found value, the key or index, and the API that refused it.
#pragma once

#include <stdexcept>
#include <string>

namespace ctnn {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A batch size or element count that does not fit the static shape or another operand.
struct shape_error : error {
  using error::error;
};

// An index or a parameter name that does not exist.
struct index_error : error {
  using error::error;
};

// A NaN or infinity where a finite number is required (a loss, a gradient).
struct numeric_error : error {
  using error::error;
};

// A file that cannot be read, written or understood (a checkpoint, a data set), or whose contents
// do not fit what it is loaded into.
struct io_error : error {
  using error::error;
};

// A call in the wrong order, e.g. backward without a training forward first.
struct state_error : error {
  using error::error;
};

}  // namespace ctnn
