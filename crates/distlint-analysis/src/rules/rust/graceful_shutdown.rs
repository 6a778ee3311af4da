//! `graceful-shutdown` (category `graceful-shutdown`): servers awaited with no shutdown signal.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::rust::SHUTDOWN_WORDS;

use super::helpers::{call_target, chain, code_has, enclosing_fn};

/// The rule.
pub struct GracefulShutdown;

/// Registered instance.
pub static RULE: GracefulShutdown = GracefulShutdown;

static META: RuleMeta = RuleMeta {
    id: "graceful-shutdown",
    language: Language::Rust,
    category: "graceful-shutdown",
    severity: Severity::Minor,
    title: "Server without graceful shutdown",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds HTTP/gRPC servers that are awaited with no way to drain: \
`axum::serve(listener, app).await` without `.with_graceful_shutdown(..)`, hyper 0.14 \
`Server::bind(&addr).serve(svc).await` without `.with_graceful_shutdown(..)`, and tonic \
`Server::builder()…serve(addr).await` / `.serve_with_incoming(..)` instead of \
`serve_with_shutdown` / `serve_with_incoming_shutdown`. Silent when the function mentions a \
shutdown signal at all (`ctrl_c`, `signal`, `shutdown`, `cancel`), e.g. a `tokio::select!` \
racing the server against `ctrl_c()`.",
        why: "Deploys, autoscaling and node drains stop processes with SIGTERM:\n\n\
1. Kubernetes sends SIGTERM to the pod and removes it from the endpoints, but load balancers and \
clients keep sending requests for a few seconds.\n\
2. With no shutdown hook the runtime is torn down at once (or after the grace period, with \
SIGKILL): in-flight requests are cut mid-response and keep-alive connections are reset.\n\
3. Callers see 502s and connection resets on every deploy; non-idempotent requests that were \
half-processed (a payment captured, the response lost) are retried by clients and applied twice.\n\n\
A graceful shutdown stops accepting, lets in-flight requests finish, then exits.",
        known_problems: "- A server future stored in a variable before being awaited \
(`let server = axum::serve(..); server.await`) is not followed.\n\
- The signal check is textual: any mention of `shutdown`, `signal`, `cancel` or `ctrl_c` in \
the function keeps the rule silent, even if it is unrelated to the server.\n\
- Servers started through other frameworks (actix-web, warp, poem) are not covered.",
        example: "let listener = tokio::net::TcpListener::bind(addr).await?;\naxum::serve(listener, app).await?;",
        use_instead: "let listener = tokio::net::TcpListener::bind(addr).await?;\naxum::serve(listener, app)\n    .with_graceful_shutdown(async {\n        let _ = tokio::signal::ctrl_c().await;\n    })\n    .await?;",
        fix: "",
    },
};

impl Rule for GracefulShutdown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs an awaited `axum::serve` / `.serve(..)` / `serve_with_incoming`.
        &[&["await"], &["serve"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for aw in Walk::new(node) {
            if aw.kind() != "await_expression" {
                continue;
            }
            let Some(operand) = aw.named_child(0) else {
                continue;
            };
            let (calls, root) = chain(ctx, operand);
            let names: Vec<&str> = calls.iter().map(|m| ctx.text(m.name)).collect();
            if names.iter().any(|n| n.contains("shutdown")) {
                continue;
            }
            let target = if root.kind() == "call_expression" {
                call_target(ctx, root).unwrap_or_default()
            } else {
                String::new()
            };
            let range = match target.as_str() {
                "axum::serve" => {
                    if !names.iter().all(|n| *n == "into_future") {
                        continue;
                    }
                    root.byte_range()
                }
                "hyper::Server::bind"
                | "hyper::server::Server::bind"
                | "hyper::Server::try_bind"
                | "hyper::server::Server::try_bind"
                | "hyper::Server::builder"
                | "hyper::server::Server::builder" => {
                    let Some(m) = calls.first() else { continue };
                    if ctx.text(m.name) != "serve" {
                        continue;
                    }
                    m.name.start_byte()..m.call.end_byte()
                }
                "tonic::transport::Server::builder" => {
                    let Some(m) = calls.first() else { continue };
                    if !matches!(ctx.text(m.name), "serve" | "serve_with_incoming") {
                        continue;
                    }
                    m.name.start_byte()..m.call.end_byte()
                }
                _ => continue,
            };
            if let Some(f) = enclosing_fn(aw) {
                if code_has(ctx, f, SHUTDOWN_WORDS) {
                    continue;
                }
            }
            out.push(Finding::new(
                &META,
                range,
                "server awaited with no graceful shutdown: on SIGTERM in-flight requests are cut off",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_servers_with_no_shutdown() {
        check(
            "graceful-shutdown",
            r#"
use tonic::transport::Server;
async fn main_axum(app: Router) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
    axum::serve(listener, app).await?;
  //^^^^^^^^^^^^^^^^^^^^^^^^^^ graceful-shutdown
    Ok(())
}
async fn main_tonic(addr: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    Server::builder().add_service(GreeterServer::new(MyGreeter::default())).serve(addr).await?;
                                                                          //^^^^^^^^^^^ graceful-shutdown
    Ok(())
}
async fn main_hyper(addr: std::net::SocketAddr) {
    hyper::Server::bind(&addr).serve(make_svc).await.unwrap();
                             //^^^^^^^^^^^^^^^ graceful-shutdown
}
"#,
        );
    }

    #[test]
    fn silent_with_shutdown_or_look_alikes() {
        check(
            "graceful-shutdown",
            r#"
use tonic::transport::Server;
async fn a(app: Router, listener: TcpListener) {
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.unwrap();
}
async fn b(addr: SocketAddr) {
    Server::builder().add_service(svc).serve_with_shutdown(addr, async { rx.await.ok(); }).await.unwrap();
}
async fn c(app: Router, listener: TcpListener) {
    tokio::select! {
        r = axum::serve(listener, app) => r.unwrap(),
        _ = tokio::signal::ctrl_c() => {}
    }
}
async fn d(app: Router, listener: TcpListener, token: CancellationToken) {
    let srv = axum::serve(listener, app);
    tokio::spawn(async move { token.cancelled().await });
    srv.await.unwrap();
}
async fn e(my: MyServer) {
    my.serve(addr).await;
    serve(listener, app).await;
}
mod x { pub struct Server; }
async fn f(app: Router) {
    x::Server::builder().serve(addr).await;
}
"#,
        );
    }
}
