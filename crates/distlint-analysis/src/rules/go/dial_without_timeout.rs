//! `dial-without-timeout` (category `timeouts-deadlines`): `net.Dial` / `tls.Dial`, which wait
//! for the operating system's connect timeout.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::rules::go::common::{call_args, ensure_import, merge_inserts, pkg_call};
use crate::syntax::Walk;

/// The rule.
pub struct DialWithoutTimeout;

/// Registered instance.
pub static RULE: DialWithoutTimeout = DialWithoutTimeout;

static META: RuleMeta = RuleMeta {
    id: "dial-without-timeout",
    language: Language::Go,
    category: "timeouts-deadlines",
    severity: Severity::Minor,
    title: "Dial without a timeout",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `net.Dial(network, address)` and `tls.Dial(network, address, config)`, which \
have no timeout of their own (the import is resolved, so aliases count and look-alike packages \
do not).",
        why: "Without a timeout, connecting waits as long as the kernel keeps retrying SYNs — \
about two minutes on Linux with default settings:\n\n\
1. A peer's host dies or a firewall starts dropping packets (a black hole: no RST, no ICMP).\n\
2. Every `net.Dial` to it blocks for ~127 s instead of failing in a second or two.\n\
3. The goroutines making those calls — often while a request waits, or a lock is held — pile up; \
failover logic that would try the next replica never runs, because the first attempt has not \
failed yet.\n\
4. Callers time out first and retry, adding more stuck dials; the service is effectively down \
for two minutes per dead peer.",
        known_problems: "- Dials of Unix-domain sockets (`\"unix\"`, `\"unixgram\"`, \
`\"unixpacket\"` written literally) are not reported: a local socket cannot be black-holed. \
A network chosen at run time (`net.Dial(u.Scheme, u.Host)`) is reported.\n\
- `net.Dialer{}` without `Timeout` is not reported: it is usually used \
with `DialContext(ctx, ...)`, where the context bounds the dial.\n\
- A dial that is bounded by a surrounding mechanism (a watchdog closing the socket) is \
reported; suppress with that reason.",
        example: "conn, err := net.Dial(\"tcp\", addr)",
        use_instead: "conn, err := net.DialTimeout(\"tcp\", addr, 5*time.Second)\n// or, with the caller's context:\nvar d net.Dialer\nconn, err := d.DialContext(ctx, \"tcp\", addr)",
        fix: "**Add a timeout** (safe: only a connect that would otherwise wait for the kernel's \
limit now fails after N seconds): `net.Dial(n, a)` → `net.DialTimeout(n, a, N * time.Second)`; \
`tls.Dial(n, a, c)` → `tls.DialWithDialer(&net.Dialer{Timeout: N * time.Second}, n, a, c)`. N is \
`fix.timeout_seconds` (default 30); `time` and `net` imports are added when missing.",
    },
};

impl Rule for DialWithoutTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `Dial` call.
        &[&["Dial"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for call in Walk::new(node) {
            let Some((path, "Dial")) = pkg_call(ctx, call) else {
                continue;
            };
            let arity = match path {
                "net" => 2,
                "crypto/tls" => 3,
                _ => continue,
            };
            let args = call_args(call);
            // Unix-domain sockets are local: there is no network to black-hole the connect.
            if args
                .first()
                .is_some_and(|a| ctx.text(*a).trim_matches('"').starts_with("unix"))
            {
                continue;
            }
            let what = if path == "net" {
                "net.Dial"
            } else {
                "tls.Dial"
            };
            let mut finding = Finding::new(
                &META,
                call.byte_range(),
                format!("`{what}` has no timeout: a black-holed peer blocks this call for the kernel's connect timeout (about two minutes)"),
            );
            // The fix reads the import block (`ensure_import`), outside the unit: it is
            // deferred (`resolve_fix`), so the check reads nothing outside the unit and is
            // re-run only on edited units (`FileReads::Nothing`).
            if fixable(ctx, call, arity) {
                finding = finding.with_fix(Fix::deferred(fix_title(ctx), Applicability::Safe));
            }
            out.push(finding);
        }
    }

    fn resolve_fix(&self, ctx: &Context<'_>, finding: &Finding, _fix: &Fix) -> Option<Fix> {
        let call = ctx.node_at(finding.range.clone(), "call_expression")?;
        let (path, arity) = match pkg_call(ctx, call)? {
            (path @ "net", "Dial") => (path, 2),
            (path @ "crypto/tls", "Dial") => (path, 3),
            _ => return None,
        };
        if !fixable(ctx, call, arity) {
            return None;
        }
        fix(ctx, call, path, &call_args(call))
    }
}

/// Whether `call` (a `net.Dial` / `tls.Dial` taking `arity` arguments) can be rewritten: exactly
/// `arity` arguments, none spread with `...`.
fn fixable(ctx: &Context<'_>, call: Node<'_>, arity: usize) -> bool {
    let spread = call
        .child_by_field_name("arguments")
        .is_some_and(|a| ctx.text(a).contains("..."));
    call_args(call).len() == arity && !spread
}

/// The fix's title: "Add a timeout (N s)", N from `fix.timeout_seconds`.
fn fix_title(ctx: &Context<'_>) -> String {
    format!("Add a timeout ({} s)", ctx.config.fix.timeout_seconds)
}

fn fix(ctx: &Context<'_>, call: Node<'_>, path: &str, args: &[Node<'_>]) -> Option<Fix> {
    let f = call.child_by_field_name("function")?;
    let pkg = ctx.text(f.child_by_field_name("operand")?);
    let n = ctx.config.fix.timeout_seconds;
    // Imports in alphabetical order, so same-offset insertions come out sorted.
    let mut imports: Vec<TextEdit> = Vec::new();
    let net = if path == "net" {
        String::new()
    } else {
        let (net, net_edit) = ensure_import(ctx, "net");
        imports.extend(net_edit);
        net
    };
    let (time, time_edit) = ensure_import(ctx, "time");
    imports.extend(time_edit);
    let a: Vec<&str> = args.iter().map(|x| ctx.text(*x)).collect();
    let replacement = if path == "net" {
        format!("{pkg}.DialTimeout({}, {}, {n} * {time}.Second)", a[0], a[1])
    } else {
        format!(
            "{pkg}.DialWithDialer(&{net}.Dialer{{Timeout: {n} * {time}.Second}}, {}, {}, {})",
            a[0], a[1], a[2]
        )
    };
    let mut edits = merge_inserts(imports);
    edits.push(TextEdit::replace(call.byte_range(), replacement));
    Some(Fix::new(fix_title(ctx), Applicability::Safe, edits))
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_net_and_tls_dial() {
        check(
            "dial-without-timeout",
            r#"
package peer

import (
    "crypto/tls"
    stdnet "net"
)

func connect(addr string) {
    c, _ := stdnet.Dial("tcp", addr)
          //^^^^^^^^^^^^^^^^^^^^^^^^ dial-without-timeout
    _ = c
    t, _ := tls.Dial("tcp", addr, &tls.Config{})
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ dial-without-timeout
    _ = t
}
"#,
        );
    }

    #[test]
    fn silent_with_timeouts_dialers_and_look_alikes() {
        check(
            "dial-without-timeout",
            r#"
package peer

import (
    "context"
    "net"
    "time"

    "google.golang.org/grpc"
)

func connect(ctx context.Context, addr string) {
    a, _ := net.DialTimeout("tcp", addr, time.Second)
    j, _ := net.Dial("unixgram", "/run/systemd/journal/socket")
    _ = j
    var d net.Dialer
    b, _ := d.DialContext(ctx, "tcp", addr)
    c, _ := grpc.Dial(addr)
    _, _, _ = a, b, c
}
"#,
        );
    }

    #[test]
    fn fix_uses_dial_timeout() {
        check_fix(
            "dial-without-timeout",
            "Add a timeout",
            "package peer\n\nimport (\n\t\"net\"\n)\n\nfunc connect(addr string) (net.Conn, error) {\n\treturn net.Dial(\"tcp\", addr)\n}\n",
            "package peer\n\nimport (\n\t\"net\"\n\t\"time\"\n)\n\nfunc connect(addr string) (net.Conn, error) {\n\treturn net.DialTimeout(\"tcp\", addr, 30 * time.Second)\n}\n",
        );
    }

    #[test]
    fn fix_uses_dial_with_dialer_for_tls() {
        check_fix(
            "dial-without-timeout",
            "Add a timeout",
            "package peer\n\nimport (\n\t\"crypto/tls\"\n)\n\nfunc connect(addr string) (*tls.Conn, error) {\n\treturn tls.Dial(\"tcp\", addr, nil)\n}\n",
            "package peer\n\nimport (\n\t\"crypto/tls\"\n\t\"net\"\n\t\"time\"\n)\n\nfunc connect(addr string) (*tls.Conn, error) {\n\treturn tls.DialWithDialer(&net.Dialer{Timeout: 30 * time.Second}, \"tcp\", addr, nil)\n}\n",
        );
    }
}
