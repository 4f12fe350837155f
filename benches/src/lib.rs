//! Criterion benchmarks of license-inventory; see `benches/`.
