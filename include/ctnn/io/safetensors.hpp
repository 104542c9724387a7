// The safetensors file format (https://github.com/huggingface/safetensors), which PyTorch and
// Hugging Face use for weights: an 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value"}}
// and the tensors' bytes, little-endian, row-major, at those offsets. read() checks everything a
// file could get wrong (length, JSON, dtypes, shapes against byte counts, bounds) and names the
// file and the tensor in its io_error; write() replaces the file only once it is complete.
// The JSON is RapidJSON's (safetensors.ipp): it validates UTF-8 and parses iteratively, so a
// deeply nested header cannot overflow the stack. nlohmann's json cost 4 s of mnist_mlp's 14.6 s
// to compile; RapidJSON about 1 s, and none outside ctnn::compiled under CTNN_SEPARATE_COMPILATION.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/errors.hpp"

namespace ctnn::safetensors {

static_assert(std::endian::native == std::endian::little,
              "ctnn::safetensors: the format is little-endian; big-endian hosts are not supported");

// Bytes per element of each dtype ctnn reads; other dtypes are reported by name.
CTNN_RUN_ONCE std::size_t dtype_size(const std::string& dtype);

struct tensor {
  std::string dtype;
  std::vector<std::size_t> shape;
  std::size_t begin = 0, end = 0;  // in the data buffer
  std::size_t elements() const {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
  }
};

struct file {
  std::string path;
  std::map<std::string, tensor> tensors;
  std::map<std::string, std::string> metadata;
  std::vector<unsigned char> data;

  bool has(const std::string& name) const { return tensors.count(name) != 0; }

  // The values of a floating-point or integer tensor, converted to double.
  CTNN_RUN_ONCE std::vector<double> values(const std::string& name) const;

 private:
  template <class U>
  static U load(const unsigned char* p, std::size_t i) {
    U v;
    std::memcpy(&v, p + i * sizeof(U), sizeof(U));
    return v;
  }
  CTNN_RUN_ONCE static double half(std::uint16_t h);
  CTNN_RUN_ONCE static double element(const std::string& dtype, const unsigned char* p,
                                      std::size_t i);
};

// Reads and checks a whole file.
CTNN_RUN_ONCE file read(const std::filesystem::path& path);

// One tensor to write: its dtype ("F32", "F64", "I64") and its little-endian bytes.
struct entry {
  std::string name;
  std::string dtype;
  std::vector<std::size_t> shape;
  std::vector<unsigned char> bytes;
};

template <class U>
entry make_entry(std::string name, std::string dtype, std::vector<std::size_t> shape,
                 const std::vector<U>& values) {
  entry e{std::move(name), std::move(dtype), std::move(shape), {}};
  e.bytes.resize(values.size() * sizeof(U));
  if (!values.empty()) std::memcpy(e.bytes.data(), values.data(), e.bytes.size());
  return e;
}

// Writes the file next to `path` and renames it over `path` once complete: a failure leaves any
// previous file as it was.
CTNN_RUN_ONCE void write(const std::filesystem::path& path, const std::vector<entry>& entries,
                         const std::map<std::string, std::string>& metadata = {});

}  // namespace ctnn::safetensors

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/io/safetensors.ipp"
#endif
