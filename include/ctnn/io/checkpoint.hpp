// Saving and loading a network's state_dict (parameters and buffers, PyTorch's keys and layouts)
// and an optimiser's state, as safetensors:
//
//   ctnn::save(net, "model.safetensors");      // torch: save_file(model.state_dict(), ...)
//   ctnn::load(net, "model.safetensors");      // torch: model.load_state_dict(load_file(...))
//   ctnn::save(net, opt, "checkpoint.safetensors");  // and the optimiser's state
//
// Loading checks the whole file first, every key, shape and dtype, and the values (no NaN or
// infinity), and only then replaces the network's state: after an error the network (and the
// optimiser) are exactly as they were. With strict = false, missing and unexpected keys are
// returned instead of refused, as load_state_dict(strict=False). Floating-point tensors of any
// width load into any element type, as load_state_dict copies them; counts are int64.
// The entry points are [[gnu::cold]]: they run once per file, so they are compiled for size, which
// takes a program that saves and loads about a second less to compile at -O3.
//
// Optimiser state is stored under "optimizer.<parameter>.<state>" ("optimizer.0.weight.exp_avg")
// with the optimiser's name, step count and learning rate in the metadata.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/io/safetensors.hpp"

namespace ctnn {

struct load_options {
  bool strict = true;
};

// What a non-strict load left out, as PyTorch's _IncompatibleKeys.
struct load_report {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

namespace detail {

template <class T>
constexpr const char* dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "ctnn::save/load: checkpoints hold float or double networks");
  return std::is_same_v<T, float> ? "F32" : "F64";
}

template <class T, class Info>
safetensors::entry state_entry(const Info& info, const std::vector<T>& values) {
  if (info.integral) {
    std::vector<std::int64_t> counts(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      counts[i] = std::int64_t(std::llround(values[i]));
    return safetensors::make_entry(info.name, "I64", info.dims, counts);
  }
  return safetensors::make_entry(info.name, dtype_of<T>(), info.dims, values);
}

template <class Net>
[[gnu::cold]] std::vector<safetensors::entry> state_entries(const Net& net) {
  using T = typename Net::value_type;
  std::vector<safetensors::entry> entries;
  for (const auto& info : Net::named_parameters())
    entries.push_back(state_entry<T>(info, net.parameter(info.name)));
  for (const auto& info : Net::named_buffers())
    entries.push_back(state_entry<T>(info, net.buffer(info.name)));
  return entries;
}

CTNN_RUN_ONCE std::string shape_text(const std::vector<std::size_t>& dims);

// Checks one tensor of the file against what the network expects and copies its values into
// `out` at `offset`.
template <class T, class Info>
[[gnu::cold]] void take(const safetensors::file& f, const Info& info, const std::string& key,
                        std::vector<T>& out) {
  const std::string where = "ctnn::load: " + f.path + ": \"" + key + "\" ";
  const safetensors::tensor& t = f.tensors.at(key);
  if (t.shape != info.dims)
    throw io_error(where + "has shape " + shape_text(t.shape) + " but the network expects " +
                   shape_text(info.dims) + "; the file was saved from another architecture");
  const bool floating =
      t.dtype == "F32" || t.dtype == "F64" || t.dtype == "F16" || t.dtype == "BF16";
  const bool integer = t.dtype == "I64" || t.dtype == "I32";
  if (!(floating || (info.integral && integer)))
    throw io_error(
        where + "has dtype " + t.dtype + " but the network expects " +
        (info.integral ? "an integer count (I64)" : "floating point (F32, F64, F16, BF16)"));
  const std::vector<double> values = f.values(key);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      throw io_error(where + "holds " + std::to_string(values[i]) + " at index " +
                     std::to_string(i) + "; a checkpoint must be finite");
    out[info.offset + i] = T(values[i]);
  }
}

}  // namespace detail

template <class Net>
[[gnu::cold]] void save(const Net& net, const std::filesystem::path& path,
                        std::map<std::string, std::string> metadata = {}) {
  metadata.emplace("format", "pt");
  safetensors::write(path, detail::state_entries(net), metadata);
}

// Loads parameters and buffers; all or nothing.
template <class Net>
[[gnu::cold]] load_report load(Net& net, const std::filesystem::path& path,
                               load_options options = {}) {
  using T = typename Net::value_type;
  const safetensors::file f = safetensors::read(path);
  load_report report;
  std::set<std::string> expected;
  std::vector<T> params = net.parameters(), buffers = net.buffers();
  const auto take_all = [&](const auto& infos, std::vector<T>& into) {
    for (const auto& info : infos) {
      expected.insert(info.name);
      if (f.has(info.name))
        detail::take(f, info, info.name, into);
      else
        report.missing_keys.push_back(info.name);
    }
  };
  take_all(Net::named_parameters(), params);
  take_all(Net::named_buffers(), buffers);
  for (const auto& [name, tensor] : f.tensors)
    if (!expected.count(name) && !name.starts_with("optimizer."))
      report.unexpected_keys.push_back(name);
  if (options.strict && (!report.missing_keys.empty() || !report.unexpected_keys.empty())) {
    std::string message = "ctnn::load: " + f.path + " does not fit the network:";
    for (const auto& k : report.missing_keys) message += " missing \"" + k + "\";";
    for (const auto& k : report.unexpected_keys) message += " unexpected \"" + k + "\";";
    throw io_error(message + " nothing was loaded (load_options{.strict = false} loads the rest)");
  }
  net.set_parameters(params);
  net.set_buffers(buffers);
  return report;
}

// The network and the optimiser's state in one file.
template <class Net, class Opt>
[[gnu::cold]] void save(const Net& net, const Opt& opt, const std::filesystem::path& path,
                        std::map<std::string, std::string> metadata = {}) {
  using T = typename Net::value_type;
  auto entries = detail::state_entries(net);
  for (std::size_t k = 0; k < Opt::state_count; ++k) {
    const std::vector<T> state = opt.state(k);
    for (const auto& info : Net::named_parameters()) {
      const std::vector<T> slice(state.begin() + long(info.offset),
                                 state.begin() + long(info.offset + info.size));
      entries.push_back(
          safetensors::make_entry("optimizer." + info.name + "." + std::string(Opt::state_names[k]),
                                  detail::dtype_of<T>(), info.dims, slice));
    }
  }
  metadata.emplace("format", "pt");
  metadata["optimizer"] = std::string(Opt::name);
  metadata["optimizer.step"] = std::to_string(opt.steps());
  metadata["optimizer.lr"] = std::to_string(opt.lr());
  safetensors::write(path, entries, metadata);
}

template <class Net, class Opt>
[[gnu::cold]] void load(Net& net, Opt& opt, const std::filesystem::path& path) {
  using T = typename Net::value_type;
  const safetensors::file f = safetensors::read(path);
  const std::string where = "ctnn::load: " + f.path + ": ";
  const auto meta = [&](const std::string& key) {
    const auto it = f.metadata.find(key);
    if (it == f.metadata.end())
      throw io_error(where + "no optimiser state (metadata \"" + key +
                     "\" is missing); load the network alone with ctnn::load(net, path)");
    return it->second;
  };
  if (meta("optimizer") != Opt::name)
    throw io_error(where + "the optimiser state is " + meta("optimizer") + "'s, not " +
                   std::string(Opt::name) + "'s");
  std::uint64_t steps = 0;
  double lr = 0;
  try {
    steps = std::stoull(meta("optimizer.step"));
    lr = std::stod(meta("optimizer.lr"));
  } catch (const std::logic_error&) {
    throw io_error(where + "optimizer.step or optimizer.lr is not a number");
  }
  std::vector<std::vector<T>> states(Opt::state_count, std::vector<T>(Net::parameter_count));
  for (std::size_t k = 0; k < Opt::state_count; ++k)
    for (const auto& info : Net::named_parameters()) {
      const std::string key = "optimizer." + info.name + "." + std::string(Opt::state_names[k]);
      if (!f.has(key)) throw io_error(where + "missing \"" + key + "\"; nothing was loaded");
      detail::take(f, info, key, states[k]);
    }
  // Everything about the optimiser checked: the network's load is the last step that can fail.
  load(net, path);
  for (std::size_t k = 0; k < Opt::state_count; ++k) opt.set_state(k, states[k]);
  opt.set_steps(steps);
  opt.set_lr(lr);
}

}  // namespace ctnn

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/io/checkpoint.ipp"
#endif
