// fit, evaluate, metrics and callbacks on small problems whose answers are known another way: the
// loss of a whole set computed in one batch, accuracy counted by hand, files read back.
#include <boost/test/unit_test.hpp>

#include <ctnn/ctnn.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {
using namespace ctnn;
namespace fs = std::filesystem;

fs::path output(const std::string& name) {
  fs::create_directories(fs::path(CTNN_TEST_OUTPUT_DIR) / "fit");
  return fs::path(CTNN_TEST_OUTPUT_DIR) / "fit" / name;
}

// Two Gaussian blobs in the plane, class 0 around (-1, -1) and class 1 around (1, 1).
struct blobs {
  using input_shape = Shape<2>;
  std::vector<float> xs, ys;
  explicit blobs(std::size_t n, std::uint64_t seed = 5) {
    Generator rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
      const float c = float(i % 2);
      xs.push_back(float(2 * c - 1 + 0.6 * rng.normal(0, 1)));
      xs.push_back(float(2 * c - 1 + 0.6 * rng.normal(0, 1)));
      ys.push_back(c);
    }
  }
  std::size_t size() const { return ys.size(); }
  float get(std::size_t i, float* f) const {
    f[0] = xs[2 * i];
    f[1] = xs[2 * i + 1];
    return ys[i];
  }
};
static_assert(data::Dataset<blobs>);

using Classifier = Sequential<Input<2>, Linear<8>, Tanh, Linear<2>>;

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fit_loop)

BOOST_AUTO_TEST_CASE(confusion_matrix_counts_and_heads) {
  metrics::confusion_matrix m(3);
  m.add_batch(std::vector<float>{0.1f, 0.7f, 0.2f, /**/ 2, 1, 0, /**/ 0, 0, 5, /**/ 1, 3, 2},
              std::vector<float>{1, 1, 2, 2}, metrics::head::argmax);
  BOOST_TEST(m.total() == 4u);
  BOOST_TEST(m.correct() == 2u);
  BOOST_TEST(m(1, 1) == 1u);
  BOOST_TEST(m(1, 0) == 1u);
  BOOST_TEST(m(2, 2) == 1u);
  BOOST_TEST(m(2, 1) == 1u);
  BOOST_TEST(m.accuracy() == 0.5);
  BOOST_TEST(m.format().find("accuracy 50.00% (2 of 4)") != std::string::npos);
  BOOST_CHECK_THROW(
      m.add_batch(std::vector<float>{0, 1, 0}, std::vector<float>{3.0f}, metrics::head::argmax),
      index_error);
  BOOST_CHECK_THROW(
      m.add_batch(std::vector<float>{0, 1, 0}, std::vector<float>{0.5f}, metrics::head::argmax),
      index_error);

  const float p = 0.4f, logit = 0.2f;  // a probability below 0.5, a logit above 0
  BOOST_TEST(metrics::predicted_class(&p, 1, metrics::head::probability) == 0u);
  BOOST_TEST(metrics::predicted_class(&p, 1, metrics::head::automatic) == 0u);
  BOOST_TEST(metrics::predicted_class(&logit, 1, metrics::head::logit) == 1u);
}

BOOST_AUTO_TEST_CASE(fit_learns_and_logs_every_epoch) {
  const blobs train(400), test(200, 9);
  data::DataLoader train_loader(train, {.batch_size = 16, .shuffle = true, .seed = 2});
  data::DataLoader test_loader(test, {.batch_size = 64});
  Classifier net(1);
  optim::Adam opt{net, {.lr = 0.05}};
  optim::StepLR schedule{opt, {.step_size = 1, .gamma = 0.5}};
  std::ostringstream log;
  fit_options options;
  options.epochs = 3;
  options.out = &log;
  options.csv_log = output("blobs.csv");
  options.callbacks = {
      callbacks::step_each_epoch(schedule),
      callbacks::save_each_epoch(net, output("blobs_{epoch}.safetensors").string())};
  const history h = fit(net, loss::CrossEntropyLoss{}, opt, train_loader, test_loader, options);

  BOOST_REQUIRE(h.epochs.size() == 3u);
  BOOST_TEST(!h.stopped_early);
  BOOST_TEST(h.epochs.back().val_accuracy > 0.95);
  BOOST_TEST(h.epochs.back().train_loss < h.epochs.front().train_loss);
  BOOST_TEST(h.epochs[0].lr == 0.05);  // the scheduler steps after each epoch
  BOOST_TEST(h.epochs[2].lr == 0.0125);

  // Not a terminal: plain lines, no carriage returns, and one summary per epoch.
  const std::string text = log.str();
  BOOST_TEST(text.find('\r') == std::string::npos);
  BOOST_TEST(text.find("epoch 1/3 25/25") != std::string::npos);
  BOOST_TEST(text.find("epoch 3/3: train loss") != std::string::npos);

  const auto rows = lines_of(output("blobs.csv"));
  BOOST_REQUIRE(rows.size() == 4u);
  BOOST_TEST(rows[0] == "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds");
  std::istringstream last(rows[3]);
  std::string field;
  std::getline(last, field, ',');
  BOOST_TEST(field == "3");
  std::getline(last, field, ',');
  BOOST_TEST(std::stod(field) == h.epochs[2].train_loss, boost::test_tools::tolerance(1e-6));

  // The checkpoint of the last epoch holds the trained parameters.
  Classifier copy;
  load(copy, output("blobs_3.safetensors"));
  BOOST_TEST(copy.parameter("2.weight") == net.parameter("2.weight"),
             boost::test_tools::per_element());
  BOOST_TEST(fs::exists(output("blobs_1.safetensors")));
}

BOOST_AUTO_TEST_CASE(evaluate_weights_batches_by_their_size) {
  const blobs set(101, 3);  // batches of 7: the last one holds 3 samples
  data::DataLoader loader(set, {.batch_size = 7});
  const Classifier net(4);
  const evaluation e = evaluate(net, loss::CrossEntropyLoss{}, loader);

  // The same figures from one batch of all samples.
  std::vector<float> xs(set.size() * 2), ys(set.size());
  for (std::size_t i = 0; i < set.size(); ++i) ys[i] = set.get(i, xs.data() + 2 * i);
  const Classifier::input_tensor x(set.size(), std::span<const float>(xs));
  const Tensor<float, Shape<1>> y(set.size(), std::span<const float>(ys));
  const auto out = net(x);
  BOOST_TEST(e.loss == loss::CrossEntropyLoss{}.value(out, y), boost::test_tools::tolerance(1e-5));
  std::size_t right = 0;
  for (std::size_t i = 0; i < set.size(); ++i)
    right += std::size_t(out.at(i, 1) > out.at(i, 0)) == std::size_t(ys[i]);
  BOOST_TEST(e.samples == 101u);
  BOOST_TEST(e.confusion.correct() == right);
  BOOST_TEST(e.accuracy == double(right) / 101.0);
}

BOOST_AUTO_TEST_CASE(early_stopping_ends_a_run_that_does_not_improve) {
  const blobs set(64);
  data::DataLoader loader(set, {.batch_size = 16});
  Classifier net(1);
  optim::SGD opt{net, {.lr = 0.0}};  // nothing changes, so nothing improves
  fit_options options;
  options.epochs = 20;
  options.out = nullptr;
  options.callbacks = {callbacks::early_stopping({.monitor = monitored::val_loss, .patience = 2})};
  const history h = fit(net, loss::CrossEntropyLoss{}, opt, loader, loader, options);
  BOOST_TEST(h.stopped_early);
  BOOST_TEST(h.epochs.size() == 3u);  // the first sets the best, two more without improvement
  BOOST_TEST(h.stop_reason.find("no improvement for 2 epochs") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(save_best_keeps_the_best_epoch) {
  const blobs set(64);
  data::DataLoader loader(set, {.batch_size = 16});
  Classifier net(1);
  optim::Adam opt{net, {.lr = 0.05}};
  std::vector<std::vector<float>> weights;
  fit_options options;
  options.epochs = 4;
  options.out = nullptr;
  options.callbacks = {callbacks::save_best(net, output("best.safetensors"), monitored::val_loss),
                       callback::after_epoch([&](const epoch_record&, fit_control&) {
                         weights.push_back(net.parameter("0.weight"));
                       })};
  const history h = fit(net, loss::CrossEntropyLoss{}, opt, loader, loader, options);
  std::size_t best = 0;
  for (std::size_t e = 1; e < h.epochs.size(); ++e)
    if (h.epochs[e].val_loss < h.epochs[best].val_loss) best = e;
  Classifier saved;
  load(saved, output("best.safetensors"));
  BOOST_TEST(saved.parameter("0.weight") == weights[best], boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_nan_sample_stops_fit_before_the_update) {
  blobs set(32);
  set.xs[3] = std::nanf("");  // sample 1, in the first batch
  data::DataLoader loader(set, {.batch_size = 8});
  Classifier net(1);
  const auto before = net.parameter("0.weight");
  optim::SGD opt{net, {.lr = 0.1}};
  fit_options options;
  options.out = nullptr;
  try {
    fit(net, loss::CrossEntropyLoss{}, opt, loader, options);
    BOOST_FAIL("fit accepted a NaN loss");
  } catch (const numeric_error& e) {
    BOOST_TEST(std::string(e.what()).find("epoch 1, batch 1") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("not updated") != std::string::npos);
  }
  BOOST_TEST(net.parameter("0.weight") == before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unwritable_log_fails_before_training) {
  const blobs set(32);
  data::DataLoader loader(set, {.batch_size = 8});
  Classifier net(1);
  const auto before = net.parameter("0.weight");
  optim::SGD opt{net, {.lr = 0.1}};
  fit_options options;
  options.out = nullptr;
  options.csv_log = output("no-such-dir") / "log.csv";
  BOOST_CHECK_EXCEPTION(
      fit(net, loss::CrossEntropyLoss{}, opt, loader, options), io_error, [](const io_error& e) {
        return std::string(e.what()).find("no-such-dir/log.csv") != std::string::npos;
      });
  BOOST_TEST(net.parameter("0.weight") == before, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_regression_has_no_accuracy) {
  struct line {
    using input_shape = Shape<1>;
    std::size_t size() const { return 20; }
    float get(std::size_t i, float* f) const {
      f[0] = float(i) / 20;
      return 0.5f + 2.0f * f[0];  // targets that are not class indices
    }
  };
  const line set;
  data::DataLoader loader(set, {.batch_size = 5});
  Sequential<Input<1>, Linear<1>> net(1);
  optim::SGD opt{net, {.lr = 0.1}};
  fit_options options;
  options.epochs = 2;
  options.out = nullptr;
  const history h = fit(net, loss::MSELoss{}, opt, loader, loader, options);
  BOOST_TEST(std::isnan(h.epochs[0].train_accuracy));
  BOOST_TEST(std::isnan(h.epochs[0].val_accuracy));
  BOOST_TEST(std::isfinite(h.epochs[0].val_loss));
}

BOOST_AUTO_TEST_SUITE_END()
