// UTF-8 validity as protobuf `string` fields and Go's utf8.ValidString define it: well-formed
// sequences only, no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
// Thread-safety: pure function.
#pragma once

#include <string_view>

namespace snprelay {

[[nodiscard]] bool is_valid_utf8(std::string_view text);

}  // namespace snprelay
