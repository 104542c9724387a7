#include "arguments.hpp"

#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace examples {

arguments::arguments(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
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

std::string arguments::text(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

template <class T, class Parse>
T arguments::parsed(const std::string& name, T fallback, Parse parse, const char* what) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  try {
    return parse(it->second);
  } catch (const std::exception&) {
    fail("--" + name + " needs " + what + ", not " + it->second);
  }
}

long arguments::number(const std::string& name, long fallback) const {
  return parsed(name, fallback, [](const std::string& v) { return std::stol(v); },
                "a whole number");
}

double arguments::real(const std::string& name, double fallback) const {
  return parsed(name, fallback, [](const std::string& v) { return std::stod(v); }, "a number");
}

void arguments::fail(const std::string& message) const {
  std::cerr << message << "\n\n" << usage_;
  std::exit(2);
}

}  // namespace examples
