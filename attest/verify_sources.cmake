# Verification core sources (issue #3): list(APPEND(SNPRELAY_ATTEST_SOURCES file.cpp ...)
