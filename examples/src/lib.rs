//! Runnable scenarios of license-inventory; see the `[[example]]` targets.
