// What the MNIST examples share: find the data, split off a validation set, train with fit(),
// test, and write the epoch log (CSV), the learning curve (SVG) and the best checkpoint.
// What needs no network type is in image_classifier.cpp, compiled once into ctnn_example_support.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include <ctnn/ctnn.hpp>

#include "arguments.hpp"
#include "learning_curve.hpp"

namespace examples {

extern const std::vector<std::string> fashion_classes;

struct image_run {
  std::filesystem::path data;  // a directory with the four IDX files
  bool fashion = false;
  std::size_t epochs, batch_size, limit, validation;
  std::uint64_t seed;
  std::filesystem::path out;
};

// validation: images held out of the training set to pick the best epoch; 0 trains on all of
// them, shows the test set's figures each epoch (the classic tutorial loop) and tests the last
// epoch, since picking an epoch by its test score would flatter it.
image_run parse_image_run(const arguments& args, const std::string& default_data,
                          std::size_t epochs, std::size_t batch_size,
                          std::size_t validation = 5000);

// Trains `net` on the run's data and prints the test result; returns the test accuracy.
template <class Net, class Opt>
double train_and_test(Net& net, Opt& opt, const image_run& run, const std::string& name,
                      std::vector<ctnn::callback> extra_callbacks = {}) {
  using namespace ctnn;
  const auto start = std::chrono::steady_clock::now();
  data::mnist_dataset train_all = data::load_mnist(run.data, "train");
  data::mnist_dataset test = data::load_mnist(run.data, "test");
  // torchvision's Normalize with the training set's mean and std.
  const float mean = run.fashion ? 0.2860f : 0.1307f, std = run.fashion ? 0.3530f : 0.3081f;
  train_all.normalize(mean, std);
  test.normalize(mean, std);

  // --limit keeps the first N training samples (a smoke run); the validation set is split off
  // what remains, the test set is the 10,000 official ones (all of them unless --limit).
  const std::size_t pool = run.limit ? std::min(run.limit, train_all.size()) : train_all.size();
  const std::size_t validation = std::min(run.validation, pool / 5);
  const std::vector<std::size_t> order = data::shuffled_indices(pool, run.seed);
  const data::subset val_set(train_all, {order.begin(), order.begin() + long(validation)});
  const data::subset train_set(train_all, {order.begin() + long(validation), order.end()});
  std::vector<std::size_t> test_pool(run.limit ? std::min(run.limit, test.size()) : test.size());
  std::iota(test_pool.begin(), test_pool.end(), std::size_t{0});
  const data::subset<data::mnist_dataset> test_set(test, test_pool);

  std::printf("%s on %s (%s): %zu training, %zu validation (%s), %zu test samples\n", name.c_str(),
              run.fashion ? "Fashion-MNIST" : "MNIST", run.data.c_str(), train_set.size(),
              val_set.size(),
              validation > 0 ? "picks the best epoch" : "none: the test set is shown each epoch",
              test_set.size());
  std::cout << net.summary() << '\n';

  data::DataLoader train_loader(train_set,
                                {.batch_size = run.batch_size, .shuffle = true, .seed = run.seed});
  data::DataLoader test_loader(test_set, {.batch_size = 1000});

  std::filesystem::create_directories(run.out);
  const auto stem = run.out / (name + (run.fashion ? "_fashion" : "_mnist"));
  fit_options options;
  options.epochs = run.epochs;
  options.csv_log = stem.string() + ".csv";
  options.callbacks = std::move(extra_callbacks);
  const loss::CrossEntropyLoss cross_entropy;
  const std::string checkpoint = stem.string() + ".safetensors";
  history h;
  if (validation > 0) {
    options.callbacks.push_back(callbacks::save_best(net, checkpoint, monitored::val_accuracy));
    data::DataLoader val_loader(val_set, {.batch_size = 1000});
    h = fit(net, cross_entropy, opt, train_loader, val_loader, options);
    load(net, checkpoint);  // the best epoch's parameters, as saved, are the ones tested
  } else {
    h = fit(net, cross_entropy, opt, train_loader, test_loader, options);
    save(net, checkpoint);
  }
  const evaluation result = evaluate(net, cross_entropy, test_loader);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "\nconfusion matrix on the test set (rows: true class, columns: predicted)\n"
            << result.confusion.format(run.fashion ? fashion_classes : std::vector<std::string>{});
  std::printf("test loss %.4f, test accuracy %.2f%% (%zu samples), wall time %.1f s\n", result.loss,
              100 * result.accuracy, result.samples, seconds);
  const std::string title = name + " on " + (run.fashion ? "Fashion-MNIST" : "MNIST");
  if (write_learning_curve(stem.string() + ".svg", title, h.epochs))
    std::printf("wrote %s.csv, %s.svg and %s.safetensors\n", stem.c_str(), stem.c_str(),
                stem.c_str());
  return result.accuracy;
}

}  // namespace examples
