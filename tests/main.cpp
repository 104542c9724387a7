#define BOOST_TEST_MODULE ctnn
#include <boost/test/unit_test.hpp>
