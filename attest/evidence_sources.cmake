# Evidence sources (issue #4): list(APPEND SNPRELAY_ATTEST_SOURCES evidence/file.cpp ...)
