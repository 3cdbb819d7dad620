// Placeholder: the daemon's acceptance tests on their own devnet (issue 13).
#include <gtest/gtest.h>
