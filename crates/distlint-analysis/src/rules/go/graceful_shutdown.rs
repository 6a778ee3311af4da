//! `graceful-shutdown-go` (category `graceful-shutdown`): a program's HTTP or gRPC server started
//! with no drain on shutdown.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::rules::go::shapes::{assigned_to, callee, pkg_call};
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
    scope: Scope::File,
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

/// True for files excluded from every build (`//go:build ignore`, `// +build ignore`):
/// generators and manual test harnesses run with `go run`, not deployed programs.
fn ignored_by_build_tag(source: &str) -> bool {
    source
        .lines()
        .take_while(|l| !l.trim_start().starts_with("package "))
        .any(|l| {
            let l = l.trim();
            (l.starts_with("//go:build") || l.starts_with("// +build"))
                && l.split_whitespace().any(|w| w == "ignore")
        })
}

/// Whether the file declares `func main` (a file fact: no walk).
fn has_main(ctx: &Context<'_>) -> bool {
    ctx.facts().has_main()
}

impl Rule for GracefulShutdown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `ListenAndServe*`/`Serve` call in the file.
        &[&["Serve"]]
    }

    fn check(&self, ctx: &Context<'_>, root: Node<'_>, out: &mut Vec<Finding>) {
        if !has_main(ctx) || ignored_by_build_tag(ctx.source) {
            return;
        }
        let mut shutdown = false;
        let mut graceful_stop = false;
        let mut signals = false;
        let mut grpc_servers: Vec<&str> = Vec::new();
        let mut http_serves: Vec<Node<'_>> = Vec::new();
        let mut closed: Vec<&str> = Vec::new();
        let mut method_serves: Vec<(Node<'_>, &str)> = Vec::new();
        let mut serve_calls: Vec<(Node<'_>, &str)> = Vec::new();
        for n in Walk::new(root) {
            if n.kind() != "call_expression" {
                continue;
            }
            if let Some((path, member)) = pkg_call(ctx, n) {
                match (path, member) {
                    ("net/http", "ListenAndServe" | "ListenAndServeTLS") => http_serves.push(n),
                    ("os/signal", "Notify" | "NotifyContext") => signals = true,
                    ("google.golang.org/grpc", "NewServer") => {
                        if let Some(v) = assigned_to(n) {
                            grpc_servers.push(ctx.text(v));
                        }
                    }
                    _ => {}
                }
                continue;
            }
            let Some((Some(recv), name)) = callee(ctx.source, n) else {
                continue;
            };
            match name {
                "Shutdown" => shutdown = true,
                "Close" => closed.push(ctx.text(recv)),
                "GracefulStop" => graceful_stop = true,
                "ListenAndServe" | "ListenAndServeTLS" => {
                    // A method on an `http.Server` (any receiver in a file importing net/http).
                    if ctx.imports.go_local_name("net/http").is_some() {
                        method_serves.push((n, ctx.text(recv)));
                    }
                }
                "Serve" => serve_calls.push((n, ctx.text(recv))),
                _ => {}
            }
        }
        // A server whose lifetime the program scopes itself (`go s.ListenAndServe(); defer
        // s.Close()`, a temporary challenge or test server) is not a service being drained.
        http_serves.extend(
            method_serves
                .into_iter()
                .filter(|(_, r)| !closed.contains(r))
                .map(|(n, _)| n),
        );
        http_serves.sort_by_key(|n| n.start_byte());
        if !shutdown && !signals {
            for call in http_serves {
                out.push(Finding::new(
                    &META,
                    call.byte_range(),
                    "HTTP server with no graceful shutdown: on SIGTERM (every deploy) in-flight requests are cut off; handle the signal and call `srv.Shutdown(ctx)`",
                ));
            }
        }
        if !graceful_stop {
            for (call, recv) in serve_calls {
                if grpc_servers.contains(&recv) {
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
