# vTPM wrapper sources (issue #6): list(APPEND SNPRELAY_ATTEST_SOURCES tpm/file.cpp ...)
