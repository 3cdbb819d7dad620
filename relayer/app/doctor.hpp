// Placeholder: filled in by its owner (issue 13).
#pragma once

namespace snprelay::app {}  // namespace snprelay::app
