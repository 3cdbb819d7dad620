// Placeholder: filled in by its owner (issue 13).
#include "relayer/app/doctor.hpp"
