// Built for x86-64's baseline (SSE2) and linked against a ctnn::compiled built with -march=native
// (tests/CMakeLists.txt): it must not link, and the error must name the instruction set this file
// wanted (backend/cpu/gemm.hpp). Its kernels would otherwise run at the library's register width.
#include <ctnn/ctnn.hpp>

int main() {
  ctnn::Sequential<ctnn::Input<4>, ctnn::Linear<2>> net;
  const decltype(net)::input_tensor x(1, {1, 2, 3, 4});
  return net(x).batch() == 1 ? 0 : 1;
}
