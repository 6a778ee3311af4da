//! Target 3: arbitrary byte streams fed to the language server's message handling
//! (`distlint_server::serve`: tolerant framing + tower-lsp-server + every handler).
//!
//! Half the inputs are raw bytes; the other half are split on `0xFF` into bodies that are each
//! framed with a correct `Content-Length` and preceded by a valid `initialize`, so the fuzzer
//! reaches the handlers (didOpen/didChange/hover/codeAction with arbitrary params) rather than
//! only the framing. Invariants: no panic anywhere (libFuzzer's hook turns even a caught panic
//! into a crash), and the session ends once the input ends.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;

const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-8","utf-16"]}}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let input = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut out = Vec::new();
        frame(&mut out, INIT.as_bytes());
        frame(&mut out, INITIALIZED.as_bytes());
        for body in rest.split(|&b| b == 0xFF) {
            frame(&mut out, body);
        }
        out
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let output = tokio::io::sink();
        let served = tokio::time::timeout(Duration::from_secs(10), distlint_server::serve(&input[..], output)).await;
        assert!(served.is_ok(), "session did not end within 10 s after its input ended");
    });
    rt.shutdown_timeout(Duration::from_millis(500));
});
