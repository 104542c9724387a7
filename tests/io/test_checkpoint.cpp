// Checkpoints: the safetensors round trip with real PyTorch (files from
// tests/golden/pytorch_roundtrip.py), network plus optimiser state, and every way a file can be
// wrong: each a clear io_error, with the network and optimiser unchanged.
#include <boost/test/unit_test.hpp>

#include <ctnn/ctnn.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "support/compare.hpp"
#include "support/golden.hpp"
#include "support/inputs.hpp"

namespace {
using namespace ctnn;
namespace fs = std::filesystem;

using CNN = Sequential<Input<1, 8, 8>, Conv2d<conv2d_options{.out = 4, .kernel = 3, .padding = 1}>,
                       BatchNorm2d<>, ReLU, MaxPool2d<pool2d_options{.kernel = 2}>,
                       Conv2d<conv2d_options{.out = 8, .kernel = 3}>, ReLU, Flatten, Linear<10>>;
using Small = Sequential<Input<3>, Linear<4>, BatchNorm1d<>, Tanh, Linear<2>>;

fs::path golden(const std::string& name) {
  return fs::path(CTNN_GOLDEN_DIR) / name;
}
fs::path output(const std::string& name) {
  fs::create_directories(CTNN_TEST_OUTPUT_DIR);
  return fs::path(CTNN_TEST_OUTPUT_DIR) / name;
}

std::vector<unsigned char> bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const fs::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// A Small network after two training steps: parameters and running statistics off their defaults.
Small trained_small(std::uint64_t seed) {
  Small net(seed);
  optim::SGD opt{net, {.lr = 0.1}};
  for (int step = 0; step < 2; ++step) {
    opt.zero_grad();
    net.forward(ctnn_test::sample_input<Small>(6));
    net.backward(Small::output_tensor(6, std::vector<float>(12, 0.5f)));
    opt.step();
  }
  return net;
}

// The file `good` with its entries rewritten by `change`.
fs::path rewritten(const fs::path& good, const std::string& name,
                   void (*change)(std::vector<safetensors::entry>&)) {
  const auto file = safetensors::read(good);
  std::vector<safetensors::entry> entries;
  for (const auto& [key, t] : file.tensors) {
    std::vector<unsigned char> bytes(file.data.begin() + long(t.begin),
                                     file.data.begin() + long(t.end));
    entries.push_back({key, t.dtype, t.shape, bytes});
  }
  change(entries);
  const fs::path path = output(name);
  safetensors::write(path, entries);
  return path;
}

// Loading `path` into a trained network must throw an io_error whose text has `needle`, and
// leave the network as it was.
void refuses(const fs::path& path, const std::string& needle) {
  Small net = trained_small(3);
  const auto params = net.parameters();
  const auto buffers = net.buffers();
  try {
    load(net, path);
    BOOST_ERROR("loading " << path << " should have failed");
  } catch (const io_error& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos,
               "\"" << e.what() << "\" should say \"" << needle << "\"");
  }
  BOOST_TEST(net.parameters() == params);
  BOOST_TEST(net.buffers() == buffers);
}

// A safetensors file made by hand: an 8-byte length, `header` as written, then `data_bytes` zeros.
fs::path with_header(const std::string& name, const std::string& header,
                     std::size_t data_bytes = 8) {
  std::vector<unsigned char> bytes(8);
  const std::uint64_t size = header.size();
  std::memcpy(bytes.data(), &size, 8);
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + data_bytes, 0);
  const fs::path path = output(name);
  write_bytes(path, bytes);
  return path;
}

// safetensors::read of `path` must throw an io_error that names the file and says `needle`.
void unreadable(const fs::path& path, const std::string& needle) {
  try {
    safetensors::read(path);
    BOOST_ERROR("reading " << path << " should have failed");
  } catch (const io_error& e) {
    const std::string what = e.what();
    BOOST_TEST_MESSAGE(what);
    BOOST_TEST(what.find(path.string()) != std::string::npos, what << " should name the file");
    BOOST_TEST(what.find(needle) != std::string::npos,
               "\"" << what << "\" should say \"" << needle << "\"");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(pytorch_round_trip) {
  // PyTorch -> ctnn: the state_dict PyTorch saved reproduces PyTorch's eval outputs.
  CNN net;
  const auto report = load(net, golden("roundtrip_cnn.safetensors"));
  BOOST_TEST(report.missing_keys.empty());
  BOOST_TEST(report.unexpected_keys.empty());
  BOOST_TEST(net.buffer("1.num_batches_tracked") == std::vector<float>{3});
  net.eval();
  const ctnn_test::golden_file g("roundtrip.txt");
  const CNN::input_tensor x(5, std::span<const float>(g.values("x")));
  ctnn_test::check_golden(net(x).to_host(), g.values("y"), "PyTorch's CNN in ctnn");

  // ctnn -> file -> ctnn: the same state. The file is what pytorch_roundtrip.py verify loads
  // into PyTorch (CTest: torch.load_ctnn_checkpoint).
  const fs::path saved = output("ctnn_cnn.safetensors");
  save(net, saved);
  CNN again(99);
  load(again, saved);
  BOOST_TEST(again.parameters() == net.parameters());
  BOOST_TEST(again.buffers() == net.buffers());
  // PyTorch's keys, dtypes and shapes: the count is int64, the rest float32.
  const auto ours = safetensors::read(saved),
             theirs = safetensors::read(golden("roundtrip_cnn.safetensors"));
  BOOST_TEST(ours.tensors.size() == theirs.tensors.size());
  for (const auto& [key, t] : theirs.tensors) {
    BOOST_REQUIRE_MESSAGE(ours.has(key), key);
    BOOST_TEST(ours.tensors.at(key).dtype == t.dtype, key);
    BOOST_TEST(ours.tensors.at(key).shape == t.shape, key);
  }
}

BOOST_AUTO_TEST_CASE(network_and_optimiser_state_resume_exactly) {
  Small net = trained_small(1);
  optim::Adam opt{net, {.lr = 0.01}};
  const auto step = [](Small& n, auto& o) {
    o.zero_grad();
    n.forward(ctnn_test::sample_input<Small>(6, 2.0));
    n.backward(Small::output_tensor(6, std::vector<float>(12, -0.25f)));
    o.step();
  };
  step(net, opt);
  step(net, opt);
  const fs::path path = output("small_adam.safetensors");
  save(net, opt, path);
  const auto saved_parameters = net.parameters();

  Small resumed(42);
  optim::Adam resumed_opt{resumed, {.lr = 0.5}};
  load(resumed, resumed_opt, path);
  BOOST_TEST(resumed_opt.steps() == 2u);
  BOOST_TEST(resumed_opt.lr() == 0.01);
  BOOST_TEST(resumed.buffers() == net.buffers());
  step(net, opt);
  step(resumed, resumed_opt);
  BOOST_TEST(resumed.parameters() == net.parameters());

  // The network alone loads from the same file (the optimiser's keys are not the network's).
  Small plain(5);
  load(plain, path);
  BOOST_TEST(plain.parameters() == saved_parameters);

  // Another optimiser's state is refused, and nothing changes.
  Small other = trained_small(8);
  optim::SGD sgd{other, {.lr = 0.1, .momentum = 0.9}};
  const auto before = other.parameters();
  BOOST_CHECK_EXCEPTION(load(other, sgd, path), io_error, [](const io_error& e) {
    return std::string(e.what()).find("Adam's, not SGD's") != std::string::npos;
  });
  BOOST_TEST(other.parameters() == before);
}

BOOST_AUTO_TEST_CASE(bad_files_are_refused_by_name_and_change_nothing) {
  const fs::path good = output("small_good.safetensors");
  save(trained_small(2), good);

  // Not there, not safetensors, empty.
  refuses(output("no_such_file.safetensors"), "cannot open");
  const fs::path text = output("not_safetensors.txt");
  std::ofstream(text) << "weights: [1, 2, 3]\n";
  refuses(text, "not a safetensors file");
  write_bytes(output("tiny.safetensors"), {1, 2, 3});
  refuses(output("tiny.safetensors"), "8-byte header length");
  auto garbled = bytes_of(good);
  garbled[9] = '#';  // inside the JSON header
  write_bytes(output("garbled.safetensors"), garbled);
  refuses(output("garbled.safetensors"), "not valid JSON");

  // Truncated: the header promises more bytes than there are.
  auto truncated = bytes_of(good);
  truncated.resize(truncated.size() - 10);
  write_bytes(output("truncated.safetensors"), truncated);
  refuses(output("truncated.safetensors"), "truncated");

  // Wrong dtype, wrong shape, missing key, extra key, NaN.
  refuses(rewritten(good, "wrong_dtype.safetensors",
                    [](std::vector<safetensors::entry>& es) {
                      for (auto& e : es)
                        if (e.name == "0.weight") e.dtype = "I32";
                    }),
          "\"0.weight\" has dtype I32 but the network expects floating point");
  refuses(rewritten(good, "wrong_shape.safetensors",
                    [](std::vector<safetensors::entry>& es) {
                      for (auto& e : es)
                        if (e.name == "0.weight") e.shape = {3, 4};
                    }),
          "\"0.weight\" has shape [3, 4] but the network expects [4, 3]");
  refuses(rewritten(good, "missing_key.safetensors",
                    [](std::vector<safetensors::entry>& es) {
                      std::erase_if(es, [](auto& e) { return e.name == "1.running_var"; });
                    }),
          "missing \"1.running_var\"");
  refuses(rewritten(good, "extra_key.safetensors",
                    [](std::vector<safetensors::entry>& es) {
                      es.push_back(
                          safetensors::make_entry("5.weight", "F32", {1}, std::vector<float>{1}));
                    }),
          "unexpected \"5.weight\"");
  refuses(rewritten(good, "nan.safetensors",
                    [](std::vector<safetensors::entry>& es) {
                      for (auto& e : es)
                        if (e.name == "3.bias") {
                          const float nan = std::numeric_limits<float>::quiet_NaN();
                          std::memcpy(e.bytes.data(), &nan, sizeof nan);
                        }
                    }),
          "\"3.bias\" holds nan at index 0");
  refuses(rewritten(good, "bad_offsets.safetensors",
                    [](std::vector<safetensors::entry>& es) { es[0].bytes.pop_back(); }),
          "bytes but F32 with this shape needs");

  // The good file itself was never touched and still loads.
  Small net;
  load(net, good);
  BOOST_TEST(net.parameters() == trained_small(2).parameters());
}

// The JSON header itself, written by hand: every defect a damaged or hostile file could carry is
// refused by name, and a well-formed header from another writer (spaces, escapes, key order,
// padding) is read.
BOOST_AUTO_TEST_CASE(hand_written_headers) {
  const std::string f32 = R"("dtype": "F32", "shape": [2], "data_offsets": [0, 8])";
  const auto read_back = safetensors::read(
      with_header("hand_good.safetensors",
                  " {\"__metadata__\" : {\"format\": \"pt\", \"note\": \"caf\\u00e9 \\\"x\\\"\"},\n"
                  "  \"w\\u0031\": {" +
                      f32 + "}}     "));
  BOOST_TEST(read_back.has("w1"));
  BOOST_TEST(read_back.metadata.at("format") == "pt");
  BOOST_TEST(read_back.metadata.at("note") == "caf\xc3\xa9 \"x\"");
  BOOST_TEST(read_back.values("w1") == std::vector<double>({0.0, 0.0}));

  unreadable(with_header("hand_trailing.safetensors", "{\"w\": {" + f32 + "}} x"),
             "not valid JSON");
  unreadable(with_header("hand_unclosed.safetensors", "{\"w\": {" + f32 + "}"), "not valid JSON");
  unreadable(with_header("hand_utf8.safetensors", "{\"w\xff\": {" + f32 + "}}"), "not valid JSON");
  unreadable(with_header("hand_deep.safetensors", std::string(200000, '[')), "not valid JSON");
  unreadable(with_header("hand_array.safetensors", "[1, 2]"), "not a JSON object");
  unreadable(with_header("hand_twice.safetensors", "{\"w\": {" + f32 + "}, \"w\": {" + f32 + "}}"),
             "tensor \"w\": appears twice");
  unreadable(with_header("hand_float_shape.safetensors",
                         R"({"w": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}})"),
             "the shape holds a non-integer");
  unreadable(with_header("hand_negative_offset.safetensors",
                         R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}})"),
             "data_offsets are not integers");
  unreadable(
      with_header("hand_no_dtype.safetensors", R"({"w": {"shape": [2], "data_offsets": [0, 8]}})"),
      "needs \"dtype\", \"shape\" and two \"data_offsets\"");
  unreadable(with_header("hand_dtype.safetensors",
                         R"({"w": {"dtype": "F8", "shape": [2], "data_offsets": [0, 8]}})"),
             "unknown dtype \"F8\"");
  unreadable(
      with_header(
          "hand_huge_shape.safetensors",
          R"({"w": {"dtype": "F32", "shape": [4611686018427387904, 8], "data_offsets": [0, 8]}})"),
      "does not fit in 64 bits");
  unreadable(with_header("hand_metadata.safetensors", R"({"__metadata__": {"epoch": 3}})"),
             "__metadata__.epoch is not a string");

  // write() refuses names a reader could not tell apart, before it touches the file.
  const fs::path path = output("hand_duplicate_write.safetensors");
  fs::remove(path);
  const auto entry = safetensors::make_entry("w", "F32", {1}, std::vector<float>{1});
  BOOST_CHECK_EXCEPTION(safetensors::write(path, {entry, entry}), io_error, [](const io_error& e) {
    return std::string(e.what()).find("\"w\" is used twice") != std::string::npos;
  });
  BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_non_strict_load_reports_what_it_left_out) {
  const fs::path source = output("small_partial_source.safetensors");
  save(trained_small(4), source);
  const fs::path path =
      rewritten(source, "partial.safetensors", [](std::vector<safetensors::entry>& es) {
        std::erase_if(es, [](auto& e) { return e.name == "3.weight"; });
        es.push_back(safetensors::make_entry("head.weight", "F32", {2}, std::vector<float>{1, 2}));
      });
  Small net(9);
  const auto kept = net.parameter("3.weight");
  const auto report = load(net, path, {.strict = false});
  BOOST_TEST(report.missing_keys == std::vector<std::string>{"3.weight"});
  BOOST_TEST(report.unexpected_keys == std::vector<std::string>{"head.weight"});
  BOOST_TEST(net.parameter("3.weight") == kept);
  BOOST_TEST(net.parameter("0.weight") == trained_small(4).parameter("0.weight"));
}

BOOST_AUTO_TEST_SUITE_END()
