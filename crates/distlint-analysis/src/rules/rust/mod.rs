//! Rules for Rust code.

pub mod unbounded_channel;
