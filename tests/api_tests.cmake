# Tests for relayer/api (issue 13): the local HTTP API over loopback sockets, the metrics text.

# unit: the metrics registry and the routes in-process (the simulated firmware in a private temp dir).
add_executable(snprelay_api_unit_tests
  unit/api/metrics_test.cpp unit/api/routes_test.cpp unit/api/server_config_test.cpp)
target_include_directories(snprelay_api_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_api_unit_tests PRIVATE
  snprelay_api GTest::gtest_main nlohmann_json::nlohmann_json OpenSSL::Crypto snprelay_warnings)
gtest_discover_tests(snprelay_api_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_api_unit_tests)

# integration: a real HttpServer on 127.0.0.1:0 and a unix socket, driven by a POSIX-socket client.
add_executable(snprelay_api_integration_tests integration/api/http_server_test.cpp)
target_include_directories(snprelay_api_integration_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_api_integration_tests PRIVATE
  snprelay_api GTest::gtest_main OpenSSL::Crypto Threads::Threads snprelay_warnings)
gtest_discover_tests(snprelay_api_integration_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)
