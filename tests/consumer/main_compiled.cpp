// The same network built against ctnn::compiled (CTNN_SEPARATE_COMPILATION): the run-once code it
// uses (summary, safetensors write and read) links from that library. Saves, loads into a second
// network and checks that both predict the same.
#include <ctnn/ctnn.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

#if !defined(CTNN_SEPARATE_COMPILATION)
#error "ctnn::compiled should define CTNN_SEPARATE_COMPILATION for its users"
#endif

int main() {
  using namespace ctnn;
  using Net = Sequential<Input<2>, Linear<4>, Tanh, Linear<1>>;
  Net trained(7), restored(8);
  std::cout << trained.summary();
  const auto path = std::filesystem::temp_directory_path() / "ctnn_consumer_compiled.safetensors";
  save(trained, path);
  load(restored, path);
  std::filesystem::remove(path);
  const Net::input_tensor x(2, {0.5f, -1, 2, 0.25f});
  const auto a = trained(x).to_host(), b = restored(x).to_host();
  std::printf("ctnn::compiled consumer: %g %g after save and load, %g %g before\n", b[0], b[1],
              a[0], a[1]);
  return a == b ? 0 : 1;
}
