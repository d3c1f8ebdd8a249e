"""Benchmarks, run by `make bench`; their recorded results live in bench/results/."""
