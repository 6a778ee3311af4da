//! `retry-idempotency` (category `retry-idempotency`): non-idempotent HTTP requests retried
//! without an idempotency key, or with a key generated per attempt.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{ancestors, rust_call_path, rust_method_call, squash, Walk};
use crate::vocabulary::rust::IDEMPOTENCY_KEY_GENERATORS;

use super::helpers::{
    enclosing_fn, find_binding, is_test_code, line_indent, op_body, retry_call, retry_loops,
    struct_field_types,
};

/// The rule.
pub struct RetryIdempotency;

/// Registered instance.
pub static RULE: RetryIdempotency = RetryIdempotency;

static META: RuleMeta = RuleMeta {
    id: "retry-idempotency",
    language: Language::Rust,
    category: "retry-idempotency",
    severity: Severity::Blocker,
    title: "Non-idempotent request retried without an idempotency key",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds POST, PUT and PATCH requests (`client.post(url)`, `.put`, `.patch`, \
`.request(Method::POST, url)`, sent with `.send()`; http/hyper requests built with \
`Request::builder().method(Method::POST)` or `.method(\"POST\")`, or `Request::post(uri)`, and \
finished with `.body(..)`) that are retried — inside a retry loop (see \
`unbounded-retry`), inside the operation closure of backon (`op.retry(..)`), tokio-retry \
(`Retry::spawn`) or the `backoff` crate (`retry(..)`), or through a `reqwest_middleware` client \
with `RetryTransientMiddleware` declared in the same file — and that carry no idempotency-key \
header (`Idempotency-Key`, or any header whose name contains \"idempotency\", or the configured \
name). Also finds the subtle form: a key header whose value is generated inside the retried \
code (`Uuid::new_v4()` in the loop), so every attempt sends a new key.",
        why: "A retry cannot tell \"the request failed\" from \"the response was lost\":\n\n\
1. The client POSTs `/payments` to charge a card; the payment service charges it and commits.\n\
2. The response is lost: the connection resets, a proxy times out, the pod is rescheduled.\n\
3. The client sees an error and retries the POST. Without a key, the server cannot know it is \
the same payment, and charges the card a second time.\n\
4. The customer is double-charged; the books no longer reconcile. With an idempotency key \
created once per logical operation and sent on every attempt, the server returns the first \
result instead of acting again. A key generated per attempt defeats this: each retry looks new.",
        known_problems: "- Servers that deduplicate on a field of the body (an order id) are \
safe; a body or chain that mentions `idempot` keeps the rule silent, other fields are not \
recognised.\n\
- Requests built in a helper function and sent from the loop are not followed. An \
http/hyper request built inside the retried code is assumed to be sent there (a `Request` is \
consumed by sending, so a retry has to build it again); one built before the loop and cloned \
per attempt is not seen.\n\
- Headers set with `.headers(map)` are not read (silent).\n\
- For `reqwest_middleware`, the retrying client is recognised by a field or variable typed \
`ClientWithMiddleware` in a file that declares `RetryTransientMiddleware`.",
        example: "loop {\n    match client.post(url).json(&payment).send().await {\n        Ok(r) => break r,\n        Err(e) if attempt < 3 => attempt += 1,\n        Err(e) => return Err(e),\n    }\n}",
        use_instead: "let idempotency_key = uuid::Uuid::new_v4().to_string();\nloop {\n    match client\n        .post(url)\n        .header(\"Idempotency-Key\", &idempotency_key)\n        .json(&payment)\n        .send()\n        .await\n    {\n        Ok(r) => break r,\n        Err(e) if attempt < 3 => attempt += 1,\n        Err(e) => return Err(e),\n    }\n}",
        fix: "**Add an idempotency key** (unsafe: the server must support the header, and the \
project needs the `uuid` crate with `v4`). Creates the key once before the retry \
(`let idempotency_key = uuid::Uuid::new_v4().to_string();` before a loop; for retry closures \
`let idempotency_key = uuid::Uuid::new_v4();` — `Uuid` is `Copy`, so `move` closures stay \
callable more than once) and adds `.header(\"<name>\", ..)` after `.post(url)`; the header name \
is the configured `idempotency_header` (default `Idempotency-Key`). When the key is generated \
inside the loop by a `let`, the fix moves that `let` before the loop.",
    },
};

/// A non-idempotent request send: the `.post(..)`-like call and the chain top.
struct Send<'t> {
    verb_call: Node<'t>,
    verb_name: Node<'t>,
    chain_top: Node<'t>,
    /// Methods applied after the verb, up to the top (`header`, `json`, `send`); for an
    /// http/hyper builder, every method of the chain (a header may precede `.method(..)`).
    after: Vec<Node<'t>>,
    /// `POST`, `PUT`, `PATCH`, or `POST/PUT/PATCH` when only the shape is known.
    verb: String,
}

/// The verb a method argument names: `Method::POST`, `http::Method::PUT`, `"PATCH"`.
fn verb_of(ctx: &Context<'_>, arg: Node<'_>) -> Option<&'static str> {
    let t = squash(ctx.text(arg));
    let t = t.trim_matches('"');
    let last = t.rsplit("::").next().unwrap_or(t);
    match last {
        "POST" => Some("POST"),
        "PUT" => Some("PUT"),
        "PATCH" => Some("PATCH"),
        _ => None,
    }
}

/// An http/hyper request built with a mutating method and finished with `.body(..)`:
/// `Request::builder().method(Method::POST).uri(u).body(b)` (`.method("POST")` too) or
/// `Request::post(u).body(b)`. `call` is the chain's first call (`Request::builder()` /
/// `Request::post(u)`).
fn http_builder_send<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<Send<'t>> {
    let path = rust_call_path(ctx.source, call)?;
    let full = ctx.imports.resolve_rust(&path);
    let (ty, ctor) = full.rsplit_once("::")?;
    let ty_last = ty.rsplit("::").next().unwrap_or(ty);
    if ty_last != "Request" || ctx.imports.resolve_rust(ty).starts_with("reqwest") {
        return None;
    }
    let (after, top) = super::helpers::chain_up(call);
    if !after.iter().any(|m| ctx.text(*m) == "body") {
        return None;
    }
    let (verb_call, verb_name, verb) = match ctor {
        "post" | "put" | "patch" => {
            let f = call.child_by_field_name("function")?;
            (call, f, ctor.to_ascii_uppercase())
        }
        "builder" => {
            let m = after.iter().find(|m| ctx.text(**m) == "method")?;
            let mcall = m.parent().and_then(|f| f.parent())?;
            let arg = mcall
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0))?;
            (mcall, *m, verb_of(ctx, arg)?.to_string())
        }
        _ => return None,
    };
    Some(Send {
        verb_call,
        verb_name,
        chain_top: top,
        after,
        verb,
    })
}

fn is_unsafe_method(ctx: &Context<'_>, call: Node<'_>, name: &str) -> bool {
    match name {
        "post" | "put" | "patch" => true,
        "request" => call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .is_some_and(|m| {
                let t = squash(ctx.text(m));
                t.ends_with("::POST") || t.ends_with("::PUT") || t.ends_with("::PATCH")
            }),
        _ => false,
    }
}

/// The non-idempotent sends in `region`, not descending into nested functions.
fn sends_in<'t>(ctx: &Context<'_>, region: Node<'t>) -> Vec<Send<'t>> {
    let mut out = Vec::new();
    let mut walk = Walk::new(region);
    while let Some(n) = walk.next() {
        if n.kind() == "function_item" && n.id() != region.id() {
            walk.skip_subtree();
            continue;
        }
        if n.kind() != "call_expression" {
            continue;
        }
        if let Some(s) = http_builder_send(ctx, n) {
            out.push(s);
            continue;
        }
        let Some((_, name)) = rust_method_call(n) else {
            continue;
        };
        if !is_unsafe_method(ctx, n, ctx.text(name)) {
            continue;
        }
        let (after, top) = super::helpers::chain_up(n);
        if !after.iter().any(|m| ctx.text(*m) == "send") {
            continue;
        }
        let verb = ctx.text(name).to_ascii_uppercase();
        let verb = if verb == "REQUEST" {
            "POST/PUT/PATCH".to_string()
        } else {
            verb
        };
        out.push(Send {
            verb_call: n,
            verb_name: name,
            chain_top: top,
            after,
            verb,
        });
    }
    out
}

/// What the send's headers say about an idempotency key.
enum KeyState<'t> {
    /// No key header.
    Missing,
    /// A key header whose value is fine (or cannot be judged).
    Present,
    /// A key header whose value is generated at `gen` inside the retried region.
    PerAttempt {
        gen: Node<'t>,
        let_decl: Option<Node<'t>>,
    },
}

fn key_state<'t>(ctx: &Context<'_>, s: &Send<'t>, region: Node<'t>) -> KeyState<'t> {
    let header_name = ctx.config.fix.idempotency_header.to_ascii_lowercase();
    let chain_text = ctx.text(s.chain_top).to_ascii_lowercase();
    for m in &s.after {
        let name = ctx.text(*m);
        if name == "headers" {
            return KeyState::Present;
        }
        if name != "header" {
            continue;
        }
        let Some(call) = m.parent().and_then(|f| f.parent()) else {
            continue;
        };
        let Some(args) = call.child_by_field_name("arguments") else {
            continue;
        };
        let (Some(k), Some(v)) = (args.named_child(0), args.named_child(1)) else {
            continue;
        };
        let kt = ctx.text(k).to_ascii_lowercase();
        if !(kt.contains("idempot") || kt.contains(&header_name)) {
            continue;
        }
        // Inline generation: `.header("Idempotency-Key", Uuid::new_v4().to_string())`.
        if let Some(gen) = generator_in(ctx, v) {
            return KeyState::PerAttempt {
                gen,
                let_decl: None,
            };
        }
        // A variable bound inside the retried region to a fresh value.
        let var = Walk::new(v).find(|x| x.kind() == "identifier");
        if let (Some(var), Some(f)) = (var, enclosing_fn(v)) {
            if let Some(b) = find_binding(ctx.source, f, ctx.text(var), v.start_byte()) {
                let inside =
                    b.start_byte() >= region.start_byte() && b.end_byte() <= region.end_byte();
                if inside && b.kind() == "let_declaration" {
                    if let Some(gen) = b
                        .child_by_field_name("value")
                        .and_then(|x| generator_in(ctx, x))
                    {
                        return KeyState::PerAttempt {
                            gen,
                            let_decl: Some(b),
                        };
                    }
                }
            }
        }
        return KeyState::Present;
    }
    if chain_text.contains("idempot") {
        return KeyState::Present;
    }
    KeyState::Missing
}

fn generator_in<'t>(ctx: &Context<'_>, n: Node<'t>) -> Option<Node<'t>> {
    Walk::new(n).find(|x| {
        x.kind() == "call_expression"
            && rust_call_path(ctx.source, *x).is_some_and(|p| {
                IDEMPOTENCY_KEY_GENERATORS.contains(&ctx.imports.resolve_rust(&p).as_str())
            })
    })
}

/// The statement (direct child of a block) containing `n`.
fn statement_of(n: Node<'_>) -> Option<Node<'_>> {
    let mut cur = n;
    loop {
        let p = cur.parent()?;
        if p.kind() == "block" {
            return Some(cur);
        }
        if p.kind() == "source_file" || p.kind() == "declaration_list" {
            return None;
        }
        cur = p;
    }
}

/// A retried region: a loop body, or a retry closure, with where to create the key.
struct Retried<'t> {
    region: Node<'t>,
    /// The statement before which the key is created.
    anchor: Node<'t>,
    /// `true` for closures: the key is a `Copy` `Uuid`.
    closure: bool,
    what: &'static str,
}

fn retried_regions<'t>(ctx: &Context<'_>, unit: Node<'t>) -> Vec<Retried<'t>> {
    let mut out = Vec::new();
    for r in retry_loops(ctx, unit) {
        if let Some(anchor) = statement_of(r.node) {
            out.push(Retried {
                region: r.node,
                anchor,
                closure: false,
                what: "inside a retry loop",
            });
        }
    }
    for n in Walk::new(unit) {
        let Some(rc) = retry_call(ctx, n) else {
            continue;
        };
        let mut op = rc.op;
        if op.kind() == "identifier" {
            let Some(b) = enclosing_fn(op)
                .and_then(|f| find_binding(ctx.source, f, ctx.text(op), op.start_byte()))
            else {
                continue;
            };
            let Some(v) = b.child_by_field_name("value") else {
                continue;
            };
            op = v;
        }
        let Some(body) = op_body(op) else { continue };
        let Some(anchor) = statement_of(rc.call) else {
            continue;
        };
        out.push(Retried {
            region: body,
            anchor,
            closure: true,
            what: "inside a retried closure",
        });
    }
    out
}

/// `reqwest_middleware` with `RetryTransientMiddleware`: sends through a client typed
/// `ClientWithMiddleware` in a file that declares the retry middleware.
fn middleware_retried(ctx: &Context<'_>, s: &Send<'_>) -> bool {
    let Some((recv, _)) = rust_method_call(s.verb_call) else {
        return false;
    };
    let recv = super::helpers::peel(ctx, recv);
    let typed = match recv.kind() {
        "field_expression" => recv
            .child_by_field_name("field")
            .map(|f| struct_field_types(ctx, ctx.text(f)))
            .is_some_and(|ts| {
                !ts.is_empty() && ts.iter().all(|t| t.text.contains("ClientWithMiddleware"))
            }),
        "identifier" => enclosing_fn(recv)
            .and_then(|f| find_binding(ctx.source, f, ctx.text(recv), recv.start_byte()))
            .is_some_and(|b| {
                b.child_by_field_name("type")
                    .is_some_and(|t| ctx.text(t).contains("ClientWithMiddleware"))
                    || b.child_by_field_name("value")
                        .is_some_and(|v| ctx.text(v).contains("RetryTransientMiddleware"))
            }),
        _ => false,
    };
    // The file must declare the retry middleware somewhere: a search of the whole text, so the
    // engine re-runs this unit after every edit (only units sending through such a client).
    typed && {
        ctx.facts().whole_file();
        ctx.source.contains("RetryTransientMiddleware")
    }
}

impl Rule for RetryIdempotency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a request chain ending in `.send()`, or an http/hyper `Request`
        // builder; either with a mutating method in its text: `.post(`/`.put(`/`.patch(`,
        // `Request::post(..)`, `.request(Method::POST, ..)`, `.method(Method::PUT)` or
        // `.method("PATCH")` (`is_unsafe_method`, `verb_of`; ASCII case-insensitive, and a
        // name imported from a path containing one counts too).
        &[&["send", "Request"], &["post", "put", "patch"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        let mut seen = std::collections::HashSet::new();
        let header = ctx.config.fix.idempotency_header.clone();
        for r in retried_regions(ctx, node) {
            for s in sends_in(ctx, r.region) {
                if !seen.insert(s.verb_call.id()) {
                    continue;
                }
                let verb = &s.verb;
                match key_state(ctx, &s, r.region) {
                    KeyState::Present => {}
                    KeyState::Missing => {
                        let mut f = Finding::new(
                            &META,
                            s.verb_name.start_byte()..s.verb_call.end_byte(),
                            format!(
                                "{verb} {} without an idempotency key: if a response is lost, the retry repeats the side effect (double charge, duplicate order)",
                                r.what
                            ),
                        );
                        if let Some(fix) = add_key_fix(ctx, &s, &r, &header) {
                            f = f.with_fix(fix);
                        }
                        out.push(f);
                    }
                    KeyState::PerAttempt { gen, let_decl } => {
                        let mut f = Finding::new(
                            &META,
                            gen.byte_range(),
                            format!(
                                "idempotency key generated {}: every attempt sends a new key, so the server cannot recognise the retry",
                                r.what
                            ),
                        );
                        if let Some(l) = let_decl {
                            if let Some(fix) = move_key_fix(ctx, l, &r) {
                                f = f.with_fix(fix);
                            }
                        }
                        out.push(f);
                    }
                }
            }
        }
        // reqwest_middleware retries.
        for s in sends_in(ctx, node) {
            if seen.contains(&s.verb_call.id()) || !middleware_retried(ctx, &s) {
                continue;
            }
            if matches!(key_state(ctx, &s, s.chain_top), KeyState::Missing) {
                let verb = &s.verb;
                out.push(Finding::new(
                    &META,
                    s.verb_name.start_byte()..s.verb_call.end_byte(),
                    format!(
                        "{verb} through a client with `RetryTransientMiddleware`, without an idempotency key: a retried request repeats the side effect"
                    ),
                ));
            }
        }
    }
}

fn fn_mentions(ctx: &Context<'_>, n: Node<'_>, name: &str) -> bool {
    enclosing_fn(n)
        .is_some_and(|f| Walk::new(f).any(|x| x.kind() == "identifier" && ctx.text(x) == name))
}

fn add_key_fix(ctx: &Context<'_>, s: &Send<'_>, r: &Retried<'_>, header: &str) -> Option<Fix> {
    if fn_mentions(ctx, s.verb_call, "idempotency_key") {
        return None;
    }
    let (indent, own_line) = line_indent(ctx.source, r.anchor.start_byte());
    if !own_line {
        return None;
    }
    let (create, value) = if r.closure {
        (
            "let idempotency_key = uuid::Uuid::new_v4();",
            "idempotency_key.to_string()",
        )
    } else {
        (
            "let idempotency_key = uuid::Uuid::new_v4().to_string();",
            "&idempotency_key",
        )
    };
    let header_lit = format!("{header:?}");
    Some(Fix::new(
        "Add an idempotency key",
        Applicability::Unsafe,
        vec![
            TextEdit::insert(r.anchor.start_byte(), format!("{create}\n{indent}")),
            TextEdit::insert(
                s.verb_call.end_byte(),
                format!(".header({header_lit}, {value})"),
            ),
        ],
    ))
}

/// Moves `let key = Uuid::new_v4()..;` from inside the loop to before it, when its initializer
/// uses nothing bound inside the loop.
fn move_key_fix(ctx: &Context<'_>, let_decl: Node<'_>, r: &Retried<'_>) -> Option<Fix> {
    if r.closure {
        return None;
    }
    let value = let_decl.child_by_field_name("value")?;
    let f = enclosing_fn(let_decl)?;
    for id in Walk::new(value).filter(|x| x.kind() == "identifier") {
        if let Some(b) = find_binding(ctx.source, f, ctx.text(id), id.start_byte()) {
            if b.start_byte() >= r.region.start_byte() && b.end_byte() <= r.region.end_byte() {
                return None;
            }
        }
    }
    let (indent, own_line) = line_indent(ctx.source, r.anchor.start_byte());
    let (_, let_own_line) = line_indent(ctx.source, let_decl.start_byte());
    if !own_line || !let_own_line {
        return None;
    }
    // Delete the whole line(s) of the inner `let`.
    let line_start = ctx.source[..let_decl.start_byte()]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let mut end = let_decl.end_byte();
    if ctx.source[end..].starts_with('\n') {
        end += 1;
    }
    let _ = ancestors(let_decl);
    Some(Fix::new(
        "Add an idempotency key (create it once, before the loop)",
        Applicability::Unsafe,
        vec![
            TextEdit::insert(
                r.anchor.start_byte(),
                format!("{}\n{indent}", ctx.text(let_decl)),
            ),
            TextEdit::replace(line_start..end, ""),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_retried_posts_without_a_key() {
        check(
            "retry-idempotency",
            r#"
use backon::{ExponentialBuilder, Retryable};
use reqwest::Method;

async fn charge(client: &reqwest::Client, url: &str, body: String) -> Result<reqwest::Response, reqwest::Error> {
    let mut attempt = 0;
    loop {
        match client.post(url).body(body.clone()).send().await {
                   //^^^^^^^^^ retry-idempotency
            Ok(r) => return Ok(r),
            Err(_) if attempt < 3 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

async fn with_backon(client: reqwest::Client) -> Result<reqwest::Response, reqwest::Error> {
    (|| async { client.request(Method::PUT, "http://x/items/1").send().await })
                     //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-idempotency
        .retry(ExponentialBuilder::default())
        .await
}

async fn per_attempt_key(client: &reqwest::Client, url: &str) -> Result<reqwest::Response, reqwest::Error> {
    for _ in 0..3 {
        let key = uuid::Uuid::new_v4().to_string();
                //^^^^^^^^^^^^^^^^^^^^ retry-idempotency
        if let Ok(r) = client.post(url).header("Idempotency-Key", &key).send().await {
            return Ok(r);
        }
    }
    client.post(url).send().await
}
"#,
        );
    }

    #[test]
    fn silent_on_keys_made_once_safe_methods_and_single_attempts() {
        check(
            "retry-idempotency",
            r#"
async fn keyed(client: &reqwest::Client, url: &str) -> Result<reqwest::Response, reqwest::Error> {
    let key = uuid::Uuid::new_v4().to_string();
    for _ in 0..3 {
        if let Ok(r) = client.post(url).header("Idempotency-Key", &key).send().await {
            return Ok(r);
        }
    }
    client.post(url).header("Idempotency-Key", &key).send().await
}

async fn gets(client: &reqwest::Client, url: &str) -> Result<reqwest::Response, reqwest::Error> {
    for _ in 0..3 {
        if let Ok(r) = client.get(url).send().await {
            return Ok(r);
        }
    }
    client.delete(url).send().await
}

async fn body_key(client: &reqwest::Client, url: &str, p: &Payment) -> Result<reqwest::Response, reqwest::Error> {
    for _ in 0..3 {
        if let Ok(r) = client.post(url).json(&serde_json::json!({"idempotency_key": p.id})).send().await {
            return Ok(r);
        }
    }
    Err(todo!())
}

async fn consumer(client: &reqwest::Client, rx: &mut Rx) {
    loop {
        match rx.recv().await {
            Ok(m) => { let _ = client.post("http://x").body(m).send().await; }
            Err(_) => continue,
        }
    }
}

async fn once(client: &reqwest::Client) -> Result<reqwest::Response, reqwest::Error> {
    client.post("http://x").send().await
}
"#,
        );
    }

    #[test]
    fn flags_retried_http_builder_requests_without_a_key() {
        check(
            "retry-idempotency",
            r#"
use http::{Method, Request};
use hyper_util::client::legacy::Client;

async fn charge(client: &Client<C, Full<Bytes>>, url: &str, body: Bytes) -> Result<Response<Incoming>, Error> {
    let mut attempt = 0;
    loop {
        let req = Request::builder()
            .method(Method::POST)
           //^^^^^^^^^^^^^^^^^^^^ retry-idempotency
            .uri(url)
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))
            .unwrap();
        match client.request(req).await {
            Ok(r) => return Ok(r),
            Err(_) if attempt < 3 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    }
}

async fn string_method(client: &Client<C, Full<Bytes>>, url: &str) -> Result<Response<Incoming>, Error> {
    for _ in 0..3 {
        let req = hyper::Request::builder().uri(url).method("PUT").body(Full::default())?;
                                                   //^^^^^^^^^^^^^ retry-idempotency
        if let Ok(r) = client.request(req).await {
            return Ok(r);
        }
    }
    Err(Error::GaveUp)
}

async fn shorthand(sender: &mut SendRequest<Full<Bytes>>, url: &str) -> Result<Response<Incoming>, Error> {
    for _ in 0..3 {
        let req = Request::patch(url).body(Full::default())?;
                //^^^^^^^^^^^^^^^^^^^ retry-idempotency
        if let Ok(r) = sender.send_request(req).await {
            return Ok(r);
        }
    }
    Err(Error::GaveUp)
}
"#,
        );
    }

    #[test]
    fn silent_on_http_builders_with_a_key_safe_methods_or_no_retry() {
        check(
            "retry-idempotency",
            r#"
use http::{Method, Request};

async fn keyed(client: &Client<C, Full<Bytes>>, url: &str) -> Result<Response<Incoming>, Error> {
    let key = uuid::Uuid::new_v4().to_string();
    for _ in 0..3 {
        let req = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header("Idempotency-Key", &key)
            .body(Full::default())?;
        if let Ok(r) = client.request(req).await {
            return Ok(r);
        }
    }
    Err(Error::GaveUp)
}

async fn key_first(client: &Client<C, Full<Bytes>>, url: &str, key: &str) -> Result<Response<Incoming>, Error> {
    for _ in 0..3 {
        let req = Request::builder().header("idempotency-key", key).method(Method::PUT).uri(url).body(Full::default())?;
        if let Ok(r) = client.request(req).await {
            return Ok(r);
        }
    }
    Err(Error::GaveUp)
}

async fn reads(client: &Client<C, Full<Bytes>>, url: &str) -> Result<Response<Incoming>, Error> {
    for _ in 0..3 {
        let req = Request::builder().method(Method::GET).uri(url).body(Full::default())?;
        if let Ok(r) = client.request(req).await {
            return Ok(r);
        }
        let req = Request::get(url).body(Full::default())?;
        if let Ok(r) = client.request(req).await {
            return Ok(r);
        }
    }
    Err(Error::GaveUp)
}

async fn once(client: &Client<C, Full<Bytes>>, url: &str) -> Result<Response<Incoming>, Error> {
    let req = Request::builder().method(Method::POST).uri(url).body(Full::default())?;
    Ok(client.request(req).await?)
}

async fn per_item(client: &Client<C, Full<Bytes>>, urls: Vec<String>) {
    for u in urls {
        let req = Request::post(u).body(Full::default()).unwrap();
        let _ = client.request(req).await;
    }
}
"#,
        );
    }

    #[test]
    fn fix_creates_key_before_the_loop() {
        check_fix(
            "retry-idempotency",
            "Add an idempotency key",
            "async fn f(c: &reqwest::Client) -> Result<reqwest::Response, reqwest::Error> {\n    for _ in 0..3 {\n        if let Ok(r) = c.post(\"http://x\").send().await {\n            return Ok(r);\n        }\n    }\n    todo!()\n}\n",
            "async fn f(c: &reqwest::Client) -> Result<reqwest::Response, reqwest::Error> {\n    let idempotency_key = uuid::Uuid::new_v4().to_string();\n    for _ in 0..3 {\n        if let Ok(r) = c.post(\"http://x\").header(\"Idempotency-Key\", &idempotency_key).send().await {\n            return Ok(r);\n        }\n    }\n    todo!()\n}\n",
        );
    }

    #[test]
    fn fix_adds_the_header_to_an_http_builder() {
        check_fix(
            "retry-idempotency",
            "Add an idempotency key",
            "async fn f(c: &Client) -> Result<Response<Incoming>, Error> {\n    for _ in 0..3 {\n        let req = http::Request::builder().method(http::Method::POST).uri(\"http://x\").body(Full::default())?;\n        if let Ok(r) = c.request(req).await {\n            return Ok(r);\n        }\n    }\n    todo!()\n}\n",
            "async fn f(c: &Client) -> Result<Response<Incoming>, Error> {\n    let idempotency_key = uuid::Uuid::new_v4().to_string();\n    for _ in 0..3 {\n        let req = http::Request::builder().method(http::Method::POST).header(\"Idempotency-Key\", &idempotency_key).uri(\"http://x\").body(Full::default())?;\n        if let Ok(r) = c.request(req).await {\n            return Ok(r);\n        }\n    }\n    todo!()\n}\n",
        );
    }

    #[test]
    fn fix_moves_per_attempt_key_out_of_the_loop() {
        check_fix(
            "retry-idempotency",
            "before the loop",
            "async fn f(c: &reqwest::Client) -> Result<reqwest::Response, reqwest::Error> {\n    for _ in 0..3 {\n        let key = uuid::Uuid::new_v4().to_string();\n        if let Ok(r) = c.post(\"http://x\").header(\"Idempotency-Key\", &key).send().await {\n            return Ok(r);\n        }\n    }\n    todo!()\n}\n",
            "async fn f(c: &reqwest::Client) -> Result<reqwest::Response, reqwest::Error> {\n    let key = uuid::Uuid::new_v4().to_string();\n    for _ in 0..3 {\n        if let Ok(r) = c.post(\"http://x\").header(\"Idempotency-Key\", &key).send().await {\n            return Ok(r);\n        }\n    }\n    todo!()\n}\n",
        );
    }
}
