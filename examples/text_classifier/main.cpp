// The classic first sequence task: does a string contain a given character? Two models learn it
// from random strings and are tested on strings they never saw:
//   bag of embeddings  Embedding (padding index 0) -> mean over the sequence -> Linear -> Sigmoid
//   recurrent          Embedding -> RNN (tanh), last step -> Linear -> Sigmoid
// both with binary cross-entropy.
//
//   text_classifier [--char x] [--train 8000] [--test 2000] [--epochs 10] [--out DIR]
#include <ctnn/ctnn.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "../common/arguments.hpp"
#include "../common/learning_curve.hpp"

using namespace ctnn;

constexpr std::size_t max_length = 24;

// Strings of 4..24 letters; half of them hold `wanted` somewhere, half never.
struct labelled_strings {
  std::vector<std::string> strings;
  std::vector<float> targets;
};
labelled_strings make_strings(std::size_t count, char wanted, std::uint64_t seed) {
  Generator rng(seed);
  const auto draw = [&](std::size_t n) { return std::size_t(rng.uniform(0, double(n))) % n; };
  std::string others;
  for (char c = 'a'; c <= 'z'; ++c)
    if (c != wanted) others += c;
  labelled_strings out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string s(4 + draw(max_length - 3), ' ');
    for (char& c : s) c = others[draw(others.size())];
    const bool positive = i % 2 == 0;
    if (positive) s[draw(s.size())] = wanted;
    out.strings.push_back(s);
    out.targets.push_back(positive ? 1.0f : 0.0f);
  }
  return out;
}

template <class Net>
double train_model(const std::string& name, const data::vocabulary& vocab,
                   const labelled_strings& train, const labelled_strings& test, data::pad_side side,
                   std::size_t epochs, double lr, const std::filesystem::path& out) {
  const data::padded_strings<max_length> train_set(vocab, train.strings, train.targets, side);
  const data::padded_strings<max_length> test_set(vocab, test.strings, test.targets, side);
  data::DataLoader train_loader(train_set, {.batch_size = 32, .shuffle = true, .seed = 3});
  data::DataLoader test_loader(test_set, {.batch_size = 500});

  Net net(/*seed=*/1);
  std::printf("\n== %s ==\n", name.c_str());
  std::cout << net.summary() << '\n';
  optim::Adam opt{net, {.lr = lr}};
  fit_options options;
  options.epochs = epochs;
  options.csv_log = out / (name + ".csv");
  const history h = fit(net, loss::BCELoss{}, opt, train_loader, test_loader, options);
  const evaluation result = evaluate(net, loss::BCELoss{}, test_loader);
  std::printf("%s: held-out accuracy %.2f%% (%zu strings)\n", name.c_str(), 100 * result.accuracy,
              result.samples);
  examples::write_learning_curve(out / (name + ".svg"), name + ": does the string hold the letter?",
                                 h.epochs);
  // A few strings of our own, with the model's probability.
  for (const std::string s : {"hello", "extra", "quiz", "zzzzzzzzzx", "abcdefghijklmnopqrstuvw"}) {
    const data::padded_strings<max_length> one(vocab, {s}, {0.0f}, side);
    std::vector<float> ids(max_length);
    one.get(0, ids.data());
    const typename Net::input_tensor x(1, std::span<const float>(ids));
    std::printf("  %-26s p = %.3f\n", ("\"" + s + "\"").c_str(), net(x).at(0, 0));
  }
  return result.accuracy;
}

int main(int argc, char** argv) {
  const examples::arguments args(
      argc, argv,
      "usage: text_classifier [--char C] [--train N] [--test N] [--epochs N] [--out DIR]\n");
  try {
    const char wanted = args.text("char", "x").at(0);
    const auto train = make_strings(std::size_t(args.number("train", 8000)), wanted, 1);
    const auto test = make_strings(std::size_t(args.number("test", 2000)), wanted, 2);
    const std::size_t epochs = std::size_t(args.number("epochs", 10));
    const std::filesystem::path out = args.text("out", ".");
    std::filesystem::create_directories(out);
    std::string all;
    for (const auto& s : train.strings) all += s;
    const data::vocabulary vocab(all);
    std::printf(
        "task: does a string of 4..%zu letters contain '%c'? %zu training, %zu held-out "
        "strings, vocabulary of %zu (pad, unk and %zu letters)\n",
        max_length, wanted, train.strings.size(), test.strings.size(), vocab.size(),
        vocab.characters().size());

    constexpr std::size_t V = 28;  // pad, unk, 26 letters
    if (vocab.size() > V) throw std::runtime_error("more than 26 letters in the training strings");
    using Bag = Sequential<Input<max_length>, Embedding<V, 16, data::vocabulary::pad>, Mean<0>,
                           Linear<1>, Sigmoid>;
    using Recurrent =
        Sequential<Input<max_length>, Embedding<V, 16, data::vocabulary::pad>,
                   RNN<rnn_options{.hidden = 32, .output = rnn_output::last}>, Linear<1>, Sigmoid>;
    const double bag = train_model<Bag>("bag_of_embeddings", vocab, train, test,
                                        data::pad_side::end, epochs, 1e-2, out);
    const double rnn =
        train_model<Recurrent>("rnn", vocab, train, test, data::pad_side::start, epochs, 5e-3, out);
    std::printf("\nheld-out accuracy: bag of embeddings %.2f%%, RNN %.2f%%\n", 100 * bag,
                100 * rnn);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "text_classifier: %s\n", error.what());
    return 1;
  }
}
