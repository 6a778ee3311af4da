//! `http-server-without-timeouts` (category `timeouts-deadlines`): Go HTTP servers that let a
//! client hold a connection open forever while sending headers (Slowloris).

use tree_sitter::Node;

use super::helpers::{
    assigned_name, call_args, field_assigned, function_scope, insert_field, keyed_fields,
    literal_type, pkg_call, timeout_expr,
};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::Walk;
use crate::vocabulary::go::SERVER_READ_TIMEOUTS;

/// The rule.
pub struct HttpServerWithoutTimeouts;

/// Registered instance.
pub static RULE: HttpServerWithoutTimeouts = HttpServerWithoutTimeouts;

static META: RuleMeta = RuleMeta {
    id: "http-server-without-timeouts",
    language: Language::Go,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "HTTP server without read timeouts",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds Go HTTP servers with no limit on how long a client may take to send its \
request: the package-level `http.ListenAndServe`, `http.ListenAndServeTLS`, `http.Serve` and \
`http.ServeTLS` (which use an `http.Server` with every timeout zero), and `http.Server{...}` \
literals with neither `ReadHeaderTimeout` nor `ReadTimeout` (and no later \
`srv.ReadHeaderTimeout = ...` / `srv.ReadTimeout = ...` on the same variable in the function). \
gosec reports the same problem as G112/G114.",
        why: "Without a read timeout the server waits as long as a client likes for the request \
headers:\n\n\
1. A client — a buggy mobile app on a dying network, or an attacker running Slowloris — opens a \
connection and sends one header byte every few seconds.\n\
2. The server dedicates a goroutine, a file descriptor and buffers to that connection and never \
gives up on it.\n\
3. A few thousand such connections (cheap for the client) exhaust the process's file descriptor \
limit or the load balancer's connection pool.\n\
4. New, well-behaved clients can no longer connect: the service is down although its CPU is idle \
and every handler is healthy.\n\n\
`ReadHeaderTimeout` closes connections that do not deliver their headers in time, without \
limiting how long a handler may stream a body.",
        known_problems: "- A server behind a proxy that already enforces header timeouts (and \
only accepts connections from that proxy) is protected elsewhere; suppress with that reason.\n\
- Timeouts set through a helper or on a server built in another function are not followed; only \
`srv.ReadHeaderTimeout = ...` on the same variable in the same function is seen.\n\
- `WriteTimeout` and `IdleTimeout` are not required: they are right for some servers and break \
streaming for others.",
        example: "func main() {\n\thttp.HandleFunc(\"/\", handle)\n\tlog.Fatal(http.ListenAndServe(\":8080\", nil))\n}",
        use_instead: "func main() {\n\thttp.HandleFunc(\"/\", handle)\n\tsrv := &http.Server{\n\t\tAddr:              \":8080\",\n\t\tReadHeaderTimeout: 10 * time.Second,\n\t}\n\tlog.Fatal(srv.ListenAndServe())\n}",
        fix: "**Add a timeout** (safe: only connections that take longer than N seconds to send \
their request headers are closed): adds `ReadHeaderTimeout: N * time.Second` to an `http.Server` \
literal, and rewrites `http.ListenAndServe(addr, h)` (and `ListenAndServeTLS`, `Serve`, \
`ServeTLS`) into `(&http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: N * time.Second}).ListenAndServe()`, \
which returns the same error. N is the configured `fix.timeout_seconds` (default 30); the `time` \
import is added when missing.",
    },
};

impl Rule for HttpServerWithoutTimeouts {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs `http.Server{..}` or a `Serve*`/`ListenAndServe*` call.
        &[&["Serve"]]
    }

    // `FileReads::Nothing` (the default): a package-level server's `s.ReadTimeout = ...` is a
    // file fact (tracked by the engine), and the fixes, which read the import block
    // (`ensure_import`), are deferred (`resolve_fix`).

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for n in Walk::new(node) {
            match n.kind() {
                "composite_literal" => check_literal(ctx, n, out),
                "call_expression" => check_call(ctx, n, out),
                _ => {}
            }
        }
    }

    fn resolve_fix(&self, ctx: &Context<'_>, finding: &Finding, _fix: &Fix) -> Option<Fix> {
        if let Some(lit) = ctx.node_at(finding.range.clone(), "composite_literal") {
            return literal_fix(ctx, lit);
        }
        call_fix(ctx, ctx.node_at(finding.range.clone(), "call_expression")?)
    }
}

fn check_literal(ctx: &Context<'_>, lit: Node<'_>, out: &mut Vec<Finding>) {
    if literal_type(ctx, lit) != Some(("net/http", "Server")) {
        return;
    }
    let Some(body) = lit.child_by_field_name("body") else {
        return;
    };
    if keyed_fields(ctx, body)
        .iter()
        .any(|(k, _)| SERVER_READ_TIMEOUTS.contains(k))
    {
        return;
    }
    if let Some(var) = assigned_name(ctx, lit) {
        let scope = function_scope(ctx, lit);
        if SERVER_READ_TIMEOUTS
            .iter()
            .any(|f| field_assigned(ctx, scope, &var, f))
        {
            return;
        }
    }
    let mut finding = Finding::new(
        &META,
        lit.byte_range(),
        "`http.Server` without `ReadHeaderTimeout`: slow clients can hold connections open forever and exhaust the server (Slowloris)",
    );
    // Whether the field can be inserted does not depend on the field's text; the edits (and the
    // `time` import they may need) are computed in `resolve_fix`.
    if insert_field(ctx, body, "ReadHeaderTimeout").is_some() {
        finding = finding.with_fix(Fix::deferred(literal_fix_title(ctx), Applicability::Safe));
    }
    out.push(finding);
}

fn literal_fix_title(ctx: &Context<'_>) -> String {
    format!(
        "Add a timeout (ReadHeaderTimeout {} s)",
        ctx.config.fix.timeout_seconds
    )
}

/// The edits of the deferred fix on a server literal `lit`: `ReadHeaderTimeout: N * time.Second`
/// added to its fields, and the `time` import when missing.
fn literal_fix(ctx: &Context<'_>, lit: Node<'_>) -> Option<Fix> {
    if literal_type(ctx, lit) != Some(("net/http", "Server")) {
        return None;
    }
    let (expr, import) = timeout_expr(ctx);
    let body = lit.child_by_field_name("body")?;
    let edit = insert_field(ctx, body, &format!("ReadHeaderTimeout: {expr}"))?;
    let mut edits = vec![edit];
    edits.extend(import);
    Some(Fix::new(literal_fix_title(ctx), Applicability::Safe, edits))
}

/// `(first argument is an address rather than a listener, index of the handler, arity)` of the
/// package-level serve function `m`: `ListenAndServe(addr, h)`, `ListenAndServeTLS(addr, cert,
/// key, h)`, `Serve(l, h)`, `ServeTLS(l, h, cert, key)`. `None` for other names.
fn serve_shape(m: &str) -> Option<(bool, usize, usize)> {
    match m {
        "ListenAndServe" => Some((true, 1, 2)),
        "ListenAndServeTLS" => Some((true, 3, 4)),
        "Serve" => Some((false, 1, 2)),
        "ServeTLS" => Some((false, 1, 4)),
        _ => None,
    }
}

/// Whether a serve call can be rewritten: exactly `arity` arguments, none spread with `...`.
fn call_fixable(ctx: &Context<'_>, call: Node<'_>, arity: usize) -> bool {
    let spread = call
        .child_by_field_name("arguments")
        .is_some_and(|a| ctx.text(a).contains("..."));
    call_args(call).len() == arity && !spread
}

fn call_fix_title(ctx: &Context<'_>) -> String {
    format!(
        "Add a timeout (use an http.Server with ReadHeaderTimeout {} s)",
        ctx.config.fix.timeout_seconds
    )
}

fn check_call(ctx: &Context<'_>, call: Node<'_>, out: &mut Vec<Finding>) {
    let Some(("net/http", m)) = pkg_call(ctx, call) else {
        return;
    };
    let Some((_, _, arity)) = serve_shape(m) else {
        return;
    };
    let mut finding = Finding::new(
        &META,
        call.byte_range(),
        format!("`http.{m}` serves with no read timeouts: slow clients can hold connections open forever and exhaust the server (Slowloris)"),
    );
    if call_fixable(ctx, call, arity) {
        finding = finding.with_fix(Fix::deferred(call_fix_title(ctx), Applicability::Safe));
    }
    out.push(finding);
}

/// The edits of the deferred fix on a serve call: the call becomes
/// `(&http.Server{Addr: a, Handler: h, ReadHeaderTimeout: N * time.Second}).M(rest)`, plus the
/// `time` import when missing.
fn call_fix(ctx: &Context<'_>, call: Node<'_>) -> Option<Fix> {
    let ("net/http", m) = pkg_call(ctx, call)? else {
        return None;
    };
    let (listener_is_addr, handler_at, arity) = serve_shape(m)?;
    if !call_fixable(ctx, call, arity) {
        return None;
    }
    let args = call_args(call);
    let f = call.child_by_field_name("function")?;
    let pkg = ctx.text(f.child_by_field_name("operand")?);
    let (expr, import) = timeout_expr(ctx);
    let handler = ctx.text(args[handler_at]);
    let others: Vec<&str> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != handler_at && !(listener_is_addr && *i == 0))
        .map(|(_, a)| ctx.text(*a))
        .collect();
    let fields = if listener_is_addr {
        format!("Addr: {}, Handler: {handler}", ctx.text(args[0]))
    } else {
        format!("Handler: {handler}")
    };
    let call_args = others.join(", ");
    let replacement =
        format!("(&{pkg}.Server{{{fields}, ReadHeaderTimeout: {expr}}}).{m}({call_args})");
    let mut edits = vec![TextEdit::replace(call.byte_range(), replacement)];
    edits.extend(import);
    Some(Fix::new(call_fix_title(ctx), Applicability::Safe, edits))
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_package_level_servers_and_literals_without_read_timeouts() {
        check(
            "http-server-without-timeouts",
            r#"
package main

import (
    "log"
    "net"
    "net/http"
    "time"
)

func main() {
    log.Fatal(http.ListenAndServe(":8080", nil))
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-server-without-timeouts
    _ = http.ListenAndServeTLS(":8443", "cert.pem", "key.pem", nil)
      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-server-without-timeouts
    l, _ := net.Listen("tcp", ":9090")
    _ = http.Serve(l, http.NotFoundHandler())
      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-server-without-timeouts
    srv := &http.Server{Addr: ":8081", WriteTimeout: 5 * time.Second}
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-server-without-timeouts
    _ = srv.ListenAndServe()
}
"#,
        );
    }

    #[test]
    fn import_alias_is_honoured() {
        check(
            "http-server-without-timeouts",
            r#"
package main

import nethttp "net/http"

func run() error {
    s := nethttp.Server{
       //^^^^^^^^^^^^^^^ http-server-without-timeouts
        Addr: ":80",
    }
    _ = s
    return nethttp.ListenAndServe(":80", nil)
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-server-without-timeouts
}
"#,
        );
    }

    #[test]
    fn silent_with_read_timeouts_and_on_look_alikes() {
        check(
            "http-server-without-timeouts",
            r#"
package main

import (
    "net/http"
    "time"

    grpc "example.com/rpc"
)

type Server struct{ Addr string }

func run(h http.Handler) error {
    a := &http.Server{Addr: ":1", Handler: h, ReadHeaderTimeout: 5 * time.Second}
    b := &http.Server{Addr: ":2", ReadTimeout: time.Minute}
    c := &http.Server{Addr: ":3"}
    c.ReadHeaderTimeout = 2 * time.Second
    mine := Server{Addr: ":4"}
    _, _, _ = a, b, mine
    g := grpc.NewServer()
    _ = g.Serve(nil)
    _ = grpc.ListenAndServe(":5", nil)
    return c.ListenAndServe()
}
"#,
        );
    }

    #[test]
    fn fix_rewrites_listen_and_serve_into_a_server() {
        check_fix(
            "http-server-without-timeouts",
            "Add a timeout",
            "package main\n\nimport (\n\t\"log\"\n\t\"net/http\"\n)\n\nfunc main() {\n\tlog.Fatal(http.ListenAndServe(\":8080\", nil))\n}\n",
            "package main\n\nimport (\n\t\"log\"\n\t\"net/http\"\n\t\"time\"\n)\n\nfunc main() {\n\tlog.Fatal((&http.Server{Addr: \":8080\", Handler: nil, ReadHeaderTimeout: 30 * time.Second}).ListenAndServe())\n}\n",
        );
    }

    #[test]
    fn fix_rewrites_serve_tls_keeping_argument_order() {
        check_fix(
            "http-server-without-timeouts",
            "Add a timeout",
            "package main\n\nimport (\n\t\"net\"\n\t\"net/http\"\n\t\"time\"\n)\n\nfunc run(l net.Listener, h http.Handler) error {\n\t_ = time.Now\n\treturn http.ServeTLS(l, h, \"c.pem\", \"k.pem\")\n}\n",
            "package main\n\nimport (\n\t\"net\"\n\t\"net/http\"\n\t\"time\"\n)\n\nfunc run(l net.Listener, h http.Handler) error {\n\t_ = time.Now\n\treturn (&http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}).ServeTLS(l, \"c.pem\", \"k.pem\")\n}\n",
        );
    }

    #[test]
    fn fix_adds_read_header_timeout_to_literal() {
        check_fix(
            "http-server-without-timeouts",
            "Add a timeout",
            "package main\n\nimport \"net/http\"\n\nfunc main() {\n\tsrv := &http.Server{\n\t\tAddr: \":80\",\n\t}\n\t_ = srv.ListenAndServe()\n}\n",
            "package main\n\nimport \"net/http\"\nimport \"time\"\n\nfunc main() {\n\tsrv := &http.Server{\n\t\tAddr: \":80\",\n\t\tReadHeaderTimeout: 30 * time.Second,\n\t}\n\t_ = srv.ListenAndServe()\n}\n",
        );
    }
}
