//! `retry-idempotency-go` (category `retry-idempotency`): non-idempotent HTTP requests retried
//! without an idempotency key (or with a fresh key on every attempt).

use tree_sitter::Node;

use super::helpers::{
    assigned_name, call_args, ensure_import, line_indent, line_start, loop_level, merge_inserts,
    method_name, method_receiver, pkg_call, retry_loop,
};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{ancestors, named_children, squash, Walk};
use crate::vocabulary::go::{MUTATING_HTTP_METHODS, RESTY_IMPORTS};

/// The rule.
pub struct RetryIdempotency;

/// Registered instance.
pub static RULE: RetryIdempotency = RetryIdempotency;

static META: RuleMeta = RuleMeta {
    id: "retry-idempotency-go",
    language: Language::Go,
    category: "retry-idempotency",
    severity: Severity::Blocker,
    title: "Non-idempotent request retried without an idempotency key",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds POST, PUT and PATCH requests that are retried without an idempotency key: \
built with `http.NewRequest`/`NewRequestWithContext` or sent with `http.Post`/`PostForm` or a \
client's `Post(url, contentType, body)` inside a retry loop (a `for` loop that goes around again \
on `err != nil` or leaves on `err == nil`), and requests built with go-retryablehttp's \
`retryablehttp.NewRequest` (whose client retries them), and resty requests \
(`client.R()...Post(url)`, `Put`, `Patch`) sent through a client configured with \
`SetRetryCount(n)` (n not 0) in the same file. Silent when an `Idempotency-Key` header \
(any header whose name contains \"idempotency\") is set in the function. Also finds a key \
generated inside the retry loop, which gives every attempt a new key.",
        why: "A retry cannot tell \"the request never arrived\" from \"the response never came \
back\":\n\n\
1. The client POSTs `/payments` with a 2 s timeout. The payment service charges the card, \
commits, and starts writing the response.\n\
2. A GC pause or a congested link delays the response past 2 s; the client sees a timeout error.\n\
3. The retry loop sends the same POST again. The server has no way to know it is the same \
payment, so it charges the card a second time.\n\
4. The customer is billed twice; support finds out from the chargeback.\n\n\
With an idempotency key created once per logical operation and sent on every attempt, the \
server recognises the repeat and returns the first result. A key generated inside the loop is \
different on every attempt and protects nothing.",
        known_problems: "- Endpoints that are idempotent by design (a PUT that writes a full \
resource at a client-chosen id, a POST carrying its own unique request id in the body) are \
reported; suppress with that reason.\n\
- A client's `Post(url, contentType, body)` is recognised by its shape (three arguments, a \
MIME-type string literal second); other retrying clients (custom wrappers) are not \
followed.\n\
- A resty client counts as retrying when the file calls `SetRetryCount(n)` (n not a literal 0) \
on a client of the same name (the variable or field, compared by its last name: `c.http` and \
`s.http` match), or — when the configured client's name cannot be seen (`return \
resty.New().SetRetryCount(3)`) — every `.R()` request in the file counts. Retries configured \
in another file are not seen, and a resty `AddRetryCondition` that excludes POST is not read.\n\
- Retry loops are recognised by their shape (see `unbounded-retry-go`); retries through helper \
functions (`retry.Do(func() error {...})`) are not.",
        example: "for attempt := 0; attempt < 3; attempt++ {\n\treq, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))\n\tif err != nil {\n\t\treturn err\n\t}\n\tresp, err := client.Do(req)\n\tif err == nil {\n\t\treturn handle(resp)\n\t}\n\ttime.Sleep(backoff(attempt))\n}",
        use_instead: "idempotencyKey := uuid.NewString()\nfor attempt := 0; attempt < 3; attempt++ {\n\treq, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))\n\tif err != nil {\n\t\treturn err\n\t}\n\treq.Header.Set(\"Idempotency-Key\", idempotencyKey)\n\tresp, err := client.Do(req)\n\tif err == nil {\n\t\treturn handle(resp)\n\t}\n\ttime.Sleep(backoff(attempt))\n}",
        fix: "**Add an idempotency key** (unsafe: the server must honour the header for it to \
help): creates the key once before the loop — `uuid.NewString()` when the file imports \
github.com/google/uuid, otherwise a 128-bit `crypto/rand` key from a small `newIdempotencyKey` \
helper added to the file — and sets it on the request inside the loop with \
`req.Header.Set(\"Idempotency-Key\", idempotencyKey)` (header name from `fix.idempotency_header`); \
imports are added. For a key generated inside the loop, the fix moves its creation before the \
loop (safe: every attempt then sends the same key, which is what the header is for; nothing \
else changes). Not offered for `Post(url, ...)` shorthands, which have no request to put a header on.",
    },
};

const RETRYABLEHTTP: &str = "github.com/hashicorp/go-retryablehttp";

/// The last name of a client expression: `c.http` → `http`, `client` → `client`,
/// `s.client()` → `client`.
fn last_name(text: &str) -> String {
    let t = squash(text);
    let t = t.trim_end_matches("()");
    t.rsplit('.').next().unwrap_or(t).to_string()
}

/// Names of resty clients that the file configures with retries (`SetRetryCount(n)`, n not 0):
/// the variable, field or struct key the configured client is stored in. `"*"` when a retrying
/// client is built where its name cannot be seen (returned or passed on directly). Empty when
/// the file does not import resty.
fn resty_retrying_clients(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if !RESTY_IMPORTS
        .iter()
        .any(|p| ctx.imports.go_local_name(p).is_some())
    {
        return out;
    }
    // Read only for a resty request with a mutating verb (rare): the unit is then re-run after
    // every edit, since a `SetRetryCount` anywhere in the file decides its finding.
    ctx.facts().whole_file();
    for n in Walk::new(ctx.root) {
        if method_name(ctx, n) != Some("SetRetryCount") {
            continue;
        }
        let args = call_args(n);
        if args.len() != 1 || ctx.text(args[0]).trim() == "0" {
            continue;
        }
        // Down the chain to its base: `resty.New()` or a client variable.
        let mut base = n;
        while let Some(r) = method_receiver(base) {
            if r.kind() == "call_expression"
                && method_receiver(r).is_some()
                && pkg_call(ctx, r).is_none()
            {
                base = r;
                continue;
            }
            base = r;
            break;
        }
        let built_here = pkg_call(ctx, base)
            .is_some_and(|(p, m)| RESTY_IMPORTS.contains(&p) && m.starts_with("New"));
        if !built_here {
            out.push(last_name(ctx.text(base)));
            continue;
        }
        // Up the chain to its top, then where it is stored.
        let mut top = n;
        while let Some(p) = top.parent() {
            if p.kind() == "selector_expression" {
                if let Some(c) = p.parent().filter(|c| c.kind() == "call_expression") {
                    top = c;
                    continue;
                }
            }
            break;
        }
        let name = assigned_name(ctx, top).or_else(|| {
            // `Gateway{http: resty.New()...}`: the value is a `literal_element` of a
            // `keyed_element` in current grammars, the `keyed_element`'s child in older ones.
            let mut kv = top.parent()?;
            if kv.kind() == "literal_element" {
                kv = kv.parent()?;
            }
            let kv = Some(kv).filter(|p| p.kind() == "keyed_element")?;
            let key = kv.named_child(0)?;
            Some(ctx.text(key).to_string())
        });
        out.push(
            name.map(|x| last_name(&x))
                .unwrap_or_else(|| "*".to_string()),
        );
    }
    out
}

/// A resty request sent with a mutating verb: `client.R()....Post(url)` / `Put` / `Patch`, with
/// the name of the client that `.R()` is called on.
fn resty_send<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<(Node<'t>, &'static str, String)> {
    let verb = match method_name(ctx, call)? {
        "Post" => "POST",
        "Put" => "PUT",
        "Patch" => "PATCH",
        _ => return None,
    };
    if call_args(call).len() != 1 {
        return None;
    }
    let mut cur = method_receiver(call)?;
    for _ in 0..64 {
        if cur.kind() != "call_expression" {
            return None;
        }
        let recv = method_receiver(cur)?;
        if method_name(ctx, cur) == Some("R") && call_args(cur).is_empty() {
            return Some((call, verb, last_name(ctx.text(recv))));
        }
        cur = recv;
    }
    None
}

/// A mutating request found in the code.
struct Request<'t> {
    call: Node<'t>,
    /// The variable holding the built request (`req`), for `NewRequest` forms.
    var: Option<String>,
    verb: &'static str,
}

fn mutating_request<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<Request<'t>> {
    if call.kind() != "call_expression" {
        return None;
    }
    if let Some((path, member)) = pkg_call(ctx, call) {
        if path == "net/http" || path == RETRYABLEHTTP {
            let args = call_args(call);
            let method_arg = match member {
                "NewRequest" => args.first(),
                "NewRequestWithContext" => args.get(1),
                "Post" => {
                    return Some(Request {
                        call,
                        var: None,
                        verb: "POST",
                    })
                }
                "PostForm" => {
                    return Some(Request {
                        call,
                        var: None,
                        verb: "POST",
                    })
                }
                _ => None,
            }?;
            let m = ctx.text(*method_arg);
            let verb = MUTATING_HTTP_METHODS.iter().find(|v| m.ends_with(*v))?;
            let verb = if verb.contains("ost") || verb.contains("OST") {
                "POST"
            } else if verb.contains("ut") || verb.contains("UT") {
                "PUT"
            } else {
                "PATCH"
            };
            return Some(Request {
                call,
                var: assigned_name(ctx, call),
                verb,
            });
        }
        return None;
    }
    // `client.Post(url, "application/json", body)` / `client.PostForm(url, values)`.
    let m = method_name(ctx, call)?;
    let args = call_args(call);
    let looks_http = match m {
        "Post" => {
            args.len() == 3
                && args[1].kind() == "interpreted_string_literal"
                && ctx.text(args[1]).contains('/')
        }
        _ => false,
    };
    looks_http.then_some(Request {
        call,
        var: None,
        verb: "POST",
    })
}

/// True when `node` (a string literal's text) names an idempotency header.
fn is_idempotency_header(text: &str) -> bool {
    text.to_ascii_lowercase().contains("idempotency")
}

/// A call that sets an idempotency header (`req.Header.Set("Idempotency-Key", v)`), with its
/// value argument.
fn header_set<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<Node<'t>> {
    let m = method_name(ctx, call)?;
    if !matches!(m, "Set" | "Add" | "SetHeader") {
        return None;
    }
    let args = call_args(call);
    if args.len() != 2 || !is_idempotency_header(ctx.text(args[0])) {
        return None;
    }
    Some(args[1])
}

impl Rule for RetryIdempotency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a mutating request (`NewRequest*`, `Post*`, resty's `Put`/`Patch`) or
        // an idempotency header.
        &[&["NewRequest", "Post", "Put", "Patch", "idempotency"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        let mut reported = std::collections::HashSet::new();
        let mut resty_clients: Option<Vec<String>> = None;
        for n in Walk::new(node) {
            // Requests through a resty client configured with retries.
            if let Some((call, verb, client)) = resty_send(ctx, n) {
                let clients = resty_clients.get_or_insert_with(|| resty_retrying_clients(ctx));
                if clients.iter().any(|c| c == "*" || *c == client)
                    && !function_sets_key(ctx, call)
                    && !ctx.text(call).to_ascii_lowercase().contains("idempotency")
                    && reported.insert(call.id())
                {
                    out.push(Finding::new(
                        &META,
                        call.byte_range(),
                        format!("{verb} sent through a resty client with `SetRetryCount` and no idempotency key: the client's automatic retries repeat the side effect"),
                    ));
                }
            }
            // Requests built for go-retryablehttp's client, which retries them itself.
            if let Some(r) = mutating_request(ctx, n) {
                if pkg_call(ctx, n).is_some_and(|(p, _)| p == RETRYABLEHTTP)
                    && !function_sets_key(ctx, n)
                    && reported.insert(n.id())
                {
                    out.push(finding_for_retrying_client(ctx, &r));
                }
            }
            let Some(rl) = retry_loop(ctx, n) else {
                continue;
            };
            let level = loop_level(rl.body);
            for m in &level {
                if let Some(value) = header_set(ctx, *m) {
                    if let Some(f) = key_generated_in_loop(ctx, rl.node, rl.body, value) {
                        out.push(f);
                    }
                }
            }
            for m in level {
                let Some(r) = mutating_request(ctx, m) else {
                    continue;
                };
                if function_sets_key(ctx, m) || !reported.insert(m.id()) {
                    continue;
                }
                let mut f = Finding::new(
                    &META,
                    r.call.byte_range(),
                    format!("{} retried without an idempotency key: a retry after a lost response repeats the side effect (a double charge, a duplicate order)", r.verb),
                );
                if let Some(fix) = add_key_fix(ctx, rl.node, &r) {
                    f = f.with_fix(fix);
                }
                out.push(f);
            }
        }
    }
}

/// True when the function holding `node` sets an idempotency header anywhere.
fn function_sets_key(ctx: &Context<'_>, node: Node<'_>) -> bool {
    let scope = super::helpers::scope_or_file(ctx, node);
    Walk::new(scope).any(|n| n.kind() == "call_expression" && header_set(ctx, n).is_some())
}

fn finding_for_retrying_client(ctx: &Context<'_>, r: &Request<'_>) -> Finding {
    let mut f = Finding::new(
        &META,
        r.call.byte_range(),
        format!("{} sent through go-retryablehttp without an idempotency key: the client's automatic retries repeat the side effect", r.verb),
    );
    if let Some(var) = &r.var {
        if let Some(stmt) = statement_of(r.call) {
            let (key_expr, mut edits) = key_source(ctx);
            let at = after_err_check(ctx, stmt);
            let indent = line_indent(ctx.source, stmt.start_byte());
            let header = &ctx.config.fix.idempotency_header;
            edits.push(TextEdit::insert(
                at,
                format!("\n{indent}{var}.Header.Set(\"{header}\", {key_expr})"),
            ));
            f = f.with_fix(Fix::new(
                "Add an idempotency key",
                Applicability::Unsafe,
                edits,
            ));
        }
    }
    f
}

/// The statement (direct child of a block's statement list) holding `node`.
fn statement_of(node: Node<'_>) -> Option<Node<'_>> {
    std::iter::once(node).chain(ancestors(node)).find(|a| {
        a.parent()
            .is_some_and(|p| matches!(p.kind(), "statement_list" | "block"))
    })
}

/// End of `stmt`, or of the `if err != nil { ... }` right after it (the request is nil until
/// that check passes).
fn after_err_check(ctx: &Context<'_>, stmt: Node<'_>) -> usize {
    let mut next = stmt.next_named_sibling();
    while let Some(n) = next {
        if n.kind() == "comment" {
            next = n.next_named_sibling();
            continue;
        }
        if n.kind() == "if_statement"
            && n.child_by_field_name("condition")
                .is_some_and(|c| ctx.text(c).replace(' ', "").contains("err!=nil"))
        {
            return n.end_byte();
        }
        break;
    }
    stmt.end_byte()
}

/// The expression that creates a key and the edits that make it available (imports, helper).
fn key_source(ctx: &Context<'_>) -> (String, Vec<TextEdit>) {
    if let Some(uuid) = ctx.imports.go_local_name("github.com/google/uuid") {
        return (format!("{uuid}.NewString()"), Vec::new());
    }
    let mut edits = Vec::new();
    // Whether the file already declares the helper: re-run after every edit.
    ctx.facts().whole_file();
    let has_helper = named_children(ctx.root).iter().any(|n| {
        n.kind() == "function_declaration"
            && n.child_by_field_name("name")
                .is_some_and(|x| ctx.text(x) == "newIdempotencyKey")
    });
    if !has_helper {
        let (rand, e1) = ensure_import(ctx, "crypto/rand");
        let (hex, e2) = ensure_import(ctx, "encoding/hex");
        edits.extend(merge_inserts(e1.into_iter().chain(e2).collect()));
        let nl = if ctx.source.ends_with('\n') { "" } else { "\n" };
        edits.push(TextEdit::insert(
            ctx.source.len(),
            format!(
                "{nl}\n// newIdempotencyKey returns a random 128-bit key, hex-encoded, sent as the\n// idempotency key of one logical operation (the same on every retry).\nfunc newIdempotencyKey() string {{\n\tb := make([]byte, 16)\n\tif _, err := {rand}.Read(b); err != nil {{\n\t\tpanic(err) // crypto/rand does not fail on supported platforms\n\t}}\n\treturn {hex}.EncodeToString(b)\n}}\n"
            ),
        ));
    }
    ("newIdempotencyKey()".to_string(), edits)
}

fn add_key_fix(ctx: &Context<'_>, for_stmt: Node<'_>, r: &Request<'_>) -> Option<Fix> {
    let var = r.var.as_ref()?;
    let stmt = statement_of(r.call)?;
    let (key_expr, mut edits) = key_source(ctx);
    let for_indent = line_indent(ctx.source, for_stmt.start_byte());
    edits.push(TextEdit::insert(
        line_start(ctx.source, for_stmt.start_byte()),
        format!("{for_indent}idempotencyKey := {key_expr}\n"),
    ));
    let at = after_err_check(ctx, stmt);
    let indent = line_indent(ctx.source, stmt.start_byte());
    let header = &ctx.config.fix.idempotency_header;
    edits.push(TextEdit::insert(
        at,
        format!("\n{indent}{var}.Header.Set(\"{header}\", idempotencyKey)"),
    ));
    Some(Fix::new(
        "Add an idempotency key (created once, before the retry loop)",
        Applicability::Unsafe,
        edits,
    ))
}

/// The header value is generated inside the loop: inline (`uuid.NewString()`) or through a
/// variable declared in the loop body.
fn key_generated_in_loop(
    ctx: &Context<'_>,
    for_stmt: Node<'_>,
    body: Node<'_>,
    value: Node<'_>,
) -> Option<Finding> {
    let for_indent = line_indent(ctx.source, for_stmt.start_byte());
    let insert_at = line_start(ctx.source, for_stmt.start_byte());
    let message = "idempotency key generated inside the retry loop: every attempt gets a new key, so the server cannot recognise the retry";
    if value.kind() == "call_expression" {
        let edits = vec![
            TextEdit::insert(
                insert_at,
                format!("{for_indent}idempotencyKey := {}\n", ctx.text(value)),
            ),
            TextEdit::replace(value.byte_range(), "idempotencyKey"),
        ];
        return Some(
            Finding::new(&META, value.byte_range(), message).with_fix(Fix::new(
                "Add an idempotency key (move its creation before the retry loop)",
                Applicability::Safe,
                edits,
            )),
        );
    }
    if value.kind() != "identifier" {
        return None;
    }
    let name = ctx.text(value);
    let decl = loop_level(body).into_iter().find(|n| {
        n.kind() == "short_var_declaration"
            && n.child_by_field_name("left")
                .is_some_and(|l| named_children(l).iter().any(|x| ctx.text(*x) == name))
            && n.child_by_field_name("right").is_some_and(|r| {
                named_children(r)
                    .iter()
                    .all(|x| x.kind() == "call_expression")
            })
    })?;
    let rhs = decl.child_by_field_name("right")?;
    let start = line_start(ctx.source, decl.start_byte());
    let end = ctx.source[decl.end_byte()..]
        .find('\n')
        .map(|i| decl.end_byte() + i + 1)
        .unwrap_or(ctx.source.len());
    let edits = vec![
        TextEdit::insert(
            insert_at,
            format!("{for_indent}{}\n", ctx.text(decl).trim()),
        ),
        TextEdit::replace(start..end, ""),
    ];
    Some(
        Finding::new(&META, rhs.byte_range(), message).with_fix(Fix::new(
            "Add an idempotency key (move its creation before the retry loop)",
            Applicability::Safe,
            edits,
        )),
    )
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_mutating_requests_in_retry_loops() {
        check(
            "retry-idempotency-go",
            r#"
package pay

import (
    "bytes"
    "context"
    "net/http"
    "time"
)

func charge(ctx context.Context, c *http.Client, u string, body []byte) error {
    var err error
    for attempt := 0; attempt < 3; attempt++ {
        req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
                   //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-idempotency-go
        if rerr != nil {
            return rerr
        }
        var resp *http.Response
        resp, err = c.Do(req)
        if err == nil {
            resp.Body.Close()
            return nil
        }
        time.Sleep(time.Second)
    }
    return err
}

func order(c *http.Client, u string) {
    for {
        resp, err := c.Post(u, "application/json", nil)
                   //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-idempotency-go
        if err != nil {
            time.Sleep(time.Second)
            continue
        }
        resp.Body.Close()
        break
    }
}

func update(u string) {
    for i := 0; i < 5; i++ {
        req, _ := http.NewRequest("PATCH", u, nil)
                //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-idempotency-go
        if _, err := http.DefaultClient.Do(req); err == nil {
            return
        }
    }
}
"#,
        );
    }

    #[test]
    fn flags_retryablehttp_requests_and_keys_generated_per_attempt() {
        check(
            "retry-idempotency-go",
            r#"
package pay

import (
    "net/http"
    "time"

    "github.com/google/uuid"
    retryablehttp "github.com/hashicorp/go-retryablehttp"
)

func viaRetryingClient(c *retryablehttp.Client, u string) {
    req, err := retryablehttp.NewRequest("POST", u, nil)
              //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-idempotency-go
    if err != nil {
        return
    }
    _, _ = c.Do(req)
}

func perAttempt(c *http.Client, u string) {
    for {
        key := uuid.NewString()
             //^^^^^^^^^^^^^^^^ retry-idempotency-go
        req, _ := http.NewRequest(http.MethodPost, u, nil)
        req.Header.Set("Idempotency-Key", key)
        if _, err := c.Do(req); err != nil {
            time.Sleep(time.Second)
            continue
        }
        return
    }
}
"#,
        );
    }

    #[test]
    fn silent_with_key_before_loop_idempotent_verbs_and_non_retry_loops() {
        check(
            "retry-idempotency-go",
            r#"
package pay

import (
    "net/http"
    "time"

    "github.com/google/uuid"
)

func keyed(c *http.Client, u string) {
    key := uuid.NewString()
    for attempt := 0; attempt < 3; attempt++ {
        req, _ := http.NewRequest(http.MethodPost, u, nil)
        req.Header.Set("Idempotency-Key", key)
        if _, err := c.Do(req); err == nil {
            return
        }
        time.Sleep(time.Second)
    }
}

func reads(c *http.Client, u string) {
    for attempt := 0; attempt < 3; attempt++ {
        req, _ := http.NewRequest(http.MethodGet, u, nil)
        if _, err := c.Do(req); err == nil {
            return
        }
    }
}

func perItem(c *http.Client, urls []string) {
    for _, u := range urls {
        if _, err := c.Post(u, "application/json", nil); err != nil {
            continue
        }
    }
}

func stopOnError(c *http.Client, u string, n int) error {
    for i := 0; i < n; i++ {
        req, _ := http.NewRequest("POST", u, nil)
        if _, err := c.Do(req); err != nil {
            return err
        }
    }
    return nil
}

func once(u string) {
    req, _ := http.NewRequest("PUT", u, nil)
    _, _ = http.DefaultClient.Do(req)
}
"#,
        );
    }

    #[test]
    fn flags_resty_requests_through_a_retrying_client() {
        check(
            "retry-idempotency-go",
            r#"
package pay

import (
    "github.com/go-resty/resty/v2"
)

type Gateway struct {
    http *resty.Client
}

func NewGateway() *Gateway {
    return &Gateway{http: resty.New().SetRetryCount(3)}
}

func (g *Gateway) Charge(u string, body []byte) error {
    _, err := g.http.R().SetBody(body).Post(u)
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-idempotency-go
    return err
}

func updateOrder(u string, o Order) error {
    client := resty.New()
    client.SetRetryCount(5).SetRetryWaitTime(time.Second)
    _, err := client.R().
            //^^^^^^^^^^^ retry-idempotency-go
        SetHeader("Content-Type", "application/json").
        SetBody(o).
        Put(u)
    return err
}

func patchOrder(u string, o Order) error {
    c := resty.New().SetRetryCount(2)
    resp, err := c.R().SetBody(o).Patch(u)
               //^^^^^^^^^^^^^^^^^^^^^^^^^ retry-idempotency-go
    _ = resp
    return err
}
"#,
        );
    }

    #[test]
    fn silent_on_resty_with_a_key_without_retries_or_reads() {
        check(
            "retry-idempotency-go",
            r#"
package pay

import (
    "github.com/go-resty/resty/v2"
    "github.com/google/uuid"
)

type Gateway struct {
    http  *resty.Client
    plain *resty.Client
}

func NewGateway() *Gateway {
    return &Gateway{http: resty.New().SetRetryCount(3), plain: resty.New()}
}

func (g *Gateway) Charge(u string, body []byte) error {
    _, err := g.http.R().SetHeader("Idempotency-Key", uuid.NewString()).SetBody(body).Post(u)
    return err
}

func (g *Gateway) ChargeWithHeaders(u string, key string, body []byte) error {
    _, err := g.http.R().SetHeaders(map[string]string{"Idempotency-Key": key}).SetBody(body).Post(u)
    return err
}

func (g *Gateway) Lookup(u string) error {
    _, err := g.http.R().Get(u)
    return err
}

func (g *Gateway) Once(u string, body []byte) error {
    _, err := g.plain.R().SetBody(body).Post(u)
    return err
}

func noRetries(u string) error {
    c := resty.New().SetRetryCount(0)
    _, err := c.R().SetBody("x").Put(u)
    return err
}

func notResty(m *Map, k string) {
    m.R().Put(k)
}
"#,
        );
    }

    #[test]
    fn fix_adds_uuid_key_before_the_loop() {
        check_fix(
            "retry-idempotency-go",
            "Add an idempotency key",
            "package pay\n\nimport (\n\t\"net/http\"\n\t\"time\"\n\n\t\"github.com/google/uuid\"\n)\n\nvar _ = uuid.Nil\n\nfunc send(c *http.Client, u string) error {\n\tvar err error\n\tfor i := 0; i < 3; i++ {\n\t\treq, rerr := http.NewRequest(http.MethodPost, u, nil)\n\t\tif rerr != nil {\n\t\t\treturn rerr\n\t\t}\n\t\tif _, err = c.Do(req); err == nil {\n\t\t\treturn nil\n\t\t}\n\t\ttime.Sleep(time.Second)\n\t}\n\treturn err\n}\n",
            "package pay\n\nimport (\n\t\"net/http\"\n\t\"time\"\n\n\t\"github.com/google/uuid\"\n)\n\nvar _ = uuid.Nil\n\nfunc send(c *http.Client, u string) error {\n\tvar err error\n\tidempotencyKey := uuid.NewString()\n\tfor i := 0; i < 3; i++ {\n\t\treq, rerr := http.NewRequest(http.MethodPost, u, nil)\n\t\tif rerr != nil {\n\t\t\treturn rerr\n\t\t}\n\t\treq.Header.Set(\"Idempotency-Key\", idempotencyKey)\n\t\tif _, err = c.Do(req); err == nil {\n\t\t\treturn nil\n\t\t}\n\t\ttime.Sleep(time.Second)\n\t}\n\treturn err\n}\n",
        );
    }

    #[test]
    fn fix_adds_crypto_rand_helper_without_uuid() {
        check_fix(
            "retry-idempotency-go",
            "Add an idempotency key",
            "package pay\n\nimport (\n\t\"net/http\"\n)\n\nfunc send(c *http.Client, u string) {\n\tfor {\n\t\treq, _ := http.NewRequest(\"PUT\", u, nil)\n\t\tif _, err := c.Do(req); err == nil {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
            "package pay\n\nimport (\n\t\"crypto/rand\"\n\t\"encoding/hex\"\n\t\"net/http\"\n)\n\nfunc send(c *http.Client, u string) {\n\tidempotencyKey := newIdempotencyKey()\n\tfor {\n\t\treq, _ := http.NewRequest(\"PUT\", u, nil)\n\t\treq.Header.Set(\"Idempotency-Key\", idempotencyKey)\n\t\tif _, err := c.Do(req); err == nil {\n\t\t\treturn\n\t\t}\n\t}\n}\n\n// newIdempotencyKey returns a random 128-bit key, hex-encoded, sent as the\n// idempotency key of one logical operation (the same on every retry).\nfunc newIdempotencyKey() string {\n\tb := make([]byte, 16)\n\tif _, err := rand.Read(b); err != nil {\n\t\tpanic(err) // crypto/rand does not fail on supported platforms\n\t}\n\treturn hex.EncodeToString(b)\n}\n",
        );
    }

    #[test]
    fn fix_moves_key_generated_inside_the_loop() {
        check_fix(
            "retry-idempotency-go",
            "move its creation",
            "package pay\n\nimport (\n\t\"net/http\"\n\n\t\"github.com/google/uuid\"\n)\n\nfunc send(c *http.Client, u string) {\n\tfor {\n\t\tkey := uuid.NewString()\n\t\treq, _ := http.NewRequest(\"POST\", u, nil)\n\t\treq.Header.Set(\"Idempotency-Key\", key)\n\t\tif _, err := c.Do(req); err == nil {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
            "package pay\n\nimport (\n\t\"net/http\"\n\n\t\"github.com/google/uuid\"\n)\n\nfunc send(c *http.Client, u string) {\n\tkey := uuid.NewString()\n\tfor {\n\t\treq, _ := http.NewRequest(\"POST\", u, nil)\n\t\treq.Header.Set(\"Idempotency-Key\", key)\n\t\tif _, err := c.Do(req); err == nil {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
        );
    }

    #[test]
    fn fix_sets_a_key_on_a_retryablehttp_request() {
        // The client retries on its own: one key per request, set right after the error check.
        check_fix(
            "retry-idempotency-go",
            "Add an idempotency key",
            "package pay\n\nimport (\n\t\"github.com/google/uuid\"\n\tretryablehttp \"github.com/hashicorp/go-retryablehttp\"\n)\n\nvar _ = uuid.Nil\n\nfunc send(c *retryablehttp.Client, u string) error {\n\treq, err := retryablehttp.NewRequest(\"POST\", u, nil)\n\tif err != nil {\n\t\treturn err\n\t}\n\t_, err = c.Do(req)\n\treturn err\n}\n",
            "package pay\n\nimport (\n\t\"github.com/google/uuid\"\n\tretryablehttp \"github.com/hashicorp/go-retryablehttp\"\n)\n\nvar _ = uuid.Nil\n\nfunc send(c *retryablehttp.Client, u string) error {\n\treq, err := retryablehttp.NewRequest(\"POST\", u, nil)\n\tif err != nil {\n\t\treturn err\n\t}\n\treq.Header.Set(\"Idempotency-Key\", uuid.NewString())\n\t_, err = c.Do(req)\n\treturn err\n}\n",
        );
    }

    #[test]
    fn fix_moves_an_inline_key_out_of_the_loop() {
        check_fix(
            "retry-idempotency-go",
            "move its creation",
            "package pay\n\nimport (\n\t\"net/http\"\n\n\t\"github.com/google/uuid\"\n)\n\nfunc send(c *http.Client, u string) {\n\tfor {\n\t\treq, _ := http.NewRequest(\"POST\", u, nil)\n\t\treq.Header.Set(\"Idempotency-Key\", uuid.NewString())\n\t\tif _, err := c.Do(req); err == nil {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
            "package pay\n\nimport (\n\t\"net/http\"\n\n\t\"github.com/google/uuid\"\n)\n\nfunc send(c *http.Client, u string) {\n\tidempotencyKey := uuid.NewString()\n\tfor {\n\t\treq, _ := http.NewRequest(\"POST\", u, nil)\n\t\treq.Header.Set(\"Idempotency-Key\", idempotencyKey)\n\t\tif _, err := c.Do(req); err == nil {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
        );
    }
}
