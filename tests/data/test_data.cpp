// The IDX reader on files written here (good, gzipped or not, truncated, wrong magic, wrong
// counts) and on the real MNIST files when ../shared/data is there; the loader's promises.
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <ctnn/ctnn.hpp>

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
  data::DataLoader<counting_dataset> serial(
      set, {.batch_size = 7, .shuffle = true, .seed = 7, .background = false});
  data::DataLoader<counting_dataset> threaded(set, {.batch_size = 7, .shuffle = true, .seed = 7});
  BOOST_TEST(epoch_order(serial) == epoch_order(threaded));
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

BOOST_AUTO_TEST_SUITE_END()
