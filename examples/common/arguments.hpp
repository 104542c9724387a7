// Command-line options of the examples: --name value pairs with defaults, and --help.
// The bodies are in arguments.cpp, compiled once into ctnn_example_support.
#pragma once

#include <map>
#include <string>

namespace examples {

class arguments {
 public:
  arguments(int argc, char** argv, std::string usage);
  std::string text(const std::string& name, const std::string& fallback) const;
  long number(const std::string& name, long fallback) const;
  double real(const std::string& name, double fallback) const;

 private:
  // The value of --name read by parse (std::stol, std::stod), or fallback when it is not given.
  template <class T, class Parse>
  T parsed(const std::string& name, T fallback, Parse parse, const char* what) const;
  [[noreturn]] void fail(const std::string& message) const;
  std::string usage_;
  std::map<std::string, std::string> values_;
};

}  // namespace examples
