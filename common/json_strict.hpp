// The one JSON parser for what snprelay reads: RFC 8259 text with every object's keys unique.
//
// Why (issue 21): nlohmann::json keeps the last of two equal keys, so `{"threshold": 3, "threshold": 1}`
// in a signer file, devnet.json or an API body was read as 1 with no word — what one reader sees is
// not what another (Go's encoding/json also keeps the last; a careful reviewer reading top-down sees
// the first). A duplicate key is now refused, naming it and where it is (a JSON pointer to its object).
//
// parse_json_strict<Json>(text, what) parses `text` into Json (nlohmann::json or ordered_json).
// Errors (component "json", kind kInput): BAD_JSON (not JSON: the parser's position and reason),
// DUPLICATE_KEY ("<what>: key \"k\" appears twice in the object at /signers/0"). `what` names the input
// ("signer set file x.json", "request body").
//
// Thread-safety: a pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace snprelay {

template <typename Json>
[[nodiscard]] Result<Json> parse_json_strict(std::string_view text, std::string_view what) {
  // One frame per open object or array: the keys seen so far (objects) and the path down to it.
  struct Frame {
    bool object = false;
    std::set<std::string> keys;
    std::string path;
    std::size_t index = 0;  // arrays: the next element's index
    std::string last_key;   // objects: the key whose value comes next
  };
  std::vector<Frame> stack;
  std::string duplicate;
  std::string duplicate_at;
  const auto child_path = [&stack]() -> std::string {
    if (stack.empty())
      return "";
    const Frame& f = stack.back();
    return f.path + "/" + (f.object ? f.last_key : std::to_string(f.index));
  };
  const auto value_done = [&stack]() {
    if (!stack.empty() && !stack.back().object)
      ++stack.back().index;
  };
  using Event = typename Json::parse_event_t;
  typename Json::parser_callback_t callback = [&](int /*depth*/, Event event, Json& parsed) -> bool {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        stack.push_back(Frame{event == Event::object_start, {}, child_path(), 0, {}});
        break;
      case Event::key: {
        Frame& f = stack.back();
        f.last_key = parsed.template get<std::string>();
        if (!f.keys.insert(f.last_key).second && duplicate.empty()) {
          duplicate = f.last_key;
          duplicate_at = f.path.empty() ? "/" : f.path;
        }
        break;
      }
      case Event::object_end:
      case Event::array_end:
        stack.pop_back();
        value_done();
        break;
      case Event::value:
        value_done();
        break;
    }
    return true;
  };
  Json out;
  try {
    out = Json::parse(text.begin(), text.end(), callback, true);
  } catch (const typename Json::exception& e) {
    return make_error("json", "BAD_JSON", std::string(what) + " is not valid JSON: " + e.what(),
                      ErrorKind::kInput);
  }
  if (!duplicate.empty())
    return make_error("json", "DUPLICATE_KEY",
                      std::string(what) + ": key \"" + duplicate + "\" appears twice in the object at " +
                          duplicate_at + "; every key must be unique (which one would count is ambiguous)",
                      ErrorKind::kInput);
  return out;
}

}  // namespace snprelay
