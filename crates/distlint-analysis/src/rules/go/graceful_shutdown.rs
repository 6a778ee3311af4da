//! `graceful-shutdown-go` (category `graceful-shutdown`): a program's HTTP or gRPC server started
//! with no drain on shutdown.

use tree_sitter::Node;

use super::helpers::{callee, go_package, pkg_call};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;

/// The rule.
pub struct GracefulShutdown;

/// Registered instance.
pub static RULE: GracefulShutdown = GracefulShutdown;

static META: RuleMeta = RuleMeta {
    id: "graceful-shutdown-go",
    language: Language::Go,
    category: "graceful-shutdown",
    severity: Severity::Minor,
    title: "Server without graceful shutdown",
    // Unit scope: what the whole file does about shutdown is a file fact (`ctx.facts()`).
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "In the file that declares `func main()`, finds:\n\
- `http.ListenAndServe`/`ListenAndServeTLS` (package function, or the method on a server) when \
the file never calls `Shutdown` and handles no signal (`signal.Notify`, `signal.NotifyContext`);\n\
- `Serve` on a gRPC server created with `grpc.NewServer` when the file never calls \
`GracefulStop`.\n\
The finding sits on the call that starts serving.",
        why: "Deploys, autoscaling and node drains stop processes with SIGTERM many times a day:\n\n\
1. Kubernetes sends SIGTERM to a pod while it is serving requests (and the load balancer still \
routes new ones to it for a few seconds).\n\
2. With no handler, Go's default action kills the process immediately.\n\
3. Every in-flight request is cut: clients see connection resets and 502s, non-idempotent \
requests end in an unknown state (was the payment taken?), and retries pile onto the remaining \
pods.\n\n\
`srv.Shutdown(ctx)` after a SIGTERM stops accepting connections and waits for in-flight \
requests (gRPC: `GracefulStop`) up to a deadline, so a rollout is invisible to clients.",
        known_problems: "- Only the file that declares `func main()` is examined; signal \
handling or `Shutdown` in another file of the same package is not seen (the finding must then be \
suppressed with a reason).\n\
- Servers started in libraries (not `main`) are not reported: their caller decides shutdown.\n\
- Frameworks (gin `Run`, echo `Start`) are not yet recognised.\n\
- A server method call whose receiver is also `Close()`d in the file is taken as a server the \
program scopes itself (a temporary challenge server) and is not reported; files excluded from \
builds (`//go:build ignore`) are skipped.",
        example: "func main() {\n\thttp.HandleFunc(\"/\", handler)\n\tlog.Fatal(http.ListenAndServe(\":8080\", nil))\n}",
        use_instead: "func main() {\n\
\tsrv := &http.Server{Addr: \":8080\", Handler: mux, ReadHeaderTimeout: 5 * time.Second}\n\
\tctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)\n\
\tdefer stop()\n\
\tgo func() {\n\t\tif err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {\n\t\t\tlog.Fatal(err)\n\t\t}\n\t}()\n\
\t<-ctx.Done()\n\
\tshutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)\n\
\tdefer cancel()\n\
\tsrv.Shutdown(shutdownCtx) // drain in-flight requests\n}",
        fix: "",
    },
};

/// Whether the file declares `func main` (a file fact: no walk).
fn has_main(ctx: &Context<'_>) -> bool {
    ctx.facts().has_main()
}

/// What the whole file does about shutdown, from the file facts (calls anywhere in the file).
#[derive(Default)]
struct Lifecycle<'a> {
    /// Some `x.Shutdown(..)` (not a package function).
    shutdown: bool,
    /// Some `x.GracefulStop()`.
    graceful_stop: bool,
    /// `signal.Notify` / `signal.NotifyContext` (package `os/signal`).
    signals: bool,
    /// Receivers of `x.Close()`.
    closed: Vec<&'a str>,
    /// Variables assigned `grpc.NewServer(..)`.
    grpc_servers: Vec<&'a str>,
}

impl<'a> Lifecycle<'a> {
    fn of(ctx: &'a Context<'_>) -> Self {
        let mut l = Lifecycle::default();
        for (name, recv, recv_is_ident, assigned) in ctx.facts().lifecycle_calls() {
            // A call on an imported package name is a package function, never a method.
            let pkg = if recv_is_ident {
                go_package(ctx, recv)
            } else {
                None
            };
            match (pkg, name) {
                (Some("os/signal"), "Notify" | "NotifyContext") => l.signals = true,
                (Some("google.golang.org/grpc"), "NewServer") => {
                    if let Some(v) = assigned {
                        l.grpc_servers.push(v);
                    }
                }
                (Some(_), _) => {}
                (None, "Shutdown") => l.shutdown = true,
                (None, "Close") => l.closed.push(recv),
                (None, "GracefulStop") => l.graceful_stop = true,
                (None, _) => {}
            }
        }
        l
    }
}

impl Rule for GracefulShutdown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `ListenAndServe*`/`Serve` call in the unit.
        &[&["Serve"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if !has_main(ctx) || ctx.facts().build_ignored() {
            return;
        }
        let mut lifecycle: Option<Lifecycle<'_>> = None;
        let mut http_serves: Vec<Node<'_>> = Vec::new();
        let mut serve_calls: Vec<(Node<'_>, &str)> = Vec::new();
        for n in Walk::new(node) {
            if n.kind() != "call_expression" {
                continue;
            }
            if let Some((path, member)) = pkg_call(ctx, n) {
                if let ("net/http", "ListenAndServe" | "ListenAndServeTLS") = (path, member) {
                    http_serves.push(n);
                }
                continue;
            }
            let Some((Some(recv), name)) = callee(ctx.source, n) else {
                continue;
            };
            match name {
                "ListenAndServe" | "ListenAndServeTLS" => {
                    // A method on an `http.Server` (any receiver in a file importing net/http).
                    // A server whose lifetime the program scopes itself (`go s.ListenAndServe();
                    // defer s.Close()`, a temporary challenge or test server) is not a service
                    // being drained.
                    if ctx.imports.go_local_name("net/http").is_some() {
                        let l = lifecycle.get_or_insert_with(|| Lifecycle::of(ctx));
                        if !l.closed.contains(&ctx.text(recv)) {
                            http_serves.push(n);
                        }
                    }
                }
                "Serve" => serve_calls.push((n, ctx.text(recv))),
                _ => {}
            }
        }
        if http_serves.is_empty() && serve_calls.is_empty() {
            return;
        }
        let l = lifecycle.get_or_insert_with(|| Lifecycle::of(ctx));
        http_serves.sort_by_key(|n| n.start_byte());
        if !l.shutdown && !l.signals {
            for call in http_serves {
                out.push(Finding::new(
                    &META,
                    call.byte_range(),
                    "HTTP server with no graceful shutdown: on SIGTERM (every deploy) in-flight requests are cut off; handle the signal and call `srv.Shutdown(ctx)`",
                ));
            }
        }
        if !l.graceful_stop {
            for (call, recv) in serve_calls {
                if l.grpc_servers.contains(&recv) {
                    out.push(Finding::new(
                        &META,
                        call.byte_range(),
                        "gRPC server with no `GracefulStop`: on SIGTERM (every deploy) in-flight RPCs are cut off; handle the signal and call `GracefulStop`",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_servers_in_main_without_shutdown() {
        check(
            "graceful-shutdown-go",
            r#"
package main

import (
    "log"
    "net"
    "net/http"

    "google.golang.org/grpc"
)

func main() {
    http.HandleFunc("/", handler)
    go func() {
        log.Fatal(http.ListenAndServe(":8080", nil))
                //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ graceful-shutdown-go
    }()
    lis, _ := net.Listen("tcp", ":9090")
    s := grpc.NewServer()
    register(s)
    s.Serve(lis)
  //^^^^^^^^^^^^ graceful-shutdown-go
}
"#,
        );
        check(
            "graceful-shutdown-go",
            r#"
package main

import "net/http"

func main() {
    srv := &http.Server{Addr: ":8080"}
    if err := srv.ListenAndServe(); err != nil {
            //^^^^^^^^^^^^^^^^^^^^ graceful-shutdown-go
        panic(err)
    }
}
"#,
        );
    }

    #[test]
    fn silent_with_shutdown_signals_or_outside_main() {
        check(
            "graceful-shutdown-go",
            r#"
package main

import (
    "context"
    "net/http"
    "os/signal"
    "syscall"
)

func main() {
    srv := &http.Server{Addr: ":8080"}
    ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
    defer stop()
    go srv.ListenAndServe()
    <-ctx.Done()
    srv.Shutdown(context.Background())
}
"#,
        );
        check(
            "graceful-shutdown-go",
            r#"
package main

import (
    "net"

    "google.golang.org/grpc"
)

func main() {
    lis, _ := net.Listen("tcp", ":9090")
    s := grpc.NewServer()
    go s.Serve(lis)
    waitForSignal()
    s.GracefulStop()
}
"#,
        );
        check(
            "graceful-shutdown-go",
            r#"
package main

import "net/http"

func serveChallenge(addr string) {
    s := &http.Server{Addr: addr}
    go s.ListenAndServe()
    defer s.Close()
    waitForValidation()
}

func main() {
    serveChallenge(":8080")
}
"#,
        );
        check(
            "graceful-shutdown-go",
            r#"
//go:build ignore

package main

import "net/http"

func main() {
    http.ListenAndServe(":9999", nil)
}
"#,
        );
        check(
            "graceful-shutdown-go",
            r#"
package api

import "net/http"

func Start(addr string) error {
    return http.ListenAndServe(addr, nil)
}
"#,
        );
        check(
            "graceful-shutdown-go",
            r#"
package main

import "net"

func main() {
    l, _ := net.Listen("tcp", ":1")
    rpcServer.Serve(l)
    mux.ListenAndServe()
}
"#,
        );
    }
}
