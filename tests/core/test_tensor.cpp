#include <boost/test/unit_test.hpp>

#include <ctnn/backend/thrust.hpp>
#include <ctnn/ctnn.hpp>

using namespace ctnn;

BOOST_AUTO_TEST_SUITE(tensor)

BOOST_AUTO_TEST_CASE(layout_is_sample_major_row_major) {
  const Tensor<int, Shape<2, 3>> t(2, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  BOOST_TEST(t.batch() == 2u);
  BOOST_TEST(t.size() == 12u);
  BOOST_TEST(t.at(0, 1, 0) == 3);
  BOOST_TEST(t.at(1, 0, 2) == 8);
  BOOST_TEST(t.at(1, 1, 2) == 11);
}

BOOST_AUTO_TEST_CASE(new_tensors_are_zero) {
  const Tensor<float, Shape<4>> t(3);
  for (float v : t.to_host()) BOOST_TEST(v == 0.0f);
}

BOOST_AUTO_TEST_CASE(moves_between_backends) {
  const Tensor<float, Shape<3>> cpu(2, {1, 2, 3, 4, 5, 6});
  const auto omp = cpu.to<policy::thrust_omp>();
  static_assert(std::is_same_v<decltype(omp), const Tensor<float, Shape<3>, policy::thrust_omp>>);
  BOOST_TEST(omp.to_host() == cpu.to_host());
  BOOST_TEST(omp.at(1, 2) == 6.0f);
}

BOOST_AUTO_TEST_CASE(wrong_sizes_and_indices_throw_with_the_numbers) {
  using T = Tensor<float, Shape<2, 2>>;
  BOOST_CHECK_EXCEPTION(T(2, {1, 2, 3}), shape_error, [](const shape_error& e) {
    const std::string m = e.what();
    return m.find("3 values") != std::string::npos && m.find("Shape<2,2>") != std::string::npos &&
           m.find("needs 8") != std::string::npos;
  });
  const T t(1);
  BOOST_CHECK_EXCEPTION(t.at(0, 2, 0), index_error, [](const index_error& e) {
    return std::string(e.what()).find("index 2 on axis 1") != std::string::npos;
  });
}

BOOST_AUTO_TEST_SUITE_END()
