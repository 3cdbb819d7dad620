# Tests for relayer/api (issue 13): the local HTTP API over loopback sockets, the metrics text.
