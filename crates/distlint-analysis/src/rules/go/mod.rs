//! Rules for Go code.

pub mod quorum_math;
pub mod shapes;
