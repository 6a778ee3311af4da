//! Rules for Go code.
