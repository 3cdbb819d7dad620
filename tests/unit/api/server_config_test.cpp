// relayer/api/server_config: the configuration's [api] and [enclave.runtime] values reach the server's
// options, the unix endpoint loses its scheme, and values the server cannot hold are refused by key.
#include "relayer/api/server_config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/unit/temp_dir.hpp"

namespace snprelay::api {
namespace {

TEST(ApiServerConfig, DefaultsMatchTheConfiguration) {
  const config::Config c;
  auto o = server_options_from(c);
  ASSERT_TRUE(o.ok()) << o.error().to_string();
  const ServerOptions defaults;
  EXPECT_EQ(o->tcp_listen, "127.0.0.1:8080");
  EXPECT_EQ(o->max_body_bytes, defaults.max_body_bytes);
  EXPECT_EQ(o->max_connections, defaults.max_connections);
  EXPECT_EQ(o->max_concurrent_requests, defaults.max_concurrent_requests);
  EXPECT_EQ(o->request_timeout, defaults.request_timeout);
  EXPECT_TRUE(o->unix_path.empty());
}

TEST(ApiServerConfig, ValuesAreCarriedOver) {
  config::Config c;
  c.api.listen = "0.0.0.0:9000";
  c.api.max_body_bytes = 1000;
  c.api.max_connections = 7;
  c.enclave.runtime.max_concurrent_requests = 3;
  c.enclave.runtime.request_timeout = std::chrono::milliseconds(250);
  c.enclave.sev_snp.endpoint = "unix:///run/snprelay/api.sock";
  auto o = server_options_from(c);
  ASSERT_TRUE(o.ok()) << o.error().to_string();
  EXPECT_EQ(o->tcp_listen, "0.0.0.0:9000");
  EXPECT_EQ(o->max_body_bytes, 1000U);
  EXPECT_EQ(o->max_connections, 7U);
  EXPECT_EQ(o->max_concurrent_requests, 3U);
  EXPECT_EQ(o->request_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(o->unix_path, "/run/snprelay/api.sock");
}

TEST(ApiServerConfig, UnrepresentableValuesNameTheirKey) {
  config::Config c;
  c.api.max_connections = 0;
  auto o = server_options_from(c);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, "BAD_API_CONFIG");
  EXPECT_EQ(o.error().kind, ErrorKind::kInput);
  EXPECT_NE(o.error().message.find("api.max_connections"), std::string::npos);
  c = config::Config{};
  c.enclave.sev_snp.endpoint = "tcp://127.0.0.1:1";
  o = server_options_from(c);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message.find("enclave.sev_snp.endpoint"), std::string::npos);
  c.enclave.sev_snp.endpoint = "unix://";
  EXPECT_FALSE(server_options_from(c).ok());
}

TEST(ApiServerConfig, BearerTokenComesFromAPrivateFile) {
  config::Config c;
  auto none = bearer_token_from(c);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());  // no file configured: generate is open (loopback only by default)

  const testing::TempDir dir("token");
  const std::string file = dir.file("api-token");
  std::ofstream(file) << "s3cret-token\n";
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  c.api.bearer_token_file = file;
  auto token = bearer_token_from(c);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(std::string(token->view().begin(), token->view().end()), "s3cret-token");

  // Readable by the group: refused, naming the key, the file and its mode, never the token.
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  auto shared = bearer_token_from(c);
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().code, "BAD_API_CONFIG");
  EXPECT_EQ(shared.error().kind, ErrorKind::kInput);
  EXPECT_NE(shared.error().message.find("api.bearer_token_file"), std::string::npos);
  EXPECT_NE(shared.error().message.find("0640"), std::string::npos) << shared.error().message;
  EXPECT_EQ(shared.error().message.find("s3cret"), std::string::npos);

  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  std::ofstream(file, std::ios::trunc) << "\n";
  auto empty = bearer_token_from(c);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("is empty"), std::string::npos) << empty.error().message;

  c.api.bearer_token_file = dir.file("missing");
  auto missing = bearer_token_from(c);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(dir.file("missing")), std::string::npos);
}

}  // namespace
}  // namespace snprelay::api
