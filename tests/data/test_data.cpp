// The IDX reader on files written here (good, gzipped or not, truncated, wrong magic, wrong
// counts) and on the real MNIST files when ../shared/data is there; the loader's promises.
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <ctnn/ctnn.hpp>

#include "support/golden.hpp"
#include "support/sequential_case.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {
using namespace ctnn;
namespace fs = std::filesystem;

fs::path output(const std::string& name) {
  fs::create_directories(fs::path(CTNN_TEST_OUTPUT_DIR) / "idx");
  return fs::path(CTNN_TEST_OUTPUT_DIR) / "idx" / name;
}

std::vector<std::uint8_t> idx_bytes(std::vector<std::uint32_t> dims, std::uint8_t type = 8,
                                    long data_delta = 0) {
  std::vector<std::uint8_t> out{0, 0, type, std::uint8_t(dims.size())};
  std::size_t total = 1;
  for (std::uint32_t d : dims) {
    for (int shift : {24, 16, 8, 0}) out.push_back(std::uint8_t(d >> shift));
    total *= d;
  }
  for (std::size_t i = 0; i < std::size_t(long(total) + data_delta); ++i)
    out.push_back(std::uint8_t(i % 251));
  return out;
}

fs::path write(const std::string& name, const std::vector<std::uint8_t>& bytes, bool gzip) {
  const fs::path path = output(name);
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), unsigned(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  return path;
}

void refuses(const fs::path& path, const std::string& needle) {
  try {
    data::read_idx(path);
    BOOST_ERROR("reading " << path << " should have failed");
  } catch (const io_error& e) {
    BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos,
               "\"" << e.what() << "\" should say \"" << needle << "\"");
    BOOST_TEST(std::string(e.what()).find(path.string()) != std::string::npos);
  }
}

// A dataset of n samples whose features and target are the sample's index.
struct counting_dataset {
  using input_shape = Shape<2>;
  std::size_t n;
  std::size_t size() const { return n; }
  float get(std::size_t i, float* features) const {
    features[0] = float(i);
    features[1] = -float(i);
    return float(i);
  }
};
static_assert(data::Dataset<counting_dataset>);

std::vector<std::size_t> epoch_order(data::DataLoader<counting_dataset>& loader) {
  std::vector<std::size_t> seen;
  for (const auto& batch : loader) {
    const auto x = batch.input.to_host();
    const auto t = batch.target.to_host();
    for (std::size_t i = 0; i < batch.indices.size(); ++i) {
      BOOST_TEST(x[2 * i] == float(batch.indices[i]));  // the sample's own features and target
      BOOST_TEST(t[i] == float(batch.indices[i]));
      seen.push_back(batch.indices[i]);
    }
  }
  return seen;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(data_pipeline)

BOOST_AUTO_TEST_CASE(idx_files_are_read_gzipped_or_not) {
  for (bool gzip : {true, false}) {
    const auto a = data::read_idx(write(gzip ? "good.gz" : "good", idx_bytes({3, 2, 5}), gzip));
    BOOST_TEST(a.dims == (std::vector<std::size_t>{3, 2, 5}), boost::test_tools::per_element());
    BOOST_TEST(a.values.size() == 30u);
    BOOST_TEST(a.values[29] == 29);
  }
}

BOOST_AUTO_TEST_CASE(bad_idx_files_name_the_file_and_the_problem) {
  refuses(output("missing.gz"), "no such file");
  refuses(write("truncated.gz", idx_bytes({10, 28, 28}, 8, -100), true),
          "truncated: the header promises 7840 bytes of data, the file has 7740");
  refuses(write("long.gz", idx_bytes({4}, 8, 3), true), "longer than its header says");
  refuses(write("magic.gz", {1, 2, 3, 4, 5, 6, 7, 8}, true), "not an IDX file");
  refuses(write("floats.gz", idx_bytes({4}, 0x0d), true), "is not unsigned bytes");
  refuses(write("short.gz", {0, 0}, true), "shorter than the 4-byte IDX magic");
  refuses(write("header.gz", {0, 0, 8, 3, 0, 0}, true), "truncated inside the header");
  std::vector<std::uint8_t> broken = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5};
  refuses(write("broken.gz", broken, false), "");  // damaged gzip: an io_error, no crash
}

BOOST_AUTO_TEST_CASE(mnist_counts_must_agree) {
  const fs::path dir = output("mnist_like");
  fs::create_directories(dir);
  std::ofstream(dir / "train-images-idx3-ubyte", std::ios::binary);  // replaced below
  fs::remove(dir / "train-images-idx3-ubyte");
  fs::copy_file(write("imgs.gz", idx_bytes({5, 28, 28}), true), dir / "train-images-idx3-ubyte.gz",
                fs::copy_options::overwrite_existing);
  fs::copy_file(write("labels.gz", idx_bytes({4}), true), dir / "train-labels-idx1-ubyte.gz",
                fs::copy_options::overwrite_existing);
  BOOST_CHECK_EXCEPTION(data::load_mnist(dir, "train"), io_error, [](const io_error& e) {
    return std::string(e.what()).find("5 images but 4 labels") != std::string::npos;
  });
  BOOST_CHECK_EXCEPTION(data::load_mnist(dir, "test"), io_error, [](const io_error& e) {
    return std::string(e.what()).find("has no t10k-images-idx3-ubyte[.gz]") != std::string::npos &&
           std::string(e.what()).find("dataset-fashion-mnist") != std::string::npos;
  });
  BOOST_CHECK_THROW(data::load_mnist(output("nowhere"), "train"), io_error);
}

BOOST_AUTO_TEST_CASE(real_mnist_when_present) {
  const fs::path dir = fs::path(CTNN_SHARED_DATA_DIR) / "mnist";
  if (!fs::exists(dir)) {
    BOOST_TEST_MESSAGE("no " << dir << ": skipped");
    return;
  }
  const auto test = data::load_mnist(dir, "test");
  BOOST_TEST(test.size() == 10000u);
  std::vector<float> image(784);
  BOOST_TEST(test.get(0, image.data()) == 7.0f);  // the first test digit is a 7
  BOOST_TEST(*std::max_element(image.begin(), image.end()) == 1.0f);
  BOOST_TEST(*std::min_element(image.begin(), image.end()) == 0.0f);
}

BOOST_AUTO_TEST_CASE(every_sample_once_per_epoch_in_a_seeded_order) {
  const counting_dataset set{103};
  data::DataLoader<counting_dataset> a(set, {.batch_size = 10, .shuffle = true, .seed = 7});
  data::DataLoader<counting_dataset> b(set, {.batch_size = 10, .shuffle = true, .seed = 7});
  data::DataLoader<counting_dataset> c(set, {.batch_size = 10, .shuffle = true, .seed = 8});
  BOOST_TEST(a.size() == 11u);
  const auto a0 = epoch_order(a), a1 = epoch_order(a), b0 = epoch_order(b), c0 = epoch_order(c);
  for (const auto* order : {&a0, &a1, &c0}) {
    BOOST_TEST(order->size() == 103u);
    BOOST_TEST(std::set<std::size_t>(order->begin(), order->end()).size() == 103u);
  }
  BOOST_TEST(a0 == b0);  // same seed, same order
  BOOST_TEST(a0 != c0);  // another seed, another order
  BOOST_TEST(a0 != a1);  // reshuffled each epoch
  BOOST_TEST(!std::is_sorted(a0.begin(), a0.end()));

  data::DataLoader<counting_dataset> plain(set, {.batch_size = 10, .drop_last = true});
  const auto p = epoch_order(plain);
  BOOST_TEST(plain.size() == 10u);
  BOOST_TEST(p.size() == 100u);
  BOOST_TEST(std::is_sorted(p.begin(), p.end()));
  data::DataLoader<counting_dataset> serial(set, {.batch_size = 7, .shuffle = true, .seed = 7});
  data::DataLoader<counting_dataset> threaded(
      set, {.batch_size = 7, .shuffle = true, .seed = 7, .background = true});
  BOOST_TEST(epoch_order(serial) == epoch_order(threaded));
  // An epoch left after two batches, while the third is being prepared: the next epoch is whole,
  // in the order of epoch 2, as on the serial loader.
  std::size_t taken = 0;
  for (const auto& batch : threaded) {
    BOOST_TEST(batch.indices.size() == 7u);
    if (++taken == 2) break;
  }
  epoch_order(serial);
  BOOST_TEST(epoch_order(threaded) == epoch_order(serial));
}

BOOST_AUTO_TEST_CASE(a_seeded_split_partitions_the_dataset) {
  const counting_dataset set{50};
  auto [train, valid] = data::random_split(set, 40, 3);
  BOOST_TEST(train.size() == 40u);
  BOOST_TEST(valid.size() == 10u);
  std::set<float> all;
  float features[2];
  for (std::size_t i = 0; i < train.size(); ++i) all.insert(train.get(i, features));
  for (std::size_t i = 0; i < valid.size(); ++i) all.insert(valid.get(i, features));
  BOOST_TEST(all.size() == 50u);
  BOOST_CHECK_THROW(data::random_split(set, 51, 3), shape_error);
}

BOOST_AUTO_TEST_CASE(repeat_makes_an_epoch_of_several_passes) {
  const counting_dataset set{30};
  data::DataLoader<counting_dataset> loader(
      set, {.batch_size = 8, .shuffle = true, .seed = 4, .repeat = 3});
  BOOST_TEST(loader.size() == 12u);  // 90 samples in batches of 8
  const auto order = epoch_order(loader);
  BOOST_REQUIRE(order.size() == 90u);
  const std::vector<std::size_t> first(order.begin(), order.begin() + 30),
      second(order.begin() + 30, order.begin() + 60);
  BOOST_TEST(std::set<std::size_t>(first.begin(), first.end()).size() == 30u);
  BOOST_TEST(std::set<std::size_t>(second.begin(), second.end()).size() == 30u);
  BOOST_TEST(first != second);  // each pass in its own order
  BOOST_CHECK_THROW(data::DataLoader<counting_dataset>(set, {.repeat = 0}), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()

// --- Transforms -------------------------------------------------------------------------------

namespace {
using Image = Shape<2, 5, 6>;  // two channels, 5 rows, 6 columns

std::vector<float> ramp(std::size_t n) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = float(i + 1);
  return v;
}

template <class In, class Transform>
std::vector<float> apply(const Transform& t, const std::vector<float>& in, std::uint64_t seed = 1) {
  std::vector<float> out(Transform::template output_shape<In>::size);
  Generator rng(seed);
  t.template apply<In>(in.data(), out.data(), rng);
  return out;
}

struct image_dataset {
  using input_shape = Image;
  std::size_t size() const { return 3; }
  float get(std::size_t i, float* f) const {
    const auto v = ramp(Image::size);
    std::copy(v.begin(), v.end(), f);
    return float(i);
  }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(transforms)

using namespace ctnn::data::transforms;

BOOST_AUTO_TEST_CASE(flips_mirror_the_width_axis) {
  const auto x = ramp(Image::size);
  const auto flipped = apply<Image>(RandomHorizontalFlip{.p = 1}, x);
  for (std::size_t row = 0; row < 10; ++row)
    for (std::size_t col = 0; col < 6; ++col)
      BOOST_TEST(flipped[row * 6 + col] == x[row * 6 + 5 - col]);
  BOOST_TEST(apply<Image>(RandomHorizontalFlip{.p = 1}, flipped) == x,
             boost::test_tools::per_element());
  BOOST_TEST(apply<Image>(RandomHorizontalFlip{.p = 0}, x) == x, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(random_crop_shifts_within_the_padding) {
  const auto x = ramp(Image::size);
  BOOST_TEST(apply<Image>(RandomCrop{.padding = 0}, x) == x, boost::test_tools::per_element());
  std::set<std::pair<long, long>> shifts;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const auto y = apply<Image>(RandomCrop{.padding = 2}, x, seed);
    // Find the shift that explains every pixel: in-range pixels copied, the rest zero.
    bool found = false;
    for (long dy = -2; dy <= 2 && !found; ++dy)
      for (long dx = -2; dx <= 2 && !found; ++dx) {
        bool all = true;
        for (long c = 0; c < 2; ++c)
          for (long r = 0; r < 5; ++r)
            for (long q = 0; q < 6; ++q) {
              const long sr = r + dy, sq = q + dx;
              const float want = sr < 0 || sq < 0 || sr >= 5 || sq >= 6 ? 0.0f
                                                                         : x[(c * 5 + sr) * 6 + sq];
              all = all && y[std::size_t((c * 5 + r) * 6 + q)] == want;
            }
        if (all) {
          found = true;
          shifts.insert({dy, dx});
        }
      }
    BOOST_TEST(found);
  }
  BOOST_TEST(shifts.size() > 10u);  // the shifts vary with the draw
}

BOOST_AUTO_TEST_CASE(a_quarter_turn_is_exact_and_counter_clockwise) {
  using Square = Shape<1, 5, 5>;
  const auto x = ramp(Square::size);
  const auto y = apply<Square>(RandomRotation{.degrees = {90, 90}}, x);
  // Counter-clockwise on screen: the top-right corner moves to the top-left.
  for (std::size_t r = 0; r < 5; ++r)
    for (std::size_t c = 0; c < 5; ++c) BOOST_TEST(y[r * 5 + c] == x[c * 5 + (4 - r)]);
  const auto back = apply<Square>(RandomRotation{.degrees = {-90, -90}}, y);
  BOOST_TEST(back == x, boost::test_tools::per_element());
  BOOST_TEST(apply<Image>(RandomAffine{}, ramp(Image::size)) == ramp(Image::size),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(resize_matches_pytorch_bilinear) {
  const ctnn_test::golden_file g("data.txt");
  using Up = Shape<2, 5, 7>;
  using Down = Shape<3, 28, 28>;
  const auto up = apply<Up>(Resize<9, 11>{}, g.values("resize_up.x"));
  const auto down = apply<Down>(Resize<14, 10>{}, g.values("resize_down.x"));
  ctnn_test::check_golden(up, g.values("resize_up.y"), "resize up");
  ctnn_test::check_golden(down, g.values("resize_down.y"), "resize down");
}

BOOST_AUTO_TEST_CASE(compose_chains_shapes_and_transformed_draws_anew) {
  using Steps = Compose<Resize<10, 12>, Normalize>;
  static_assert(std::is_same_v<Steps::output_shape<Image>, Shape<2, 10, 12>>);
  const image_dataset base;
  const data::Transformed resized(base, Steps{Resize<10, 12>{}, Normalize{.mean = 1, .std = 2}});
  static_assert(std::is_same_v<decltype(resized)::input_shape, Shape<2, 10, 12>>);
  std::vector<float> f(Shape<2, 10, 12>::size);
  BOOST_TEST(resized.get(2, f.data()) == 2.0f);
  BOOST_TEST(f[0] == (1.0f - 1) / 2);  // the corner pixel keeps its value, then is normalised

  // Random transforms: the same seed gives the same augmentations, a new draw a new one.
  const data::Transformed a(base, RandomCrop{.padding = 2}, 11), b(base, RandomCrop{.padding = 2}, 11);
  std::vector<std::vector<float>> from_a, from_b;
  for (int k = 0; k < 6; ++k) {
    std::vector<float> fa(Image::size), fb(Image::size);
    a.get(0, fa.data());
    b.get(0, fb.data());
    from_a.push_back(fa);
    from_b.push_back(fb);
  }
  BOOST_TEST((from_a == from_b));
  BOOST_TEST(std::set<std::vector<float>>(from_a.begin(), from_a.end()).size() > 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- Text ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(text_data)

BOOST_AUTO_TEST_CASE(a_vocabulary_reserves_pad_and_unk) {
  const data::vocabulary v("hello world");
  BOOST_TEST(v.size() == 2u + 8u);  // " dehlorw" and the two specials
  BOOST_TEST(v.characters() == " dehlorw");
  BOOST_TEST(v.id(' ') == 2u);
  BOOST_TEST(v.id('w') == 9u);
  BOOST_TEST(v.id('z') == data::vocabulary::unk);
  BOOST_TEST(v.decode(v.encode("low hello")) == "low hello");
  BOOST_TEST(v.decode(v.encode("zoo")) == "?oo");
  BOOST_TEST(v.character(data::vocabulary::pad) == '\0');
}

BOOST_AUTO_TEST_CASE(char_windows_predict_the_next_character) {
  const std::string text = "abcdefghij";
  const data::vocabulary v(text);
  const data::char_windows<4> w(v, text, 3);
  BOOST_TEST(w.size() == 2u);  // windows at 0 and 3; one at 6 would have no next character
  float f[4];
  BOOST_TEST(w.get(1, f) == float(v.id('h')));
  BOOST_TEST(v.decode({std::size_t(f[0]), std::size_t(f[1]), std::size_t(f[2]), std::size_t(f[3])}) ==
             "defg");
  BOOST_TEST(data::char_windows<9>(v, text).size() == 1u);
  BOOST_CHECK_THROW(data::char_windows<10>(v, text), shape_error);
  BOOST_CHECK_EXCEPTION(data::read_text("/no/such/file.txt"), io_error, [](const io_error& e) {
    return std::string(e.what()).find("/no/such/file.txt") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(padded_strings_pad_at_either_end) {
  const data::vocabulary v("abc");
  const data::padded_strings<4> end(v, {"ab", "abcabc"}, {1, 0});
  const data::padded_strings<4> start(v, {"ab"}, {1}, data::pad_side::start);
  float f[4];
  BOOST_TEST(end.get(0, f) == 1.0f);
  BOOST_TEST((std::vector<float>(f, f + 4)) == (std::vector<float>{2, 3, 0, 0}),
             boost::test_tools::per_element());
  end.get(1, f);  // cut to the length
  BOOST_TEST((std::vector<float>(f, f + 4)) == (std::vector<float>{2, 3, 4, 2}),
             boost::test_tools::per_element());
  start.get(0, f);
  BOOST_TEST((std::vector<float>(f, f + 4)) == (std::vector<float>{0, 0, 2, 3}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(data::padded_strings<4>(v, {"a"}, {1, 0}), shape_error);
}

BOOST_AUTO_TEST_CASE(mean_over_an_axis_matches_pytorch) {
  const ctnn_test::golden_file g("data.txt");
  using namespace ctnn_test;
  check_sequential_case<float_net<policy::cpu, Input<6, 5>, Mean<0>, Linear<3>>>(g, "mean_seq", 4);
  check_sequential_case<float_net<policy::cpu, Input<2, 3, 4>, Mean<2>, Flatten, Linear<2>>>(
      g, "mean_last", 3);
  // The bag-of-embeddings classifier of the text example, token ids in.
  check_sequential_case<
      float_net<policy::cpu, Input<5>, Embedding<9, 4, 0>, Mean<0>, Linear<1>, Sigmoid>>(
      g, "bag", 3, /*input_gradient=*/false);
  using Net = basic_sequential<double, policy::cpu, Input<3, 4>, Mean<1>, Tanh, Linear<2>>;
  const Net net(3);
  BOOST_TEST(gradcheck(net, Net::input_tensor(2, std::vector<double>{
      0.1, -0.4, 0.3, 0.9, -1.2, 0.5, 0.7, -0.1, 0.2, 0.8, -0.6, 0.4,
      -0.3, 0.6, 0.1, -0.9, 0.5, -0.2, 0.3, 1.1, -0.7, 0.2, 0.4, -0.5}), 1e-6).passed);
}

BOOST_AUTO_TEST_SUITE_END()
