//! Helpers shared by the CLI's integration tests (`cli.rs`, `roles.rs`): run the built binary in a
//! directory, write a file under a temporary project, parse JSON output.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs the `distlint` binary built for this test with `args`, in `dir`, capturing its output.
pub fn distlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_distlint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run distlint")
}

/// Writes `text` to `dir/rel`, creating the parent directories.
pub fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The JSON document on `out`'s stdout; panics with stdout and stderr when it is not JSON.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
