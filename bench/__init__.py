"""The benchmark: settings-only API baselines, the load runner, wrk scripts (see docs/benchmarks.md)."""
