"""Bundled API simulators: real HTTP servers on loopback, used by the demo, tests and benchmarks."""
