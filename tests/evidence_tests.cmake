# Tests for the evidence work; see tests/CMakeLists.txt for the helpers (add_snprelay_fuzz_target, snprelay_unit_tier_add).
