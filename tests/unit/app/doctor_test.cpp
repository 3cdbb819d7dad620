// Placeholder: filled in by its owner (issue 13).
#include <gtest/gtest.h>
