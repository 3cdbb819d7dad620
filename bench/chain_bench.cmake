# Benchmarks for the Cosmos client (issue #5).
