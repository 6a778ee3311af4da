//! `dial-without-timeout` (category `timeouts-deadlines`): `net.Dial` / `tls.Dial`, which wait
//! for the operating system's connect timeout.

use tree_sitter::Node;

use super::helpers::{call_args, ensure_import, keyed_fields, merge_inserts, pkg_call};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{named_children, squash, Walk};

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
Nor are dials whose network is a field of the method's receiver (`net.Dial(d.proto, d.addr)`) \
when every literal of the receiver's type and every assignment of that field in the same file \
say `\"unix\"`, or whose network is taken from a `net.Addr` (`net.Dial(addr.Network(), \
addr.String())`, as plugin hosts dial the Unix socket or loopback port a child process \
announced): there the rule cannot tell a local socket from a TCP peer. Any other network \
chosen at run time (`net.Dial(u.Scheme, u.Host)`) is reported.\n\
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
            if args.first().is_some_and(|a| local_network(ctx, call, *a)) {
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

/// True when the network argument of a dial is known, or likely, to be local rather than a
/// network peer:
/// - `addr.Network()`: the network of a `net.Addr`, as plugin hosts dial the address a child
///   process they started announced (hashicorp/go-plugin's `newRPCClient`, `reattach`;
///   DataDog's statsd Unix-socket writer). The rule cannot tell a Unix socket from TCP there, so
///   it does not claim a black hole;
/// - `d.proto` in a method of type `T`, where every `T` literal in the file that sets the field
///   (keyed `proto: "unix"`, or positionally with a `"unix…"` string) and every assignment
///   `x.proto = ...` in the file set it to a Unix network (containerd's `pprofDialer`, built by
///   `getPProfDialer` as `&pprofDialer{"unix", addr}`). Reads the whole file, declared with
///   `whole_file()`.
fn local_network(ctx: &Context<'_>, call: Node<'_>, arg: Node<'_>) -> bool {
    let arg = super::helpers::unparen(arg);
    if arg.kind() == "call_expression" {
        return squash(ctx.text(arg)).ends_with(".Network()") && call_args(arg).is_empty();
    }
    if arg.kind() != "selector_expression" {
        return false;
    }
    let (Some(operand), Some(field)) = (
        arg.child_by_field_name("operand"),
        arg.child_by_field_name("field"),
    ) else {
        return false;
    };
    let field = ctx.text(field);
    // The receiver of the enclosing method, and its type name without `*`.
    let Some(method) = crate::syntax::ancestors(call).find(|a| a.kind() == "method_declaration")
    else {
        return false;
    };
    let Some(recv) = method
        .child_by_field_name("receiver")
        .and_then(|r| named_children(r).into_iter().next())
    else {
        return false;
    };
    let recv_name = recv.child_by_field_name("name").map(|n| ctx.text(n));
    if recv_name != Some(ctx.text(operand)) {
        return false;
    }
    let Some(ty) = recv.child_by_field_name("type") else {
        return false;
    };
    let ty = squash(ctx.text(ty));
    let ty = ty.trim_start_matches('*');
    ctx.facts().whole_file();
    let is_unix = |n: Node<'_>| {
        n.kind() == "interpreted_string_literal"
            && ctx.text(n).trim_matches('"').starts_with("unix")
    };
    let mut unix = 0;
    for n in Walk::new(ctx.root) {
        match n.kind() {
            "composite_literal" => {
                let lit_ty = n
                    .child_by_field_name("type")
                    .map(|t| squash(ctx.text(t)))
                    .unwrap_or_default();
                if lit_ty != ty {
                    continue;
                }
                let Some(body) = n.child_by_field_name("body") else {
                    continue;
                };
                let elems = named_children(body);
                let keyed = elems.iter().any(|e| e.kind() == "keyed_element");
                let value = if keyed {
                    keyed_fields(ctx, body)
                        .into_iter()
                        .find(|(k, _)| *k == field)
                        .map(|(_, v)| v)
                } else {
                    elems
                        .iter()
                        .map(|e| {
                            if e.kind() == "literal_element" {
                                e.named_child(0).unwrap_or(*e)
                            } else {
                                *e
                            }
                        })
                        .find(|e| is_unix(*e))
                        .or_else(|| elems.first().copied())
                };
                let Some(v) = value else { continue };
                let v = if v.kind() == "literal_element" {
                    v.named_child(0).unwrap_or(v)
                } else {
                    v
                };
                if !is_unix(v) {
                    return false;
                }
                unix += 1;
            }
            "assignment_statement" => {
                let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) else {
                    continue;
                };
                if !squash(ctx.text(l)).ends_with(&format!(".{field}")) {
                    continue;
                }
                if !named_children(r).into_iter().all(is_unix) {
                    return false;
                }
                unix += 1;
            }
            _ => {}
        }
    }
    unix > 0
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

// Look-alikes: a receiver field that some literal sets to TCP, a field of another value.
type dialer struct {
    proto string
    addr  string
}

func (d *dialer) dial() (stdnet.Conn, error) {
    return stdnet.Dial(d.proto, d.addr)
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^ dial-without-timeout
}

func local(addr string) *dialer  { return &dialer{"unix", addr} }
func remote(addr string) *dialer { return &dialer{proto: "tcp", addr: addr} }

func (d *dialer) other(o *dialer) (stdnet.Conn, error) {
    return stdnet.Dial(o.proto, o.addr)
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^ dial-without-timeout
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

// Reduced from containerd 1.6 cmd/ctr/commands/pprof/pprof_unix.go.
type pprofDialer struct {
    proto string
    addr  string
}

func (d *pprofDialer) pprofDial(proto, addr string) (net.Conn, error) {
    return net.Dial(d.proto, d.addr)
}

func getPProfDialer(addr string) *pprofDialer {
    return &pprofDialer{"unix", addr}
}

// Reduced from hashicorp/go-plugin 1.0.1 rpc_client.go: the address a local plugin process
// announced.
func newRPCClient(c *Client) (net.Conn, error) {
    return net.Dial(c.address.Network(), c.address.String())
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
