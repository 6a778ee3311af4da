//! docs/security.md promises, checked on the built binary.

use std::process::Command;

#[test]
fn check_does_not_follow_symlinks_out_of_the_requested_root() {
    let tmp = std::env::temp_dir().join(format!("distlint-symlink-{}", std::process::id()));
    let outside = tmp.join("outside");
    let root = tmp.join("repo");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    let bad = "fn f() { let (tx, rx) = std::sync::mpsc::channel::<u8>(); }\n";
    std::fs::write(outside.join("secret.rs"), bad).unwrap();
    std::fs::write(root.join("inside.rs"), bad).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.rs"), root.join("linked-file.rs")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_distlint"))
        .args(["check", "--format", "json"])
        .arg(&root)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    let paths: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    std::fs::remove_dir_all(&tmp).unwrap();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("inside.rs"), "{paths:?}");
}
