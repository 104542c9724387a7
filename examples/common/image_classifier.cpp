#include "image_classifier.hpp"

#include <cctype>

namespace examples {

const std::vector<std::string> fashion_classes{"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                               "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                               "Bag",         "Ankle boot"};

image_run parse_image_run(const arguments& args, const std::string& default_data,
                          std::size_t epochs, std::size_t batch_size, std::size_t validation) {
  image_run r;
  r.data = args.text("data", default_data);
  const std::string lower = [&] {
    std::string s = r.data.string();
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }();
  r.fashion = lower.find("fashion") != std::string::npos;
  r.epochs = std::size_t(args.number("epochs", long(epochs)));
  r.batch_size = std::size_t(args.number("batch-size", long(batch_size)));
  r.limit = std::size_t(args.number("limit", 0));
  r.validation = std::size_t(args.number("validation", long(validation)));
  r.seed = std::uint64_t(args.number("seed", 1));
  r.out = args.text("out", ".");
  return r;
}

}  // namespace examples
