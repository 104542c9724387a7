// A character-level language model on Tiny Shakespeare (Karpathy's char-rnn corpus): an LSTM reads
// 32 characters and predicts the next one. After training it writes new "Shakespeare", one
// sampled character at a time. The validation loss (nats per character, on the last 10% of the
// text, never trained on) is logged per epoch to CSV and drawn as SVG.
//
//   char_rnn [--text FILE] [--epochs 4] [--stride 13] [--limit CHARS] [--generate 400] [--out DIR]
#include <ctnn/ctnn.hpp>

#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "../common/arguments.hpp"
#include "../common/learning_curve.hpp"

using namespace ctnn;

constexpr std::size_t context = 32;  // characters the model sees
constexpr std::size_t V = 80;        // vocabulary capacity: pad, unk and up to 78 characters

using CharLSTM = Sequential<Input<context>, Embedding<V, 32, data::vocabulary::pad>,
                            LSTM<rnn_options{.hidden = 128, .output = rnn_output::last}>,
                            Linear<V>>;

// Continues `prompt` by sampling from softmax(logits / temperature).
std::string generate(const CharLSTM& net, const data::vocabulary& vocab, const std::string& prompt,
                     std::size_t count, double temperature, std::uint64_t seed) {
  Generator rng(seed);
  std::string text = prompt;
  std::vector<float> ids(context);
  for (std::size_t n = 0; n < count; ++n) {
    // The last `context` characters, padded at the front when the text is shorter.
    const std::size_t have = std::min(context, text.size());
    std::fill(ids.begin(), ids.end(), float(data::vocabulary::pad));
    for (std::size_t k = 0; k < have; ++k)
      ids[context - have + k] = float(vocab.id(text[text.size() - have + k]));
    const auto logits = net(CharLSTM::input_tensor(1, std::span<const float>(ids))).to_host();
    std::vector<double> p(vocab.size());
    double top = -INFINITY, sum = 0;
    for (std::size_t c = 2; c < vocab.size(); ++c) top = std::max(top, double(logits[c]));
    for (std::size_t c = 2; c < vocab.size(); ++c)  // never pad or unk
      sum += p[c] = std::exp((double(logits[c]) - top) / temperature);
    double u = rng.uniform(0, sum);
    std::size_t pick = vocab.size() - 1;
    for (std::size_t c = 2; c < vocab.size(); ++c)
      if ((u -= p[c]) <= 0) {
        pick = c;
        break;
      }
    text += vocab.character(pick);
  }
  return text;
}

int main(int argc, char** argv) {
  const examples::arguments args(
      argc, argv,
      "usage: char_rnn [--text FILE] [--epochs N] [--stride N] [--limit CHARS] [--generate N] "
      "[--out DIR]\n"
      "  --text FILE  default " CTNN_DATA_DIR "/text/tinyshakespeare/input.txt\n"
      "  --stride N   a training window starts every N characters\n"
      "  --limit N    use only the first N characters of the text (a quick run)\n");
  try {
    std::string text =
        data::read_text(args.text("text", CTNN_DATA_DIR "/text/tinyshakespeare/input.txt"));
    if (const long limit = args.number("limit", 0); limit > 0 && std::size_t(limit) < text.size())
      text.resize(std::size_t(limit));
    const data::vocabulary vocab(text);
    if (vocab.size() > V)
      throw std::runtime_error("the text has " + std::to_string(vocab.characters().size()) +
                               " distinct characters; the model has room for " +
                               std::to_string(V - 2));
    // The last 10% is the validation text, so no validation window overlaps a training one.
    const std::size_t split = text.size() * 9 / 10;
    const std::size_t stride = std::size_t(args.number("stride", 13));
    const data::char_windows<context> train_set(vocab, std::string_view(text).substr(0, split),
                                                stride);
    const data::char_windows<context> val_set(vocab, std::string_view(text).substr(split),
                                              /*stride=*/context);
    std::printf("%zu characters, %zu distinct; %zu training windows (stride %zu), %zu validation "
                "windows\n",
                text.size(), vocab.characters().size(), train_set.size(), stride, val_set.size());

    CharLSTM net(/*seed=*/1);
    std::cout << net.summary() << '\n';
    optim::Adam opt{net, {.lr = 2e-3}};
    data::DataLoader train_loader(train_set, {.batch_size = 64, .shuffle = true, .seed = 1});
    data::DataLoader val_loader(val_set, {.batch_size = 500});

    const std::filesystem::path out = args.text("out", ".");
    std::filesystem::create_directories(out);
    fit_options options;
    options.epochs = std::size_t(args.number("epochs", 4));
    options.head = metrics::head::argmax;  // accuracy: the next character guessed exactly
    options.csv_log = out / "char_rnn.csv";
    options.callbacks = {callbacks::save_best(net, out / "char_rnn.safetensors")};
    const history h = fit(net, loss::CrossEntropyLoss{}, opt, train_loader, val_loader, options);
    examples::write_learning_curve(out / "char_rnn.svg", "char_rnn: LSTM on Tiny Shakespeare",
                                   h.epochs);
    load(net, out / "char_rnn.safetensors");  // the epoch with the best validation loss

    std::printf("\nvalidation loss per epoch (nats per character):");
    for (const auto& r : h.epochs) std::printf(" %.4f", r.val_loss);
    std::printf("\n\n--- sampled at temperature 0.8 ---\n%s\n---\n",
                generate(net, vocab, "ROMEO:\n", std::size_t(args.number("generate", 400)), 0.8,
                         7)
                    .c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "char_rnn: %s\n", error.what());
    return 1;
  }
}
