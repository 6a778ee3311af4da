//! The `distlint` command line. (Being built: see issue 2.)
fn main() {}
