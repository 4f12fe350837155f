//! The uniffi bindgen, pinned to the workspace's uniffi version (used by `scripts/test-swift.sh`).

fn main() {
    uniffi::uniffi_bindgen_main();
}
