//! `discarded-network-error-go` (category `observability`): the error of a network call assigned
//! to `_`.

use tree_sitter::Node;

use super::helpers::{
    arg, arg_count, callee, enclosing_function, has_word, imports_any, pkg_call, unparen,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::go::{BROKER_IMPORTS, BROKER_SEND_METHODS, HTTP_CLIENT_NAME_WORDS};

/// The rule.
pub struct DiscardedNetworkError;

/// Registered instance.
pub static RULE: DiscardedNetworkError = DiscardedNetworkError;

static META: RuleMeta = RuleMeta {
    id: "discarded-network-error-go",
    language: Language::Go,
    category: "observability",
    severity: Severity::Nit,
    title: "Network call error discarded",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds network calls whose error result is assigned to the blank identifier: \
`_ = producer.WriteMessages(ctx, msg)`, `resp, _ := client.Do(req)`, `_ = nc.Publish(...)`, \
`conn, _ := net.Dial(...)`. Recognised calls: `net/http` `Get`/`Post`/`PostForm`/`Head`, \
`net.Dial*`, `grpc.Dial*`; `Do`/`Get`/`Post`/`PostForm`/`Head` on a receiver named like an HTTP \
client (`client`, `http`, `cli`); broker sends (`WriteMessages`, `SendMessage(s)`, `Publish*`, \
`Produce`) in files that import a broker client (kafka-go, sarama, nats, amqp, go-redis, ...).",
        why: "A failure that leaves no trace cannot be diagnosed:\n\n\
1. The broker rejects a batch (message too large, leader election, expired credentials).\n\
2. `_ = w.WriteMessages(...)` drops the error; no log line, metric or span records it.\n\
3. Downstream teams report missing events days later; the producer's logs show nothing, and \
the incident is spent proving that the events were never sent.\n\n\
With `resp, _ := client.Do(req)` it is worse: on error `resp` is nil and the next line \
dereferences it, so the real cause (a DNS failure, a timeout) is replaced by a nil-pointer panic.",
        known_problems: "- Receivers are recognised by name; an HTTP client called `c` is missed.\n\
- A discard that is deliberate (best-effort telemetry) is reported; suppress with a reason.\n\
- A receiver that is a parameter of a local (unqualified) type is not assumed to be a network \
client, so a discard through a wrapper interface is missed.\n\
- Calls whose results are ignored without `_` (a bare `nc.Publish(...)` statement) are not \
reported: in many code bases that is a deliberate fire-and-forget.",
        example: "_ = w.WriteMessages(ctx, kafka.Message{Value: payload})\n\nresp, _ := client.Do(req)\ndefer resp.Body.Close()",
        use_instead: "if err := w.WriteMessages(ctx, kafka.Message{Value: payload}); err != nil {\n\
\tlog.Printf(\"publish order %s: %v\", id, err)\n\treturn err\n}\n\n\
resp, err := client.Do(req)\nif err != nil {\n\treturn fmt.Errorf(\"call inventory: %w\", err)\n}\ndefer resp.Body.Close()",
        fix: "",
    },
};

/// A short description of the network call, when `call` is one.
fn network_call(ctx: &Context<'_>, call: Node<'_>, brokers: bool) -> Option<String> {
    if let Some((path, member)) = pkg_call(ctx, call) {
        return match (path, member) {
            ("net/http", "Get" | "Post" | "PostForm" | "Head") => Some(format!("http.{member}")),
            ("net", "Dial" | "DialTimeout" | "DialTCP" | "DialUDP") => {
                Some(format!("net.{member}"))
            }
            ("google.golang.org/grpc", "Dial" | "DialContext" | "NewClient") => {
                Some(format!("grpc.{member}"))
            }
            _ => None,
        };
    }
    let (Some(recv), name) = callee(ctx.source, call)? else {
        return None;
    };
    let recv_text = ctx.text(recv);
    if !receiver_may_be_http(ctx, call, recv) {
        return None;
    }
    match name {
        "Do" if arg_count(call) == 1 => {
            let a = arg(call, 0).map(|a| ctx.text(a)).unwrap_or("");
            (has_word(recv_text, HTTP_CLIENT_NAME_WORDS) || has_word(a, &["req", "request"]))
                .then(|| format!("{recv_text}.Do"))
        }
        "Get" | "Post" | "PostForm" | "Head" if has_word(recv_text, HTTP_CLIENT_NAME_WORDS) => {
            Some(format!("{recv_text}.{name}"))
        }
        _ if brokers && BROKER_SEND_METHODS.contains(&name) => Some(format!("{recv_text}.{name}")),
        _ => None,
    }
}

/// False when the receiver is a parameter of the enclosing function whose declared type is not
/// an HTTP client or a broker type (a user-defined `client C` with its own `Get`).
fn receiver_may_be_http(ctx: &Context<'_>, call: Node<'_>, recv: Node<'_>) -> bool {
    if recv.kind() != "identifier" {
        return true;
    }
    let name = ctx.text(recv);
    let Some(func) = enclosing_function(call) else {
        return true;
    };
    let Some(params) = func.child_by_field_name("parameters") else {
        return true;
    };
    for p in Walk::new(params) {
        if p.kind() != "parameter_declaration" {
            continue;
        }
        let named = Walk::new(p).any(|i| i.kind() == "identifier" && ctx.text(i) == name);
        if !named {
            continue;
        }
        let ty = p
            .child_by_field_name("type")
            .map(|t| ctx.text(t))
            .unwrap_or("");
        // Qualified types from a package (`*http.Client`, `*kafka.Writer`, `sarama.SyncProducer`)
        // may be network clients; local types and type parameters are not assumed to be.
        let base = ty.split('[').next().unwrap_or(ty);
        return base.contains('.');
    }
    true
}

impl Rule for DiscardedNetworkError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs an error assigned to `_`.
        &[&["_"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        // A finding needs `_` as the last operand on the left of `=`/`:=` (`v, _ := f()`):
        // exact on a unit without syntax errors (`crate::textscan`); `for _, x := range` and
        // identifiers containing `_` do not count.
        if !node.has_error() && !crate::textscan::word_followed_by(ctx.text(node), "_", b"=:") {
            return;
        }
        let brokers = imports_any(ctx, BROKER_IMPORTS);
        for stmt in Walk::new(node) {
            if !matches!(
                stmt.kind(),
                "assignment_statement" | "short_var_declaration"
            ) {
                continue;
            }
            let (Some(left), Some(right)) = (
                stmt.child_by_field_name("left"),
                stmt.child_by_field_name("right"),
            ) else {
                continue;
            };
            if right.named_child_count() != 1 {
                continue;
            }
            let Some(call) = right.named_child(0).map(unparen) else {
                continue;
            };
            if call.kind() != "call_expression" {
                continue;
            }
            let n = left.named_child_count();
            let Some(last) = n.checked_sub(1).and_then(|i| left.named_child(i)) else {
                continue;
            };
            if ctx.text(last) != "_" {
                continue;
            }
            let Some(what) = network_call(ctx, call, brokers) else {
                continue;
            };
            out.push(Finding::new(
                &META,
                call.byte_range(),
                format!("the error of `{what}` is discarded: a failed network call leaves no log, metric or returned error to diagnose it"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_discarded_network_errors() {
        check(
            "discarded-network-error-go",
            r#"
package orders

import (
    "net"
    "net/http"

    "github.com/segmentio/kafka-go"
)

func send(ctx context.Context, w *kafka.Writer, client *http.Client, req *http.Request) {
    _ = w.WriteMessages(ctx, kafka.Message{Value: []byte("x")})
      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ discarded-network-error-go
    resp, _ := client.Do(req)
             //^^^^^^^^^^^^^^ discarded-network-error-go
    defer resp.Body.Close()
    r2, _ := http.Get("http://inventory/items")
           //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ discarded-network-error-go
    conn, _ := net.Dial("tcp", "cache:6379")
             //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ discarded-network-error-go
    _, _ = r2, conn
}
"#,
        );
    }

    #[test]
    fn silent_when_handled_or_not_network() {
        check(
            "discarded-network-error-go",
            r#"
package orders

import (
    "encoding/json"
    "net/http"
)

func send(ctx context.Context, client *http.Client, req *http.Request, m map[string]int) error {
    resp, err := client.Do(req)
    if err != nil {
        return err
    }
    _ = resp.Body.Close()
    v, _ := m["k"]
    n, _ := cache.Get("k")
    _ = json.Unmarshal(nil, &v)
    _ = nc.Publish("subject", nil)
    _ = bus.Publish("local-event")
    _ = m
    return nil
}

type Getter interface {
    Get(url string) (*http.Response, error)
}

func generic(client C[http.Response]) {
    resp, _ := client.Get("http://foo")
    _ = resp
}

func userDefined(client Getter) {
    resp, _ := client.Get("http://foo")
    _ = resp
    _, _ = v, n
    return nil
}
"#,
        );
    }
}
