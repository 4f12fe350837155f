//! The concurrent variant: placeholder, written next.
