# Benchmarks for the verification core (issue #3).
