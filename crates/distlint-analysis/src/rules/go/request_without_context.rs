//! `request-without-context` (category `timeouts-deadlines`): `http.NewRequest` in a function
//! that has a context to give the request.

use tree_sitter::Node;

use super::helpers::{assigned_name, context_at, inside_go_statement, is_pkg_call, scope_or_file};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{named_children, squash, Walk};

/// The rule.
pub struct RequestWithoutContext;

/// Registered instance.
pub static RULE: RequestWithoutContext = RequestWithoutContext;

static META: RuleMeta = RuleMeta {
    id: "request-without-context",
    language: Language::Go,
    category: "timeouts-deadlines",
    severity: Severity::Minor,
    title: "HTTP request without the caller's context",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `http.NewRequest(...)` in a function that received a `context.Context` or an \
`*http.Request` (so a context is at hand), when the request is not given one afterwards \
(`req = req.WithContext(ctx)`, `req.Clone(ctx)`, `req.Cancel = ...`, or a call handed both the \
request and the context, such as a client wrapper's `c.Do(ctx, req)`). The noctx linter reports every \
`http.NewRequest`; this rule only reports the ones that had a context to pass.",
        why: "A request made with `http.NewRequest` carries `context.Background()`:\n\n\
1. A handler with a 3 s deadline calls a downstream service with `http.NewRequest` + \
`client.Do`.\n\
2. The downstream service stalls. The handler's caller times out and cancels; the handler's \
`ctx` is done.\n\
3. The outgoing request does not know: it waits for the client's own timeout (or forever, with \
`http.DefaultClient`), holding a connection and a goroutine.\n\
4. Under load, these orphaned requests pile up faster than they finish and exhaust the \
connection pool to the slow service — and with it every other request that needs that service.",
        known_problems: "- Requests built in one function and sent with a context in another \
(`client.Do(req.WithContext(ctx))` elsewhere) are reported; suppress with a reason.\n\
- A call in the same function that is handed both the request and the caller's context \
(`c.Do(ctx, req)`, a client wrapper that applies the context with `req.WithContext(ctx)`) counts \
as giving the request its context, without reading that wrapper: one that ignores its context \
is missed.\n\
- Not reported inside a `go func() {...}()` started from the function (often deliberately \
detached work).",
        example: "func fetch(ctx context.Context, u string) (*http.Response, error) {\n\treq, err := http.NewRequest(http.MethodGet, u, nil)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn client.Do(req)\n}",
        use_instead: "func fetch(ctx context.Context, u string) (*http.Response, error) {\n\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn client.Do(req)\n}",
        fix: "**Pass the caller's context** (safe: the request is now also cancelled when the \
caller is): `http.NewRequest(args)` → `http.NewRequestWithContext(ctx, args)`, with the \
function's `context.Context` parameter or `r.Context()`.",
    },
};

impl Rule for RequestWithoutContext {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs `http.NewRequest`.
        &[&["NewRequest"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for call in Walk::new(node) {
            if !is_pkg_call(ctx, call, "net/http", &["NewRequest"]) {
                continue;
            }
            let fc = context_at(ctx, call);
            let Some(expr) = fc.context_expr() else {
                continue;
            };
            if inside_go_statement(call) {
                continue;
            }
            if let Some(var) = assigned_name(ctx, call) {
                if gets_context_later(ctx, scope_or_file(ctx, call), &var, &expr) {
                    continue;
                }
            }
            let mut finding = Finding::new(
                &META,
                call.byte_range(),
                format!("`http.NewRequest` ignores the caller's context (`{expr}`): the request outlives a cancelled or timed-out caller"),
            );
            if let (Some(f), Some(args)) = (
                call.child_by_field_name("function"),
                call.child_by_field_name("arguments"),
            ) {
                if let Some(field) = f.child_by_field_name("field") {
                    let open = args.start_byte() + 1;
                    finding = finding.with_fix(Fix::new(
                        format!("Pass the caller's context (`NewRequestWithContext({expr}, ...)`)"),
                        Applicability::Safe,
                        vec![
                            TextEdit::replace(field.byte_range(), "NewRequestWithContext"),
                            TextEdit::insert(open, format!("{expr}, ")),
                        ],
                    ));
                }
            }
            out.push(finding);
        }
    }
}

/// `req = req.WithContext(...)`, `req2 := req.WithContext(...)`, `client.Do(req.WithContext(...))`,
/// `req.Clone(...)`, `req.Cancel = ...`, or a call in `scope` that is handed both the request and
/// the caller's context `expr` (`c.Do(ctx, req)`: a client wrapper whose signature takes the
/// context for the request, as Prometheus' `api.Client.Do(ctx, req)` does, and applies it with
/// `req.WithContext(ctx)`).
fn gets_context_later(ctx: &Context<'_>, scope: Node<'_>, var: &str, expr: &str) -> bool {
    let with = format!("{var}.WithContext(");
    let clone = format!("{var}.Clone(");
    let cancel = format!("{var}.Cancel");
    let expr = squash(expr);
    Walk::new(scope).any(|n| match n.kind() {
        "call_expression" => {
            let t = squash(ctx.text(n));
            if t.starts_with(&with) || t.starts_with(&clone) {
                return true;
            }
            let args: Vec<String> = n
                .child_by_field_name("arguments")
                .map(|a| {
                    named_children(a)
                        .into_iter()
                        .map(|x| squash(ctx.text(x)))
                        .collect()
                })
                .unwrap_or_default();
            args.iter().any(|a| *a == var) && args.iter().any(|a| *a == expr)
        }
        "assignment_statement" => n
            .child_by_field_name("left")
            .is_some_and(|l| squash(ctx.text(l)) == cancel),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_new_request_where_a_context_is_at_hand() {
        check(
            "request-without-context",
            r#"
package client

import (
    "context"
    nethttp "net/http"
)

func fetch(ctx context.Context, u string) (*nethttp.Response, error) {
    req, err := nethttp.NewRequest("GET", u, nil)
              //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ request-without-context
    if err != nil {
        return nil, err
    }
    return nethttp.DefaultClient.Do(req)
}

func wrapperWithoutCtx(ctx context.Context, c *apiClient, u string) {
    req, _ := nethttp.NewRequest("GET", u, nil)
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ request-without-context
    _, _, _ = c.Do(context.Background(), req)
}

func proxy(w nethttp.ResponseWriter, r *nethttp.Request) {
    out, _ := nethttp.NewRequest(r.Method, "http://backend", r.Body)
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ request-without-context
    _ = out
}
"#,
        );
    }

    #[test]
    fn silent_with_context_given_later_or_none_at_hand() {
        check(
            "request-without-context",
            r#"
package client

import (
    "context"
    "net/http"
)

func noCtx(u string) {
    req, _ := http.NewRequest("GET", u, nil)
    _ = req
}

func withCtx(ctx context.Context, u string) {
    req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
    _ = req
}

func later(ctx context.Context, u string) {
    req, _ := http.NewRequest("GET", u, nil)
    req = req.WithContext(ctx)
    _ = req
}

func cancel(ctx context.Context, u string) {
    req, _ := http.NewRequest("GET", u, nil)
    req.Cancel = ctx.Done()
}

func inline(ctx context.Context, c *http.Client, u string) {
    req, _ := http.NewRequest("GET", u, nil)
    _, _ = c.Do(req.WithContext(ctx))
}

func cloned(ctx context.Context, c *http.Client, u string) {
    req, _ := http.NewRequest("GET", u, nil)
    _, _ = c.Do(req.Clone(ctx))
}

// A client wrapper that takes the context beside the request and applies it
// (`req.WithContext(ctx)` inside `Do`), as Prometheus' `api.Client` does.
func (h *statusAPI) Get(ctx context.Context) error {
    req, err := http.NewRequest(http.MethodGet, h.url, nil)
    if err != nil {
        return err
    }
    _, _, err = h.client.Do(ctx, req)
    return err
}

func background(ctx context.Context, u string) {
    go func() {
        req, _ := http.NewRequest("GET", u, nil)
        _ = req
    }()
}
"#,
        );
    }

    #[test]
    fn fix_switches_to_new_request_with_context() {
        check_fix(
            "request-without-context",
            "Pass the caller's context",
            "package client\n\nimport (\n\t\"context\"\n\t\"net/http\"\n)\n\nfunc fetch(ctx context.Context, u string) (*http.Request, error) {\n\treturn http.NewRequest(http.MethodGet, u, nil)\n}\n",
            "package client\n\nimport (\n\t\"context\"\n\t\"net/http\"\n)\n\nfunc fetch(ctx context.Context, u string) (*http.Request, error) {\n\treturn http.NewRequestWithContext(ctx, http.MethodGet, u, nil)\n}\n",
        );
    }

    #[test]
    fn fix_uses_r_context_in_handlers() {
        check_fix(
            "request-without-context",
            "Pass the caller's context",
            "package client\n\nimport \"net/http\"\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n\treq, _ := http.NewRequest(\"GET\", \"http://b\", nil)\n\t_ = req\n}\n",
            "package client\n\nimport \"net/http\"\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n\treq, _ := http.NewRequestWithContext(r.Context(), \"GET\", \"http://b\", nil)\n\t_ = req\n}\n",
        );
    }
}
