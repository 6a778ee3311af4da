// Not built. The library target every manifest under crates/ points at: cargo needs a target to
// resolve and fetch a package, and the corpus manifests only exist to pin the crate they depend on.
