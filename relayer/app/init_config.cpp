// Placeholder: filled in by its owner (issue 13).
#include "relayer/app/init_config.hpp"
