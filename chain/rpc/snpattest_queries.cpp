#include "chain/rpc/snpattest_queries.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "snpattest/v1/query.pb.h"

namespace snprelay::chain::rpc {
namespace {

namespace pb = google::protobuf;
namespace v1 = snpattest::v1;
using nlohmann::ordered_json;

Error bad(const std::string& what) {
  return make_error("chain", "BAD_QUERY_REPLY", what, ErrorKind::kUnavailable);
}

std::string hex_of(const std::string& bytes) {
  return to_hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

// "OperatorStatus.Status" values are STATUS_*: strip the upper-snake enum type name and "_".
ordered_json enum_name(const pb::EnumDescriptor& type, int number) {
  const pb::EnumValueDescriptor* value = type.FindValueByNumber(number);
  if (value == nullptr)
    return number;
  std::string prefix;
  for (char c : type.name()) {
    if (c >= 'A' && c <= 'Z' && !prefix.empty())
      prefix += '_';
    prefix += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  prefix += '_';
  const std::string& name = value->name();
  return name.rfind(prefix, 0) == 0 && name.size() > prefix.size() ? name.substr(prefix.size()) : name;
}

ordered_json to_json(const pb::Message& m);

ordered_json scalar(const pb::Message& m, const pb::FieldDescriptor& f, int index) {
  const pb::Reflection& r = *m.GetReflection();
  const bool rep = f.is_repeated();
  switch (f.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f);
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f);
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r.GetRepeatedUInt32(m, &f, index) : r.GetUInt32(m, &f);
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r.GetRepeatedUInt64(m, &f, index) : r.GetUInt64(m, &f);
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f);
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f);
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f);
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return enum_name(*f.enum_type(), rep ? r.GetRepeatedEnumValue(m, &f, index) : r.GetEnumValue(m, &f));
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      const std::string s = rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
      return f.type() == pb::FieldDescriptor::TYPE_BYTES ? ordered_json(hex_of(s)) : ordered_json(s);
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return to_json(rep ? r.GetRepeatedMessage(m, &f, index) : r.GetMessage(m, &f));
  }
  return nullptr;
}

// Every field, in field-number order (the descriptor's declaration order in our protos).
ordered_json to_json(const pb::Message& m) {
  ordered_json out = ordered_json::object();
  const pb::Descriptor& d = *m.GetDescriptor();
  const pb::Reflection& r = *m.GetReflection();
  for (int i = 0; i < d.field_count(); ++i) {
    const pb::FieldDescriptor& f = *d.field(i);
    if (f.is_repeated()) {
      ordered_json arr = ordered_json::array();
      for (int k = 0; k < r.FieldSize(m, &f); ++k)
        arr.push_back(scalar(m, f, k));
      out[f.name()] = std::move(arr);
    } else if (f.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !r.HasField(m, &f)) {
      out[f.name()] = nullptr;
    } else {
      out[f.name()] = scalar(m, f, 0);
    }
  }
  return out;
}

template <typename Response>
Result<Response> parse(std::span<const std::uint8_t> bytes) {
  Response resp;
  if (!resp.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return bad(std::string(Response::descriptor()->name()) + " does not decode");
  return resp;
}

std::string what_of(const SnpQueryRequest& q) {
  switch (q.kind) {
    case SnpQuery::kCurrentEpoch:
      return "the current epoch";
    case SnpQuery::kEpoch:
      return "epoch " + std::to_string(q.epoch);
    case SnpQuery::kStatus:
      return "the status of operator " + q.operator_address;
    case SnpQuery::kAttestation:
      return "the attestation of operator " + q.operator_address + " for epoch " + std::to_string(q.epoch);
    case SnpQuery::kAllowlist:
      return q.version == 0 ? std::string("the allowlist") : "allowlist version " + std::to_string(q.version);
    case SnpQuery::kSigners:
      return "the allowlist signers";
    case SnpQuery::kRelayer:
      return "the relayer of operator " + q.operator_address;
    case SnpQuery::kParams:
      return "the module params";
  }
  return "the query";
}

Error not_found(const SnpQueryRequest& q, const std::string& detail) {
  return make_error("chain", "NOT_FOUND", "the chain has no " + what_of(q) + ": " + detail,
                    ErrorKind::kRejected);
}

// The wrapped message `field` of a response, or NOT_FOUND when the chain left it out.
template <typename Inner>
Result<std::string> unwrapped(const SnpQueryRequest& q, bool present, const Inner& inner) {
  if (!present)
    return not_found(q, "the response is empty");
  return to_json(inner).dump();
}

}  // namespace

std::string_view snp_query_path(SnpQuery kind) {
  switch (kind) {
    case SnpQuery::kCurrentEpoch:
      return "/snpattest.v1.Query/CurrentEpoch";
    case SnpQuery::kEpoch:
      return "/snpattest.v1.Query/Epoch";
    case SnpQuery::kStatus:
      return "/snpattest.v1.Query/OperatorStatus";
    case SnpQuery::kAttestation:
      return "/snpattest.v1.Query/Attestation";
    case SnpQuery::kAllowlist:
      return "/snpattest.v1.Query/Allowlist";
    case SnpQuery::kSigners:
      return "/snpattest.v1.Query/AllowlistSigners";
    case SnpQuery::kRelayer:
      return "/snpattest.v1.Query/Relayer";
    case SnpQuery::kParams:
      return "/snpattest.v1.Query/Params";
  }
  return "";
}

Bytes encode_snp_query(const SnpQueryRequest& q) {
  std::string s;
  switch (q.kind) {
    case SnpQuery::kCurrentEpoch:
      s = v1::QueryCurrentEpochRequest().SerializeAsString();
      break;
    case SnpQuery::kEpoch: {
      v1::QueryEpochRequest r;
      r.set_epoch(q.epoch);
      s = r.SerializeAsString();
      break;
    }
    case SnpQuery::kStatus: {
      v1::QueryOperatorStatusRequest r;
      r.set_operator_(q.operator_address);
      s = r.SerializeAsString();
      break;
    }
    case SnpQuery::kAttestation: {
      v1::QueryAttestationRequest r;
      r.set_operator_(q.operator_address);
      r.set_epoch(q.epoch);
      s = r.SerializeAsString();
      break;
    }
    case SnpQuery::kAllowlist: {
      v1::QueryAllowlistRequest r;
      r.set_version(q.version);
      s = r.SerializeAsString();
      break;
    }
    case SnpQuery::kSigners:
      s = v1::QueryAllowlistSignersRequest().SerializeAsString();
      break;
    case SnpQuery::kRelayer: {
      v1::QueryRelayerRequest r;
      r.set_operator_(q.operator_address);
      s = r.SerializeAsString();
      break;
    }
    case SnpQuery::kParams:
      s = v1::QueryParamsRequest().SerializeAsString();
      break;
  }
  return Bytes(s.begin(), s.end());
}

Result<std::string> decode_snp_query_json(const SnpQueryRequest& q, std::span<const std::uint8_t> bytes) {
  switch (q.kind) {
    case SnpQuery::kCurrentEpoch: {
      auto r = parse<v1::QueryCurrentEpochResponse>(bytes);
      if (!r)
        return r.error();
      if (!r->has_epoch())
        return not_found(q, "the snpattest module has not opened an epoch yet");
      ordered_json out = to_json(r->epoch());
      out["blocks_remaining"] = r->blocks_remaining();
      return out.dump();
    }
    case SnpQuery::kEpoch: {
      auto r = parse<v1::QueryEpochResponse>(bytes);
      if (!r)
        return r.error();
      return unwrapped(q, r->has_epoch(), r->epoch());
    }
    case SnpQuery::kStatus: {
      auto r = parse<v1::QueryOperatorStatusResponse>(bytes);
      if (!r)
        return r.error();
      return unwrapped(q, r->has_status(), r->status());
    }
    case SnpQuery::kAttestation: {
      auto r = parse<v1::QueryAttestationResponse>(bytes);
      if (!r)
        return r.error();
      return unwrapped(q, r->has_record(), r->record());
    }
    case SnpQuery::kAllowlist: {
      auto r = parse<v1::QueryAllowlistResponse>(bytes);
      if (!r)
        return r.error();
      return to_json(*r).dump();
    }
    case SnpQuery::kSigners: {
      auto r = parse<v1::QueryAllowlistSignersResponse>(bytes);
      if (!r)
        return r.error();
      return to_json(*r).dump();
    }
    case SnpQuery::kRelayer: {
      auto r = parse<v1::QueryRelayerResponse>(bytes);
      if (!r)
        return r.error();
      if (r->relayer().empty())
        return not_found(q, "no relayer is registered");
      return ordered_json{{"operator", q.operator_address}, {"relayer", r->relayer()}}.dump();
    }
    case SnpQuery::kParams: {
      auto r = parse<v1::QueryParamsResponse>(bytes);
      if (!r)
        return r.error();
      return unwrapped(q, r->has_params(), r->params());
    }
  }
  return bad("unknown query");
}

Result<std::string> query_snpattest_json(ChainClient& client, const SnpQueryRequest& q) {
  const std::string path(snp_query_path(q.kind));
  auto reply = client.abci_query(path, encode_snp_query(q));
  if (!reply)
    return reply.error();
  if (reply->code != 0) {
    const std::string pair = "(" + reply->codespace + " " + std::to_string(reply->code) + ") " + reply->log;
    if ((reply->codespace == "sdk" && reply->code == 22) || reply->log.find("NotFound") != std::string::npos)
      return not_found(q, pair);
    return make_error("chain", "QUERY_FAILED", path + " failed with " + pair, ErrorKind::kRejected);
  }
  return decode_snp_query_json(q, reply->value);
}

Result<nlohmann::json> query_snpattest(ChainClient& client, const SnpQueryRequest& q) {
  auto text = query_snpattest_json(client, q);
  if (!text)
    return text.error();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return bad(std::string(snp_query_path(q.kind)) + " did not render as a JSON object");
  return j;
}

}  // namespace snprelay::chain::rpc
