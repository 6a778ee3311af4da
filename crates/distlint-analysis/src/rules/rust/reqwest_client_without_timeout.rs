//! `reqwest-client-without-timeout` (category `timeouts-deadlines`): async reqwest clients
//! built without a request timeout.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{rust_call_path, Walk};
use crate::vocabulary::rust::CLIENT_TIMEOUT_METHODS;

use super::helpers::{chain_up, chains_on_let_variable, duration_expr, is_test_code};

/// The rule.
pub struct ReqwestClientWithoutTimeout;

/// Registered instance.
pub static RULE: ReqwestClientWithoutTimeout = ReqwestClientWithoutTimeout;

static META: RuleMeta = RuleMeta {
    id: "reqwest-client-without-timeout",
    language: Language::Rust,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "HTTP client without a timeout (reqwest)",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds async `reqwest` clients that have no request timeout: \
`reqwest::Client::new()` / `Client::default()`, the one-shot `reqwest::get(url)`, and \
`reqwest::Client::builder()` / `ClientBuilder::new()` chains that reach `.build()` without \
`.timeout(..)` or `.read_timeout(..)` — also when the builder is stored in a variable and \
configured over several statements of the function. `reqwest::blocking` clients (30 s default \
timeout) are not flagged.",
        why: "An async reqwest client has no timeout by default; a request waits as long as the \
peer keeps the connection open:\n\n\
1. A downstream service hangs: a GC pause, a deadlocked handler, a load balancer that accepted \
the TCP connection but never forwards it.\n\
2. Each request to it now waits forever; the handler that made it holds its task, its \
database connection and its semaphore permit.\n\
3. Incoming traffic keeps arriving, so stuck requests pile up until the connection pool, the \
file descriptors or memory run out.\n\
4. The service stops answering even requests that do not touch the broken dependency: one slow \
peer has become a full outage (a cascading failure). With a timeout, the request fails after N \
seconds, the error is visible, and the caller can retry or degrade.",
        known_problems: "- Per-request timeouts (`client.get(url).timeout(d)`) are not tied to \
the client they use; a file that sets `.timeout(..)` on any request keeps `Client::new()` in that \
file silent, and builder chains are still judged on their own.\n\
- A builder passed to another function or stored in a struct is not followed (silent).\n\
- Timeouts enforced around the call (`tokio::time::timeout(d, client.get(u).send())`) are not \
seen for `Client::new()`; suppress with a reason.",
        example: "let client = reqwest::Client::new();\nlet body = client.get(url).send().await?.text().await?;",
        use_instead: "use std::time::Duration;\n\nlet client = reqwest::Client::builder()\n    .timeout(Duration::from_secs(30))\n    .build()?;\nlet body = client.get(url).send().await?.text().await?;",
        fix: "**Add a timeout** (unsafe: requests slower than the timeout now fail). \
`Client::new()` → `Client::builder().timeout(Duration::from_secs(N)).build().expect(..)` (panics on \
the same failure as `Client::new()`); `.timeout(Duration::from_secs(N))` is inserted after \
`Client::builder()` in a builder chain; `reqwest::get(url)` → an `async` block that builds a \
client with a timeout and sends the same GET (same output type). N is the configured \
`timeout_seconds` (default 30). `Duration` is written with its full path unless imported.",
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    New,
    Get,
    Builder,
}

fn classify(ctx: &Context<'_>, call: Node<'_>) -> Option<Kind> {
    let path = rust_call_path(ctx.source, call)?;
    match ctx.imports.resolve_rust(&path).as_str() {
        "reqwest::Client::new" | "reqwest::Client::default" => Some(Kind::New),
        "reqwest::get" => Some(Kind::Get),
        "reqwest::Client::builder"
        | "reqwest::ClientBuilder::new"
        | "reqwest::ClientBuilder::default" => Some(Kind::Builder),
        _ => None,
    }
}

/// True when the file sets a per-request `.timeout(..)` on some request chain (a file fact).
fn file_has_request_timeouts(ctx: &Context<'_>) -> bool {
    ctx.facts().request_timeouts()
}

/// What a builder value turns into: a client built without a timeout, a timeout set, or unknown.
fn builder_outcome(ctx: &Context<'_>, call: Node<'_>) -> Option<bool> {
    let (names, top) = chain_up(call);
    let names: Vec<&str> = names.iter().map(|n| ctx.text(*n)).collect();
    if names.iter().any(|n| CLIENT_TIMEOUT_METHODS.contains(n)) {
        return Some(false);
    }
    if names.contains(&"build") {
        return Some(true);
    }
    // Stored in a variable: follow it through the function.
    let chains = chains_on_let_variable(ctx, top)?;
    let mut builds = false;
    for c in &chains {
        let c: Vec<&str> = c.iter().map(|n| ctx.text(*n)).collect();
        if c.iter().any(|n| CLIENT_TIMEOUT_METHODS.contains(n)) {
            return Some(false);
        }
        if c.contains(&"build") {
            builds = true;
        }
    }
    // Every use must be a chain (or the left side of a reassignment): anything else lets the
    // builder escape, and someone else may set the timeout.
    let escapes = chains.iter().any(|c| c.is_empty());
    if escapes {
        return None;
    }
    builds.then_some(true)
}

impl Rule for ReqwestClientWithoutTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs `reqwest::get`, `Client::new`/`builder`, `ClientBuilder::new`.
        &[&["reqwest", "Client"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        let mut request_timeouts: Option<bool> = None;
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            let Some(kind) = classify(ctx, call) else {
                continue;
            };
            let secs = ctx.config.fix.timeout_seconds;
            let dur = duration_expr(ctx, secs);
            match kind {
                Kind::New => {
                    if *request_timeouts.get_or_insert_with(|| file_has_request_timeouts(ctx)) {
                        continue;
                    }
                    let mut f = Finding::new(
                        &META,
                        call.byte_range(),
                        "reqwest client without a timeout: a hung peer holds each request (and its task) forever",
                    );
                    if let Some(fix) = new_fix(ctx, call, &dur) {
                        f = f.with_fix(fix);
                    }
                    out.push(f);
                }
                Kind::Get => {
                    let mut f = Finding::new(
                        &META,
                        call.byte_range(),
                        "`reqwest::get` uses a client without a timeout: a hung peer holds this request forever",
                    );
                    if let Some(args) = call.child_by_field_name("arguments") {
                        f = f.with_fix(Fix::new(
                            format!("Add a timeout ({secs} s)"),
                            Applicability::Unsafe,
                            vec![TextEdit::replace(
                                call.byte_range(),
                                format!(
                                    "async {{ reqwest::Client::builder().timeout({dur}).build()?.get{}.send().await }}",
                                    ctx.text(args)
                                ),
                            )],
                        ));
                    }
                    out.push(f);
                }
                Kind::Builder => {
                    if builder_outcome(ctx, call) != Some(true) {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            &META,
                            call.byte_range(),
                            "reqwest client built without `.timeout(..)`: a hung peer holds each request (and its task) forever",
                        )
                        .with_fix(Fix::new(
                            format!("Add a timeout ({secs} s)"),
                            Applicability::Unsafe,
                            vec![TextEdit::insert(call.end_byte(), format!(".timeout({dur})"))],
                        )),
                    );
                }
            }
        }
    }
}

/// `X::new()` / `X::default()` → `X::builder().timeout(D).build().expect(..)`.
fn new_fix(ctx: &Context<'_>, call: Node<'_>, dur: &str) -> Option<Fix> {
    let mut callee = call.child_by_field_name("function")?;
    if callee.kind() == "generic_function" {
        callee = callee.child_by_field_name("function")?;
    }
    if callee.kind() != "scoped_identifier" {
        return None;
    }
    let path = callee.child_by_field_name("path")?;
    let secs = ctx.config.fix.timeout_seconds;
    Some(Fix::new(
        format!("Add a timeout ({secs} s)"),
        Applicability::Unsafe,
        vec![TextEdit::replace(
            call.byte_range(),
            format!(
                "{}::builder().timeout({dur}).build().expect(\"failed to build HTTP client\")",
                ctx.text(path)
            ),
        )],
    ))
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_clients_without_timeout() {
        check(
            "reqwest-client-without-timeout",
            r#"
use reqwest::Client;

fn make() -> Client {
    Client::new()
  //^^^^^^^^^^^^^ reqwest-client-without-timeout
}

async fn once(url: &str) -> reqwest::Result<String> {
    reqwest::get(url).await?.text().await
  //^^^^^^^^^^^^^^^^^ reqwest-client-without-timeout
}

fn built() -> reqwest::Result<Client> {
    reqwest::Client::builder().user_agent("svc/1").build()
  //^^^^^^^^^^^^^^^^^^^^^^^^^^ reqwest-client-without-timeout
}

fn built_in_steps(proxy: reqwest::Proxy) -> reqwest::Result<Client> {
    let mut b = Client::builder();
              //^^^^^^^^^^^^^^^^^ reqwest-client-without-timeout
    b = b.proxy(proxy);
    b.pool_max_idle_per_host(4).build()
}
"#,
        );
    }

    #[test]
    fn silent_on_clients_with_timeouts_and_look_alikes() {
        check(
            "reqwest-client-without-timeout",
            r#"
use std::time::Duration;
use reqwest::Client;

struct Client2;
impl Client2 { fn new() -> Self { Client2 } }

fn with_timeout() -> reqwest::Result<Client> {
    Client::builder().timeout(Duration::from_secs(5)).build()
}

fn read_timeout() -> reqwest::Result<Client> {
    reqwest::ClientBuilder::new().read_timeout(Duration::from_secs(5)).build()
}

fn in_steps() -> reqwest::Result<Client> {
    let b = Client::builder().user_agent("x");
    let b = b.timeout(Duration::from_secs(3));
    b.build()
}

fn escapes() -> reqwest::ClientBuilder {
    let b = Client::builder();
    configure(b)
}

fn blocking() {
    let c = reqwest::blocking::Client::new();
    let r = reqwest::blocking::get("http://x");
    let d = Client2::new();
}
"#,
        );
    }

    #[test]
    fn per_request_timeouts_in_the_file_keep_client_new_silent() {
        check(
            "reqwest-client-without-timeout",
            r#"
use std::time::Duration;
fn client() -> reqwest::Client { reqwest::Client::new() }
async fn call(c: &reqwest::Client) -> reqwest::Result<reqwest::Response> {
    c.post("http://x").timeout(Duration::from_secs(2)).send().await
}
"#,
        );
    }

    #[test]
    fn fix_client_new_keeps_panic_behaviour() {
        check_fix(
            "reqwest-client-without-timeout",
            "Add a timeout",
            "fn f() -> reqwest::Client {\n    reqwest::Client::new()\n}\n",
            "fn f() -> reqwest::Client {\n    reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build().expect(\"failed to build HTTP client\")\n}\n",
        );
    }

    #[test]
    fn fix_inserts_timeout_into_builder_chain_with_imported_duration() {
        check_fix(
            "reqwest-client-without-timeout",
            "Add a timeout",
            "use std::time::Duration;\nfn f() -> reqwest::Result<reqwest::Client> {\n    reqwest::Client::builder().gzip(true).build()\n}\n",
            "use std::time::Duration;\nfn f() -> reqwest::Result<reqwest::Client> {\n    reqwest::Client::builder().timeout(Duration::from_secs(30)).gzip(true).build()\n}\n",
        );
    }

    #[test]
    fn fix_wraps_reqwest_get() {
        check_fix(
            "reqwest-client-without-timeout",
            "Add a timeout",
            "async fn f(u: &str) -> reqwest::Result<String> {\n    reqwest::get(u).await?.text().await\n}\n",
            "async fn f(u: &str) -> reqwest::Result<String> {\n    async { reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build()?.get(u).send().await }.await?.text().await\n}\n",
        );
    }
}
