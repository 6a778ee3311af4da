//! `http-client-without-timeout` (category `timeouts-deadlines`): Go HTTP clients that can wait
//! forever.

use tree_sitter::Node;

use super::helpers::{
    assigned_name, assigned_value, call_args, enclosing_function, field_assigned, function_scope,
    insert_field, is_pkg_call, keyed_fields, literal_type, pkg_call, pkg_selector, timeout_expr,
};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity,
};
use crate::syntax::{named_children, squash, Walk};
use crate::vocabulary::go::{DEFAULT_CLIENT_HELPERS, HTTP_CLIENT_METHODS};

/// The rule.
pub struct HttpClientWithoutTimeout;

/// Registered instance.
pub static RULE: HttpClientWithoutTimeout = HttpClientWithoutTimeout;

static META: RuleMeta = RuleMeta {
    id: "http-client-without-timeout",
    language: Language::Go,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "HTTP client without a timeout",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds Go HTTP requests that have no overall deadline: `http.Client{...}` and \
`&http.Client{...}` literals with no `Timeout` field (and no later `c.Timeout = ...` on the same \
variable in the function), and the package-level helpers `http.Get`, `http.Post`, `http.Head`, \
`http.PostForm` and `http.DefaultClient.Do`/`Get`/`Post`/`Head`/`PostForm`, which use \
`http.DefaultClient` — a client with no timeout. The `net/http` import is resolved through the \
file's imports, so `nethttp.Get` after `import nethttp \"net/http\"` is the same call and a local \
package named `http` is not.",
        why: "`http.Client`'s zero `Timeout` means \"wait forever\":\n\n\
1. A dependency's load balancer accepts the TCP connection, but the backend behind it is stuck \
(GC pause, deadlock, full disk) and never writes a response — or writes the headers and then \
stalls mid-body.\n\
2. The request blocks in `Do`/`Get` indefinitely; so does the goroutine that made it and the \
handler that is waiting for it, holding its memory, its connection and any lock it took.\n\
3. Incoming traffic keeps arriving; every new request joins the pile. Goroutines and file \
descriptors climb until the service hits its limits and stops answering its own health checks.\n\
4. The outage of one dependency has become an outage of this service, and of everything that \
calls it without a timeout.\n\n\
A client `Timeout` (or a per-request context deadline) turns the hang into a prompt error that \
retries, fallbacks and circuit breakers can act on.",
        known_problems: "- A client held in a local variable whose only uses are `c.Do(req)` with \
requests that carry the caller's context (`http.NewRequestWithContext`, `req.WithContext(ctx)`, \
`req.Cancel = ctx.Done()`) is left alone: the caller's deadline bounds it (and a caller without \
one is reported by the context rules). A client stored in a field and used elsewhere is not \
followed; suppress with the reason if every request has a deadline.\n\
- To stay precise, a client whose `Transport` comes from a parameter or a field (injected by the \
caller, like etcd's peer round tripper with per-connection read deadlines), from a constructor \
named for its timeouts (`NewTimeoutTransport`), or is a round tripper wrapping another client \
(`&RoundTripper{Client: c}`) is not reported. An injected transport without any deadline is \
therefore missed.\n\
- Clients for streaming or long-poll endpoints (watch APIs, server-sent events) deliberately have \
no overall timeout; suppress with a reason (and bound them with transport timeouts and contexts).\n\
- The timeout is only followed when set on the same variable in the same function \
(`c := &http.Client{}; c.Timeout = d`); a timeout set elsewhere (a constructor, an options \
function) is not seen.\n\
- Counted as bounding every request besides a client `Timeout` and per-request contexts: a \
`Transport` literal (inline, or a local assigned one) that sets `ResponseHeaderTimeout` and a \
connect bound (a dialer `Timeout` in `Dial`/`DialContext`, or `TLSHandshakeTimeout`). A stalled \
response body is then still unbounded, which large object streams need.\n\
- A `Transport` that connects through its own dial function (`Dial: d.pprofDial`; not a \
`net.Dialer`) is not reported: it typically reaches a Unix socket or a named pipe, and the rule \
cannot see where. A custom dialer to a remote peer is therefore missed.\n\
- A literal replaced by the next statement with a configured client (`client := \
&http.Client{}` then `if h.Client != nil { *client = *h.Client }`) is a fallback and is not \
reported, although the fallback itself has no timeout.\n\
- A local variable that shadows the `http` package name is not detected.",
        example: "import \"net/http\"\n\nvar client = &http.Client{Transport: tr}\n\nfunc fetch(u string) (*http.Response, error) {\n\treturn http.Get(u)\n}",
        use_instead: "import (\n\t\"net/http\"\n\t\"time\"\n)\n\nvar client = &http.Client{Transport: tr, Timeout: 30 * time.Second}\n\nfunc fetch(u string) (*http.Response, error) {\n\treturn client.Get(u)\n}",
        fix: "**Add a timeout** (unsafe: requests that legitimately take longer — large downloads, \
long polls — now fail): adds `Timeout: N * time.Second` to the `http.Client` literal, with N the \
configured `fix.timeout_seconds` (default 30), and the `time` import when the file lacks it. The \
package-level helpers (`http.Get`, `http.DefaultClient.Do`) get no automatic rewrite: the right \
client to use instead is a design decision.",
    },
};

impl Rule for HttpClientWithoutTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs `http.Client{..}`, `DefaultClient` or a helper (`Get`, `Post`, `PostForm`, `Head`).
        &[&["Client", "Get", "Post", "Head"]]
    }

    // `FileReads::Nothing` (the default): a package-level client's `c.Timeout = ...` is a file
    // fact (tracked by the engine), following its uses through the whole file marks the unit as
    // reading the whole file, and the fix, which reads the import block (`ensure_import`), is
    // deferred (`resolve_fix`).

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
        let lit = ctx.node_at(finding.range.clone(), "composite_literal")?;
        if literal_type(ctx, lit) != Some(("net/http", "Client")) {
            return None;
        }
        let (expr, import) = timeout_expr(ctx);
        let edit = insert_field(
            ctx,
            lit.child_by_field_name("body")?,
            &format!("Timeout: {expr}"),
        )?;
        let mut edits = vec![edit];
        edits.extend(import);
        Some(Fix::new(fix_title(ctx), Applicability::Unsafe, edits))
    }
}

/// The title of the fix on a literal: "Add a timeout (N s)", N from `fix.timeout_seconds`.
fn fix_title(ctx: &Context<'_>) -> String {
    format!("Add a timeout ({} s)", ctx.config.fix.timeout_seconds)
}

fn check_literal(ctx: &Context<'_>, lit: Node<'_>, out: &mut Vec<Finding>) {
    if literal_type(ctx, lit) != Some(("net/http", "Client")) {
        return;
    }
    let Some(body) = lit.child_by_field_name("body") else {
        return;
    };
    if keyed_fields(ctx, body).iter().any(|(k, _)| *k == "Timeout") {
        return;
    }
    let fields = keyed_fields(ctx, body);
    if let Some((_, transport)) = fields.iter().find(|(k, _)| *k == "Transport") {
        if transport_configured_elsewhere(ctx, lit, *transport) {
            return;
        }
        if let Some(tr) = transport_literal(ctx, lit, *transport) {
            if transport_bounds_requests(ctx, tr) || has_own_dial(ctx, tr) {
                return;
            }
        }
    }
    if let Some(var) = assigned_name(ctx, lit) {
        if replaced_by_configured_client(ctx, lit, &var) {
            return;
        }
        let scope = function_scope(ctx, lit);
        if field_assigned(ctx, scope, &var, "Timeout") {
            return;
        }
        if !var.contains('.') && only_requests_with_context(ctx, scope, &var) {
            return;
        }
    }
    let mut finding = Finding::new(
        &META,
        lit.byte_range(),
        "`http.Client` without `Timeout`: a peer that accepts the connection and never answers hangs the request and its goroutine forever",
    );
    // Whether the field can be inserted does not depend on the field's text; the edits (and the
    // `time` import they may need) are computed in `resolve_fix`.
    if insert_field(ctx, body, "Timeout").is_some() {
        finding = finding.with_fix(Fix::deferred(fix_title(ctx), Applicability::Unsafe));
    }
    out.push(finding);
}

/// True when the client's `Transport` comes from somewhere this function cannot see and that
/// usually configures its own deadlines: a parameter or a field (`rt`, `s.peerRt`, injected by
/// the caller), a local built by a constructor whose name says it has timeouts
/// (`transport.NewTimeoutTransport(...)`), or a delegating round tripper literal that wraps
/// another client (`&RoundTripper{Client: c}`).
fn transport_configured_elsewhere(ctx: &Context<'_>, lit: Node<'_>, value: Node<'_>) -> bool {
    let v = named_children(value).into_iter().next().unwrap_or(value);
    match v.kind() {
        "selector_expression" => {
            // A field (`s.peerRt`), not a package-level value (`http.DefaultTransport`).
            pkg_selector(ctx, v).is_none()
        }
        "identifier" => {
            let name = ctx.text(v);
            let Some(func) = enclosing_function(lit) else {
                return false;
            };
            if func
                .child_by_field_name("parameters")
                .is_some_and(|p| declares(ctx, p, name))
            {
                return true;
            }
            // A local first taken from a caller's field (`transport := opts.Transport`, with a
            // package default filled in when it is nil, as minio-go's `New` does) is injected
            // like a field; one built by a constructor named for its timeouts is configured.
            local_assigned_from(ctx, func, name).is_some_and(|rhs| {
                ctx.text(rhs).contains("Timeout")
                    || (rhs.kind() == "selector_expression" && pkg_selector(ctx, rhs).is_none())
            })
        }
        "unary_expression" | "composite_literal" => {
            let lit = if v.kind() == "composite_literal" {
                Some(v)
            } else {
                v.child_by_field_name("operand")
                    .filter(|o| o.kind() == "composite_literal")
            };
            lit.and_then(|l| {
                let body = l.child_by_field_name("body")?;
                Some(
                    literal_type(ctx, l) != Some(("net/http", "Transport"))
                        && keyed_fields(ctx, body)
                            .iter()
                            .any(|(k, _)| *k == "Client" || *k == "HTTPClient"),
                )
            })
            .unwrap_or(false)
        }
        _ => false,
    }
}

/// The `http.Transport{...}` literal a client's `Transport` field holds: written inline
/// (`Transport: &http.Transport{...}`) or a local variable of the enclosing function first
/// assigned one (`tr := &http.Transport{...}`).
fn transport_literal<'t>(ctx: &Context<'_>, client: Node<'t>, value: Node<'t>) -> Option<Node<'t>> {
    let v = named_children(value).into_iter().next().unwrap_or(value);
    let v = match v.kind() {
        "identifier" => local_assigned_from(ctx, enclosing_function(client)?, ctx.text(v))?,
        _ => v,
    };
    let lit = match v.kind() {
        "composite_literal" => v,
        "unary_expression" => v
            .child_by_field_name("operand")
            .filter(|o| o.kind() == "composite_literal")?,
        _ => return None,
    };
    (literal_type(ctx, lit) == Some(("net/http", "Transport"))).then_some(lit)
}

/// True when a transport literal bounds every request without a client `Timeout`: it sets
/// `ResponseHeaderTimeout` and bounds the connect (a `Timeout` in its `Dial`/`DialContext`
/// dialer, e.g. `(&net.Dialer{Timeout: 30 * time.Second}).DialContext`) or the TLS handshake
/// (`TLSHandshakeTimeout`). Issue 14 counts these, the client `Timeout` and per-request deadlines
/// as the timeouts that bound a request (minio-go's `DefaultTransport`). A stalled body is still
/// unbounded, by design for large object streams.
fn transport_bounds_requests(ctx: &Context<'_>, tr: Node<'_>) -> bool {
    let Some(body) = tr.child_by_field_name("body") else {
        return false;
    };
    let fields = keyed_fields(ctx, body);
    let header = fields.iter().any(|(k, _)| *k == "ResponseHeaderTimeout");
    let connect = fields.iter().any(|(k, v)| {
        *k == "TLSHandshakeTimeout"
            || (matches!(*k, "Dial" | "DialContext") && squash(ctx.text(*v)).contains("Timeout:"))
    });
    header && connect
}

/// True when a transport literal connects through its own dial function (`Dial: d.pprofDial`,
/// `DialContext: dialUnix`), not a `net.Dialer` or `net.Dial`: the connection goes wherever that
/// function decides — in real code a Unix socket, a named pipe or an in-process pipe
/// (containerd's `ctr pprof` client of the daemon's debug socket) — so the rule cannot claim a
/// peer that never answers.
fn has_own_dial(ctx: &Context<'_>, tr: Node<'_>) -> bool {
    let Some(body) = tr.child_by_field_name("body") else {
        return false;
    };
    keyed_fields(ctx, body).iter().any(|(k, v)| {
        // The value may be wrapped in a `literal_element`.
        let v = &if v.kind() == "literal_element" {
            v.named_child(0).unwrap_or(*v)
        } else {
            *v
        };
        matches!(*k, "Dial" | "DialContext")
            && matches!(v.kind(), "identifier" | "selector_expression")
            && pkg_selector(ctx, *v).is_none()
            && !squash(ctx.text(*v)).contains("Dialer")
            && !method_of_net_dialer(ctx, tr, *v)
    })
}

/// True for `d.Dial`/`d.DialContext` where `d` is declared in the enclosing function as a
/// `net.Dialer` (a parameter `d *net.Dialer`, `d := &net.Dialer{...}`, `var d net.Dialer`).
fn method_of_net_dialer(ctx: &Context<'_>, at: Node<'_>, v: Node<'_>) -> bool {
    let Some(operand) = v.child_by_field_name("operand") else {
        return false;
    };
    let name = ctx.text(operand);
    let Some(func) = enclosing_function(at) else {
        return false;
    };
    let t = squash(ctx.text(func));
    [
        format!("{name}*net.Dialer"),
        format!("{name}net.Dialer"),
        format!("{name}:=&net.Dialer"),
        format!("{name}:=net.Dialer"),
        format!("var{name}net.Dialer"),
        format!("var{name}=&net.Dialer"),
    ]
    .iter()
    .any(|p| t.contains(p.as_str()))
}

/// True when the statement right after `var := &http.Client{}` replaces the client's value with
/// a configured client (`*client = *r.host.Client`, possibly under `if r.host.Client != nil`):
/// the literal is only the fallback of a client configured elsewhere (containerd's registry
/// resolver). The fallback itself is not followed.
fn replaced_by_configured_client(ctx: &Context<'_>, lit: Node<'_>, var: &str) -> bool {
    let Some(stmt) = super::helpers::statement_of(lit) else {
        return false;
    };
    let Some(next) = super::helpers::next_statement(stmt) else {
        return false;
    };
    let assigns = |n: Node<'_>| {
        n.kind() == "assignment_statement"
            && n.child_by_field_name("left").is_some_and(
                |l| matches!(squash(ctx.text(l)).as_str(), x if x == var || x == format!("*{var}")),
            )
            && n.child_by_field_name("right")
                .is_some_and(|r| !Walk::new(r).any(|c| c.kind() == "composite_literal"))
    };
    match next.kind() {
        "assignment_statement" => assigns(next),
        "if_statement" => next
            .child_by_field_name("consequence")
            .and_then(|b| {
                named_children(b)
                    .into_iter()
                    .find(|c| c.kind() != "comment")
            })
            .map(|first| {
                if first.kind() == "statement_list" {
                    named_children(first)
                        .into_iter()
                        .next()
                        .is_some_and(assigns)
                } else {
                    assigns(first)
                }
            })
            .unwrap_or(false),
        _ => false,
    }
}

/// True when `params` (a `parameter_list`) declares `name`.
fn declares(ctx: &Context<'_>, params: Node<'_>, name: &str) -> bool {
    Walk::new(params).any(|n| {
        n.kind() == "identifier"
            && ctx.text(n) == name
            && n.parent()
                .is_some_and(|p| p.kind() == "parameter_declaration")
    })
}

/// The right-hand side `name` was first given by `name := e` / `name, err := e` in `scope`.
fn local_assigned_from<'t>(ctx: &Context<'_>, scope: Node<'t>, name: &str) -> Option<Node<'t>> {
    Walk::new(scope)
        .filter(|n| n.kind() == "short_var_declaration")
        .find_map(|n| assigned_value(ctx, n, name))
}

/// True when every use of client variable `var` in `scope` is `var.Do(req)` and each such `req`
/// carries a context: created by `http.NewRequestWithContext`, or given one by
/// `req = req.WithContext(ctx)` / `req.Cancel = ctx.Done()` in the same scope. The caller's
/// deadline then bounds the request.
fn only_requests_with_context(ctx: &Context<'_>, scope: Node<'_>, var: &str) -> bool {
    if scope.parent().is_none() {
        // A package-level client: its uses anywhere in the file decide.
        ctx.facts().whole_file();
    }
    let mut uses = 0;
    for n in Walk::new(scope) {
        if n.kind() != "identifier" || ctx.text(n) != var {
            continue;
        }
        let Some(sel) = n.parent().filter(|p| p.kind() == "selector_expression") else {
            // The declaration itself (`cc := ...`) or a plain use (passed on, returned).
            let in_decl = n
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|s| s.kind() == "short_var_declaration" || s.kind() == "var_spec");
            if in_decl {
                continue;
            }
            return false;
        };
        let Some(call) = sel.parent().filter(|c| c.kind() == "call_expression") else {
            return false;
        };
        if sel.child_by_field_name("field").map(|f| ctx.text(f)) != Some("Do") {
            return false;
        }
        let Some(req) = call_args(call).first().copied() else {
            return false;
        };
        if req.kind() != "identifier" || !request_has_context(ctx, scope, ctx.text(req)) {
            return false;
        }
        uses += 1;
    }
    uses > 0
}

fn request_has_context(ctx: &Context<'_>, scope: Node<'_>, req: &str) -> bool {
    let with_ctx = format!("{req}.WithContext(");
    let cancel = format!("{req}.Cancel");
    Walk::new(scope).any(|n| match n.kind() {
        "assignment_statement" | "short_var_declaration" => {
            let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                return false;
            };
            let lt = squash(ctx.text(l));
            let rt = squash(ctx.text(r));
            let lhs_is_req = lt == req || lt.starts_with(&format!("{req},"));
            (lhs_is_req
                && (rt.starts_with(&with_ctx)
                    || named_children(r).first().is_some_and(|c| {
                        is_pkg_call(ctx, *c, "net/http", &["NewRequestWithContext"])
                    })))
                || lt == cancel
        }
        _ => false,
    })
}

fn check_call(ctx: &Context<'_>, call: Node<'_>, out: &mut Vec<Finding>) {
    if let Some(("net/http", m)) = pkg_call(ctx, call) {
        if DEFAULT_CLIENT_HELPERS.contains(&m) {
            out.push(Finding::new(
                &META,
                call.byte_range(),
                format!("`http.{m}` uses `http.DefaultClient`, which has no timeout: a peer that never answers hangs this call forever"),
            ));
        }
        return;
    }
    let Some(f) = call.child_by_field_name("function") else {
        return;
    };
    if f.kind() != "selector_expression" {
        return;
    }
    let (Some(operand), Some(field)) = (
        f.child_by_field_name("operand"),
        f.child_by_field_name("field"),
    ) else {
        return;
    };
    let method = ctx.text(field);
    if HTTP_CLIENT_METHODS.contains(&method)
        && pkg_selector(ctx, operand) == Some(("net/http", "DefaultClient"))
    {
        out.push(Finding::new(
            &META,
            call.byte_range(),
            format!("`http.DefaultClient.{method}` has no timeout: a peer that never answers hangs this call forever"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_literals_without_timeout_and_default_client_helpers() {
        check(
            "http-client-without-timeout",
            r#"
package svc

import (
    "net/http"
    "net/url"
)

var shared = &http.Client{Transport: http.DefaultTransport}
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout

func fetch(u string) error {
    c := http.Client{}
       //^^^^^^^^^^^^^ http-client-without-timeout
    _ = c
    resp, err := http.Get(u)
               //^^^^^^^^^^^ http-client-without-timeout
    if err != nil {
        return err
    }
    defer resp.Body.Close()
    _, _ = http.Post(u, "application/json", nil)
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout
    _, _ = http.Head(u)
         //^^^^^^^^^^^^ http-client-without-timeout
    _, _ = http.PostForm(u, url.Values{})
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout
    req, _ := http.NewRequest("GET", u, nil)
    _, _ = http.DefaultClient.Do(req)
         //^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout
    return nil
}
"#,
        );
    }

    #[test]
    fn import_alias_is_honoured() {
        check(
            "http-client-without-timeout",
            r#"
package svc

import nethttp "net/http"

func get(u string) {
    _, _ = nethttp.Get(u)
         //^^^^^^^^^^^^^^ http-client-without-timeout
    c := &nethttp.Client{
        //^^^^^^^^^^^^^^^ http-client-without-timeout
        CheckRedirect: nil,
    }
    _ = c
}
"#,
        );
    }

    #[test]
    fn silent_when_timeout_is_set_and_on_look_alikes() {
        check(
            "http-client-without-timeout",
            r#"
package svc

import (
    "net/http"
    "time"

    "example.com/internal/http2"
)

type Client struct{ Timeout time.Duration }

var shared = &http.Client{Timeout: 10 * time.Second}

func build(d time.Duration) *http.Client {
    c := &http.Client{Transport: http.DefaultTransport}
    c.Timeout = d
    return c
}

func other(u string) {
    zero := &http.Client{Timeout: 0} // explicit: the author decided
    _ = zero
    mine := Client{}
    _ = mine
    _, _ = http2.Get(u)
    _, _ = shared.Get(u)
    req, _ := http.NewRequest("GET", u, nil)
    _, _ = shared.Do(req)
    _ = http.StatusOK
}
"#,
        );
    }

    #[test]
    fn silent_when_requests_carry_the_callers_context_or_transport_is_injected() {
        check(
            "http-client-without-timeout",
            r#"
package svc

import (
    "context"
    "net"
    "net/http"
    "time"

    "example.com/transport"
)

type wrapper struct{ Client *http.Client }

func (w wrapper) RoundTrip(r *http.Request) (*http.Response, error) { return w.Client.Do(r) }

func renew(ctx context.Context, u string) error {
    cc := &http.Client{Transport: http.DefaultTransport}
    req, err := http.NewRequest("POST", u, nil)
    if err != nil {
        return err
    }
    req = req.WithContext(ctx)
    _, err = cc.Do(req)
    return err
}

func fetch(ctx context.Context, u string) error {
    cc := &http.Client{}
    req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
    _, err := cc.Do(req)
    return err
}

func injected(rt http.RoundTripper, u string) {
    cc := &http.Client{Transport: rt}
    _, _ = cc.Get(u)
}

func (s *server) field(u string) {
    cc := &http.Client{Transport: s.peerRt}
    _, _ = cc.Get(u)
}

func timeoutTransport(u string) {
    tr, _ := transport.NewTimeoutTransport(nil, 1, 1, 1)
    cc := &http.Client{Transport: tr}
    _, _ = cc.Get(u)
}

func wrapping(c *http.Client) *http.Client {
    return &http.Client{Transport: &wrapper{Client: c}}
}

// Reduced from minio-go 7.0.46 api.go and transport.go: the caller's transport, or a default
// with response-header, dial and TLS timeouts.
func newS3(opts *Options) *http.Client {
    transport := opts.Transport
    if transport == nil {
        transport = defaultTransport()
    }
    return &http.Client{Transport: transport}
}

func bounded() *http.Client {
    tr := &http.Transport{
        DialContext: (&net.Dialer{
            Timeout:   30 * time.Second,
            KeepAlive: 30 * time.Second,
        }).DialContext,
        ResponseHeaderTimeout: time.Minute,
        TLSHandshakeTimeout:   10 * time.Second,
    }
    return &http.Client{Transport: tr}
}

// Reduced from containerd 1.6 cmd/ctr/commands/pprof/pprof.go: the daemon's debug socket.
func getPProfClient(socket string) *http.Client {
    dialer := getPProfDialer(socket)
    tr := &http.Transport{
        Dial: dialer.pprofDial,
    }
    client := &http.Client{Transport: tr}
    return client
}

// Reduced from containerd 1.6 remotes/docker/resolver.go: a fallback replaced by the host's
// configured client.
func (r *request) do(ctx context.Context) (*http.Response, error) {
    var client = &http.Client{}
    if r.host.Client != nil {
        *client = *r.host.Client
    }
    return ctxhttp.Do(ctx, client, r.req)
}
"#,
        );
    }

    #[test]
    fn flags_client_used_beyond_requests_with_context() {
        check(
            "http-client-without-timeout",
            r#"
package svc

import (
    "context"
    "log"
    "net"
    "net/http"
    "time"
)

func mixed(ctx context.Context, u string) error {
    cc := &http.Client{Transport: http.DefaultTransport}
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout
    req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
    _, _ = cc.Do(req)
    _, err := cc.Get(u)
    return err
}

func local(u string) {
    tr := &http.Transport{}
    cc := &http.Client{Transport: tr}
         //^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout
    _, _ = cc.Get(u)
}

// Look-alikes of the exemptions: dial and TLS timeouts without a response-header timeout
// (minio-go's STS certificate identity, a true finding), a `net.Dialer` method as the dial
// function, a replacement by another literal, a replacement that is not the next statement.
func stsClient() *http.Client {
    return &http.Client{
          //^^^^^^^^^^^^ http-client-without-timeout
        Transport: &http.Transport{
            DialContext: (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
            TLSHandshakeTimeout: 10 * time.Second,
        },
    }
}

func dialerMethod(d *net.Dialer) *http.Client {
    return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout
}

func replacedByLiteral() *http.Client {
    client := &http.Client{}
             //^^^^^^^^^^^^^ http-client-without-timeout
    client = &http.Client{CheckRedirect: nil}
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ http-client-without-timeout
    return client
}

func replacedLater(h *Host) *http.Client {
    client := &http.Client{}
             //^^^^^^^^^^^^^ http-client-without-timeout
    log.Println("using default client")
    if h.Client != nil {
        *client = *h.Client
    }
    return client
}
"#,
        );
    }

    #[test]
    fn local_package_named_http_is_not_net_http() {
        check(
            "http-client-without-timeout",
            r#"
package svc

import "example.com/lib/http"

func f(u string) {
    _, _ = http.Get(u)
    _ = &http.Client{}
}
"#,
        );
    }

    #[test]
    fn fix_adds_timeout_field_and_time_import() {
        check_fix(
            "http-client-without-timeout",
            "Add a timeout",
            "package svc\n\nimport (\n\t\"net/http\"\n)\n\nvar c = &http.Client{}\n",
            "package svc\n\nimport (\n\t\"net/http\"\n\t\"time\"\n)\n\nvar c = &http.Client{Timeout: 30 * time.Second}\n",
        );
    }

    #[test]
    fn fix_keeps_multi_line_layout_and_existing_time_alias() {
        check_fix(
            "http-client-without-timeout",
            "Add a timeout",
            "package svc\n\nimport (\n\t\"net/http\"\n\tstdtime \"time\"\n)\n\nvar _ = stdtime.Now\n\nfunc New() *http.Client {\n\treturn &http.Client{\n\t\tTransport: http.DefaultTransport,\n\t}\n}\n",
            "package svc\n\nimport (\n\t\"net/http\"\n\tstdtime \"time\"\n)\n\nvar _ = stdtime.Now\n\nfunc New() *http.Client {\n\treturn &http.Client{\n\t\tTransport: http.DefaultTransport,\n\t\tTimeout: 30 * stdtime.Second,\n\t}\n}\n",
        );
    }

    #[test]
    fn fix_on_single_import_line() {
        check_fix(
            "http-client-without-timeout",
            "Add a timeout",
            "package svc\n\nimport \"net/http\"\n\nvar c = http.Client{Transport: http.DefaultTransport}\n",
            "package svc\n\nimport \"net/http\"\nimport \"time\"\n\nvar c = http.Client{Transport: http.DefaultTransport, Timeout: 30 * time.Second}\n",
        );
    }
}
