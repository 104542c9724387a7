// The arguments of one layer's forward or backward call. Sequential fills it with pointers into its
// activation, parameter and gradient buffers (in the backend's memory); a layer reads what it
// needs. One struct rather than long parameter lists, so layers with more needs (masks, running
// statistics) extend it without changing every signature.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ctnn {

template <class T>
struct layer_pass {
  std::size_t batch = 0;
  const T* x = nullptr;         // input, batch x In::size
  T* y = nullptr;               // output, batch x Out::size
  T* pre = nullptr;             // layers with an epilogue: the product before bias and epilogue
  const T* params = nullptr;    // this layer's slice of the parameter buffer
  T* grads = nullptr;           // this layer's slice of the gradient buffer (accumulated into)
  T* dy = nullptr;              // backward: gradient with respect to y; the layer may overwrite it
  T* dx = nullptr;              // backward: gradient with respect to x, or nullptr if not needed
  const T* buffers = nullptr;   // this layer's buffers (running statistics), read
  T* update_buffers = nullptr;  // the same buffers where this call may update them, else null
  T* saved = nullptr;      // kept from the training forward to backward (saved_per_sample), or null
  T* scratch = nullptr;    // temporary for this call only (scratch_per_sample x batch, then
                           // scratch_per_call)
  std::uint64_t seed = 0;  // randomness of this call (Dropout); a new value for every forward
  std::uint64_t params_version = 0;  // names the contents of params, for what a backend derives
                                     // from them (parameter_version.hpp); 0: unknown
  bool training = false;
};

}  // namespace ctnn
