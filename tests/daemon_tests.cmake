# Tests for relayer/daemon (issue 13): the submission journal and the epoch loop.
