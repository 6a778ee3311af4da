//! `connect-without-timeout` (category `timeouts-deadlines`): TCP and gRPC connections opened
//! with no bound on how long the connect may take.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{ancestors, rust_call_path, rust_method_call, Walk};

use super::helpers::{chain_up, chains_on_let_variable, duration_expr, is_test_code};

/// The rule.
pub struct ConnectWithoutTimeout;

/// Registered instance.
pub static RULE: ConnectWithoutTimeout = ConnectWithoutTimeout;

static META: RuleMeta = RuleMeta {
    id: "connect-without-timeout",
    language: Language::Rust,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "Connection opened without a timeout",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds connection attempts with no deadline:\n\n\
- `tokio::net::TcpStream::connect(addr).await` (and `async_std::net::TcpStream::connect`) not \
wrapped in `tokio::time::timeout` (or a `.timeout(..)` future combinator);\n\
- `std::net::TcpStream::connect(addr)` instead of `TcpStream::connect_timeout`;\n\
- a tonic `Endpoint`/`Channel` (`from_static`, `from_shared`, `new`) connected with `.connect()` \
or `.connect_lazy()` without `.connect_timeout(..)` or `.timeout(..)` in its builder chain (also \
when the endpoint is stored in a variable first).\n\n\
Silent when the same function also uses `connect_timeout` or `tokio::time::timeout` (the code \
already honours an optional timeout on another branch).",
        why: "A TCP connect to a host that drops SYN packets (a dead node still in DNS, a \
firewall, a full accept queue) is not refused; it waits for the kernel to give up:\n\n\
1. A peer's host dies; its address is still in service discovery.\n\
2. Every connect to it waits for the SYN retries to run out: about 127 s on Linux by default \
(`tcp_syn_retries = 6`).\n\
3. Meanwhile the caller holds its task, its request slot and whatever locks or permits it \
took; the callers upstream time out first and retry, adding more stuck connects.\n\
4. One dead node turns into minutes of stalled requests across the service, when a 1–5 s \
connect timeout would have failed fast and let the client try the next replica.",
        known_problems: "- A timeout applied by the caller (`timeout(d, my_connect(addr))` in \
another function or file) is not seen; suppress with a reason on such helpers.\n\
- `tokio::select!` with a sleep branch bounds the wait too, but is not recognised when the \
connect is outside the macro.\n\
- tonic endpoints passed to other functions before connecting are not followed (silent).
- Private functions whose name mentions `connect` (`fn connect_tcp(addr)`) are treated as \
connect primitives whose callers decide the timeout, and are not flagged; a caller without a \
timeout in another function is then missed.
- Test code in Cargo's `tests/`/`benches/` directories and under `#[cfg(all(.., test))]` is \
skipped.",
        example: "let stream = tokio::net::TcpStream::connect(addr).await?;",
        use_instead: "use std::time::Duration;\n\nlet stream = tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))\n    .await\n    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, \"connect timed out\"))??;",
        fix: "**Bound the wait** (unsafe: connects slower than the timeout now fail), tokio only: \
`TcpStream::connect(addr).await` → `tokio::time::timeout(Duration::from_secs(N), \
TcpStream::connect(addr)).await.unwrap_or_else(|_| Err(io::Error::new(TimedOut, ..)))`, which \
has the same type (`io::Result<TcpStream>`), so a following `?` or `match` still compiles. \
**Add a timeout** (unsafe) for tonic: `.connect_timeout(Duration::from_secs(N))` is inserted \
after the endpoint constructor. std `connect` gets no automatic fix (`connect_timeout` takes a \
resolved `SocketAddr`, not `ToSocketAddrs`). N is the configured `timeout_seconds` (default 30).",
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tokio,
    AsyncStd,
    Std,
    Tonic,
}

fn classify(ctx: &Context<'_>, call: Node<'_>) -> Option<Kind> {
    let path = rust_call_path(ctx.source, call)?;
    match ctx.imports.resolve_rust(&path).as_str() {
        "tokio::net::TcpStream::connect" => Some(Kind::Tokio),
        "async_std::net::TcpStream::connect" => Some(Kind::AsyncStd),
        "std::net::TcpStream::connect" => Some(Kind::Std),
        "tonic::transport::Endpoint::from_static"
        | "tonic::transport::Endpoint::from_shared"
        | "tonic::transport::Endpoint::new"
        | "tonic::transport::Channel::from_static"
        | "tonic::transport::Channel::from_shared" => Some(Kind::Tonic),
        _ => None,
    }
}

/// True when `call` is an argument (at any depth, through async blocks and closures) of
/// `tokio::time::timeout(..)`/`timeout_at(..)` or the receiver of a `.timeout(..)` combinator,
/// within the same function.
fn under_timeout(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let mut child = call;
    for a in ancestors(call) {
        if a.kind() == "function_item" {
            return false;
        }
        if a.kind() == "call_expression" {
            if let Some(p) = rust_call_path(ctx.source, a) {
                let full = ctx.imports.resolve_rust(&p);
                if matches!(
                    full.as_str(),
                    "tokio::time::timeout"
                        | "tokio::time::timeout_at"
                        | "async_std::future::timeout"
                        | "async_std::io::timeout"
                ) || full.ends_with("::timeout") && p.contains("time")
                {
                    return true;
                }
            }
            if let Some((recv, m)) = rust_method_call(a) {
                if ctx.text(m) == "timeout" && super::helpers::within(child, recv) {
                    return true;
                }
            }
        }
        child = a;
    }
    false
}

/// True when the enclosing function also bounds a connect somewhere (an optional timeout handled
/// on another branch): `connect_timeout` or `tokio::time::timeout` appear in it.
fn function_has_timeout(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some(f) = ancestors(call).find(|a| a.kind() == "function_item") else {
        return false;
    };
    Walk::new(f).any(|n| match n.kind() {
        "field_identifier" => matches!(ctx.text(n), "connect_timeout"),
        "call_expression" => rust_call_path(ctx.source, n).is_some_and(|p| {
            let full = ctx.imports.resolve_rust(&p);
            full == "tokio::time::timeout"
                || full == "tokio::time::timeout_at"
                || full.ends_with("::connect_timeout")
        }),
        _ => false,
    })
}

/// True when `call` is inside a private function whose name mentions `connect` (`fn
/// connect_tcp(addr)`): a crate-internal connect primitive whose callers own the timeout policy.
fn in_private_connect_helper(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some(f) = ancestors(call).find(|a| a.kind() == "function_item") else {
        return false;
    };
    let public = {
        let mut c = f.walk();
        let has_vis = f
            .children(&mut c)
            .any(|ch| ch.kind() == "visibility_modifier" && ctx.text(ch) == "pub");
        has_vis
    };
    !public
        && f.child_by_field_name("name")
            .is_some_and(|n| ctx.text(n).to_ascii_lowercase().contains("connect"))
}

/// For a tonic endpoint constructor: `Some(true)` when it is connected without a timeout.
fn tonic_unbounded(ctx: &Context<'_>, call: Node<'_>) -> Option<bool> {
    const BOUNDS: &[&str] = &["timeout", "connect_timeout"];
    const CONNECTS: &[&str] = &["connect", "connect_lazy", "connect_with_connector"];
    let (names, top) = chain_up(call);
    let names: Vec<&str> = names.iter().map(|n| ctx.text(*n)).collect();
    if names.iter().any(|n| BOUNDS.contains(n)) {
        return Some(false);
    }
    if names.iter().any(|n| CONNECTS.contains(n)) {
        return Some(true);
    }
    let chains = chains_on_let_variable(ctx, top)?;
    let mut connects = false;
    for c in &chains {
        if c.is_empty() {
            return None;
        }
        let c: Vec<&str> = c.iter().map(|n| ctx.text(*n)).collect();
        if c.iter().any(|n| BOUNDS.contains(n)) {
            return Some(false);
        }
        connects |= c.iter().any(|n| CONNECTS.contains(n));
    }
    connects.then_some(true)
}

impl Rule for ConnectWithoutTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs the type segment of a connect path (`TcpStream::connect`, `Endpoint::from_*`, `Channel::from_*`).
        &[&["TcpStream", "Endpoint", "Channel"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            let Some(kind) = classify(ctx, call) else {
                continue;
            };
            let secs = ctx.config.fix.timeout_seconds;
            match kind {
                Kind::Tokio | Kind::AsyncStd => {
                    let Some(aw) = call.parent().filter(|p| p.kind() == "await_expression") else {
                        continue;
                    };
                    if under_timeout(ctx, call)
                        || function_has_timeout(ctx, call)
                        || in_private_connect_helper(ctx, call)
                    {
                        continue;
                    }
                    let mut f = Finding::new(
                        &META,
                        call.byte_range(),
                        "TCP connect awaited without a timeout: to an unreachable host it waits for the kernel's SYN retries (~2 min on Linux)",
                    );
                    if kind == Kind::Tokio {
                        let dur = duration_expr(ctx, secs);
                        f = f.with_fix(Fix::new(
                            format!("Bound the wait ({secs} s timeout)"),
                            Applicability::Unsafe,
                            vec![TextEdit::replace(
                                aw.byte_range(),
                                format!(
                                    "tokio::time::timeout({dur}, {}).await.unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, \"connect timed out\")))",
                                    ctx.text(call)
                                ),
                            )],
                        ));
                    }
                    out.push(f);
                }
                Kind::Std => {
                    if function_has_timeout(ctx, call) || in_private_connect_helper(ctx, call) {
                        continue;
                    }
                    out.push(Finding::new(
                        &META,
                        call.byte_range(),
                        "`std::net::TcpStream::connect` has no timeout: to an unreachable host it blocks the thread for the kernel's SYN retries (~2 min on Linux); use `connect_timeout`",
                    ));
                }
                Kind::Tonic => {
                    if tonic_unbounded(ctx, call) != Some(true) {
                        continue;
                    }
                    // Insert after `Endpoint::from_shared(..)?` when the constructor is fallible.
                    let mut insert_after = call;
                    while let Some(p) = insert_after
                        .parent()
                        .filter(|p| p.kind() == "try_expression")
                    {
                        insert_after = p;
                    }
                    let dur = duration_expr(ctx, secs);
                    let mut f = Finding::new(
                        &META,
                        call.byte_range(),
                        "gRPC endpoint connected without `connect_timeout`/`timeout`: a connect to an unreachable server waits for the kernel's SYN retries",
                    );
                    // `Endpoint::new(x)` without `?` is a `Result`: inserting would not compile.
                    let fallible = rust_call_path(ctx.source, call)
                        .is_some_and(|p| p.ends_with("::from_shared") || p.ends_with("::new"));
                    if !fallible || insert_after.id() != call.id() {
                        f = f.with_fix(Fix::new(
                            format!("Add a timeout ({secs} s connect timeout)"),
                            Applicability::Unsafe,
                            vec![TextEdit::insert(
                                insert_after.end_byte(),
                                format!(".connect_timeout({dur})"),
                            )],
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_unbounded_connects() {
        check(
            "connect-without-timeout",
            r#"
use tokio::net::TcpStream;
use tonic::transport::{Channel, Endpoint};

async fn dial(addr: &str) -> std::io::Result<TcpStream> {
    let s = TcpStream::connect(addr).await?;
          //^^^^^^^^^^^^^^^^^^^^^^^^ connect-without-timeout
    Ok(s)
}

fn dial_sync(addr: &str) -> std::io::Result<std::net::TcpStream> {
    std::net::TcpStream::connect(addr)
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ connect-without-timeout
}

async fn grpc(url: String) -> Result<Channel, Box<dyn std::error::Error>> {
    let ch = Endpoint::from_shared(url)?.connect().await?;
           //^^^^^^^^^^^^^^^^^^^^^^^^^^ connect-without-timeout
    Ok(ch)
}

async fn grpc_steps() -> Channel {
    let ep = Channel::from_static("http://[::1]:50051");
           //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ connect-without-timeout
    let ep = ep.tcp_nodelay(true);
    ep.connect_lazy()
}
"#,
        );
    }

    #[test]
    fn silent_when_bounded_or_not_a_connect() {
        check(
            "connect-without-timeout",
            r#"
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tonic::transport::Endpoint;

async fn bounded(addr: &str) -> std::io::Result<TcpStream> {
    timeout(Duration::from_secs(3), TcpStream::connect(addr)).await?
}

async fn bounded_block(addr: &str) -> std::io::Result<TcpStream> {
    tokio::time::timeout(Duration::from_secs(3), async { TcpStream::connect(addr).await }).await?
}

async fn optional(addr: &str, t: Option<Duration>) -> std::io::Result<TcpStream> {
    match t {
        Some(t) => timeout(t, TcpStream::connect(addr)).await?,
        None => TcpStream::connect(addr).await,
    }
}

fn std_bounded(addr: &std::net::SocketAddr) -> std::io::Result<std::net::TcpStream> {
    std::net::TcpStream::connect_timeout(addr, Duration::from_secs(3))
}

async fn grpc() -> Result<(), tonic::transport::Error> {
    let ch = Endpoint::from_static("http://x").connect_timeout(Duration::from_secs(2)).connect().await?;
    let ep = Endpoint::from_static("http://y");
    let ep = ep.timeout(Duration::from_secs(2));
    let c2 = ep.connect().await?;
    let unconnected = Endpoint::from_static("http://z").tcp_nodelay(true);
    Ok(())
}

async fn stored_future(addr: &str) {
    let fut = TcpStream::connect(addr);
    let _ = tokio::time::timeout(Duration::from_secs(1), fut).await;
}

async fn other_connect(p: &Pool) {
    let c = p.connect().await;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await;
}
"#,
        );
    }

    #[test]
    fn silent_in_private_connect_helpers_and_cfg_all_test() {
        check(
            "connect-without-timeout",
            r#"
async fn connect_tcp(addr: &std::net::SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
    let s = tokio::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    Ok(s)
}
#[cfg(all(feature = "tokio", test))]
mod tests {
    async fn helper(a: &str) { let s = tokio::net::TcpStream::connect(a).await.unwrap(); }
}
pub async fn connect(addr: &str) -> std::io::Result<tokio::net::TcpStream> {
    tokio::net::TcpStream::connect(addr).await
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ connect-without-timeout
}
"#,
        );
    }

    #[test]
    fn fix_bounds_tokio_connect_keeping_the_error_type() {
        check_fix(
            "connect-without-timeout",
            "Bound the wait",
            "async fn f(a: &str) -> std::io::Result<()> {\n    let s = tokio::net::TcpStream::connect(a).await?;\n    Ok(())\n}\n",
            "async fn f(a: &str) -> std::io::Result<()> {\n    let s = tokio::time::timeout(std::time::Duration::from_secs(30), tokio::net::TcpStream::connect(a)).await.unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, \"connect timed out\")))?;\n    Ok(())\n}\n",
        );
    }

    #[test]
    fn fix_adds_connect_timeout_to_tonic_endpoint() {
        check_fix(
            "connect-without-timeout",
            "Add a timeout",
            "use std::time::Duration;\nasync fn f(u: String) -> Result<tonic::transport::Channel, tonic::transport::Error> {\n    tonic::transport::Endpoint::from_shared(u)?.connect().await\n}\n",
            "use std::time::Duration;\nasync fn f(u: String) -> Result<tonic::transport::Channel, tonic::transport::Error> {\n    tonic::transport::Endpoint::from_shared(u)?.connect_timeout(Duration::from_secs(30)).connect().await\n}\n",
        );
    }
}
