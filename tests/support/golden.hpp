// Reads the golden files written by tests/golden/make_golden.py: one tensor per line,
// "name rank d0 d1 ... v0 v1 ...".
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ctnn_test {

struct golden_tensor {
  std::vector<std::size_t> dims;
  std::vector<float> values;
};

inline std::string golden_dir() {
  if (const char* dir = std::getenv("CTNN_GOLDEN_DIR")) return dir;
#ifdef CTNN_GOLDEN_DIR
  return CTNN_GOLDEN_DIR;
#else
  return "tests/golden";
#endif
}

class golden_file {
 public:
  explicit golden_file(const std::string& name) : path_(golden_dir() + "/" + name) {
    std::ifstream in(path_);
    if (!in) throw std::runtime_error("golden file not found: " + path_);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string key;
      std::size_t rank = 0;
      fields >> key >> rank;
      golden_tensor t;
      std::size_t count = 1;
      for (std::size_t i = 0; i < rank; ++i) {
        std::size_t d = 0;
        fields >> d;
        t.dims.push_back(d);
        count *= d;
      }
      t.values.resize(count);
      for (auto& v : t.values) fields >> v;
      if (!fields) throw std::runtime_error("malformed golden line for " + key + " in " + path_);
      tensors_[key] = std::move(t);
    }
  }

  const golden_tensor& operator[](const std::string& key) const {
    const auto it = tensors_.find(key);
    if (it == tensors_.end()) throw std::runtime_error("no " + key + " in " + path_);
    return it->second;
  }
  const std::vector<float>& values(const std::string& key) const { return (*this)[key].values; }
  bool has(const std::string& key) const { return tensors_.count(key) != 0; }

 private:
  std::string path_;
  std::map<std::string, golden_tensor> tensors_;
};

}  // namespace ctnn_test
