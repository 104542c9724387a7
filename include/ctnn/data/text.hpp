// Text for character-level models.
//
//   vocabulary       the characters of a text, after two reserved ids: pad (0) and unk (1), as
//                    torchtext's vocab with specials ["<pad>", "<unk>"]; an unseen character maps
//                    to unk
//   char_windows<L>  language modelling: sample i is L characters (ids as floats) and its target
//                    the character after them; windows start every `stride` characters
//   padded_strings<L> classification: one string per sample, cut or padded to L with pad ids
//                    (after the string, or before it: a recurrent network then ends on the last
//                    character), and one target per string
//   read_text        a whole file, with an io_error that names it
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/shape.hpp"

namespace ctnn::data {

class vocabulary {
 public:
  static constexpr std::size_t pad = 0, unk = 1;

  vocabulary() { build({}); }
  // Every distinct character of `text`, in byte order.
  explicit vocabulary(std::string_view text) { build(text); }

  std::size_t size() const { return chars_.size() + 2; }
  std::size_t id(char c) const {
    const int k = index_[static_cast<unsigned char>(c)];
    return k < 0 ? unk : std::size_t(k);
  }
  // The character of an id; pad and unk have none and give '\0' and '?'.
  char character(std::size_t id) const {
    if (id == pad) return '\0';
    if (id == unk || id >= size()) return '?';
    return chars_[id - 2];
  }
  std::vector<std::size_t> encode(std::string_view s) const {
    std::vector<std::size_t> ids(s.size());
    std::transform(s.begin(), s.end(), ids.begin(), [this](char c) { return id(c); });
    return ids;
  }
  std::string decode(const std::vector<std::size_t>& ids) const {
    std::string s;
    for (std::size_t i : ids)
      if (i != pad) s += character(i);
    return s;
  }
  const std::string& characters() const { return chars_; }

 private:
  void build(std::string_view text) {
    std::array<bool, 256> seen{};
    for (char c : text) seen[static_cast<unsigned char>(c)] = true;
    index_.fill(-1);
    chars_.clear();
    for (std::size_t b = 0; b < 256; ++b)
      if (seen[b]) {
        index_[b] = int(chars_.size() + 2);
        chars_ += static_cast<char>(b);
      }
  }
  std::string chars_;
  std::array<int, 256> index_{};
};

CTNN_RUN_ONCE std::string read_text(const std::filesystem::path& path);

template <std::size_t Length>
class char_windows {
 public:
  using input_shape = Shape<Length>;

  char_windows(const vocabulary& vocab, std::string_view text, std::size_t stride = 1)
      : ids_(vocab.encode(text)), stride_(stride) {
    if (stride == 0) throw shape_error("ctnn::data::char_windows: the stride must be at least 1");
    if (ids_.size() <= Length)
      throw shape_error("ctnn::data::char_windows: a text of " + std::to_string(ids_.size()) +
                        " characters has no window of " + std::to_string(Length) +
                        " characters and a next one");
  }
  std::size_t size() const { return (ids_.size() - Length - 1) / stride_ + 1; }
  float get(std::size_t i, float* features) const {
    const std::size_t start = i * stride_;
    for (std::size_t k = 0; k < Length; ++k) features[k] = float(ids_[start + k]);
    return float(ids_[start + Length]);
  }

 private:
  std::vector<std::size_t> ids_;
  std::size_t stride_;
};

enum class pad_side { end, start };

template <std::size_t Length>
class padded_strings {
 public:
  using input_shape = Shape<Length>;

  padded_strings(const vocabulary& vocab, const std::vector<std::string>& strings,
                 std::vector<float> targets, pad_side side = pad_side::end)
      : targets_(std::move(targets)) {
    if (strings.size() != targets_.size())
      throw shape_error("ctnn::data::padded_strings: " + std::to_string(strings.size()) +
                        " strings but " + std::to_string(targets_.size()) + " targets");
    ids_.assign(strings.size() * Length, float(vocabulary::pad));
    for (std::size_t i = 0; i < strings.size(); ++i) {
      const std::size_t n = std::min(Length, strings[i].size());
      const std::size_t first = side == pad_side::start ? Length - n : 0;
      for (std::size_t k = 0; k < n; ++k)
        ids_[i * Length + first + k] = float(vocab.id(strings[i][k]));
    }
  }
  std::size_t size() const { return targets_.size(); }
  float get(std::size_t i, float* features) const {
    std::copy_n(ids_.begin() + long(i * Length), Length, features);
    return targets_[i];
  }

 private:
  std::vector<float> ids_;
  std::vector<float> targets_;
};

}  // namespace ctnn::data

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/data/text.ipp"
#endif
