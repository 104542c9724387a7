// Command-line options of the examples: --name value pairs with defaults, and --help.
#pragma once

#include <cstdlib>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

namespace examples {

class arguments {
 public:
  arguments(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--help" || a == "-h") {
        std::cout << usage_;
        std::exit(0);
      }
      if (a.rfind("--", 0) != 0 || i + 1 >= argc) fail("unexpected argument " + a);
      values_[a.substr(2)] = argv[++i];
    }
  }
  std::string text(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  long number(const std::string& name, long fallback) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    try {
      return std::stol(it->second);
    } catch (const std::exception&) {
      fail("--" + name + " needs a whole number, not " + it->second);
    }
  }
  double real(const std::string& name, double fallback) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    try {
      return std::stod(it->second);
    } catch (const std::exception&) {
      fail("--" + name + " needs a number, not " + it->second);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    std::cerr << message << "\n\n" << usage_;
    std::exit(2);
  }
  std::string usage_;
  std::map<std::string, std::string> values_;
};

}  // namespace examples
