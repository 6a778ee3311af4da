//! Channels whose queue the file shows cannot grow without limit: every send happens a fixed
//! number of times, or every message carries a reply channel that the sender then waits on.

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{ancestors, squash, Walk};

use super::super::helpers::{
    args_of, idents, in_macro, is_loop, is_screaming, method_call, simple_pattern_name,
};
use super::is_drop;

/// True when the channel's queue is visibly bounded (see the rule's known problems).
pub fn visibly_bounded(ctx: &Context<'_>, call: Node<'_>) -> bool {
    request_response_type(ctx, call)
        || receiver_collected(ctx, call)
        || producer_is_bounded(ctx, call).unwrap_or(false)
        || request_response_sends(ctx, call)
        || receiver_held_as_promise_or_drain(ctx, call)
        || producer_owned_by_consumer(ctx, call)
}

/// The sender is stored into a field of a local value (`conn.stream.notifications =
/// Some(tx);`, a plain field path, no method call on the way) and that value is moved into
/// the same struct expression as the receiver (`Self { connection: Some(conn), rx, .. }`),
/// and the creating function uses the sender nowhere else: the producer is owned by the
/// consumer, so it only runs when the consumer's owner drives it (sqlx's `PgListener`,
/// whose connection buffers notifications only while the listener itself reads from it).
/// A producer that hands its sender on to a task of its own is not seen.
fn producer_owned_by_consumer(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let (Some((l, tx)), Some((_, rx))) = (tuple_half(ctx, call, 0), tuple_half(ctx, call, 1))
    else {
        return false;
    };
    let Some(f) = ancestors(l).find(|a| a.kind() == "function_item") else {
        return false;
    };
    let uses: Vec<Node<'_>> = Walk::new(f)
        .filter(|n| n.kind() == "identifier" && n.start_byte() >= l.end_byte())
        .filter(|n| ctx.text(*n) == tx)
        .collect();
    let [u] = uses.as_slice() else {
        return false;
    };
    // `<local>.a.b = tx` or `= Some(tx)`.
    let mut v = *u;
    if let Some(c) = v
        .parent()
        .filter(|p| p.kind() == "arguments")
        .and_then(|a| {
            a.parent().filter(|c| {
                c.kind() == "call_expression"
                    && c.child_by_field_name("function")
                        .is_some_and(|f| ctx.text(f) == "Some")
                    && args_of(a).len() == 1
            })
        })
    {
        v = c;
    }
    let Some(assign) = v
        .parent()
        .filter(|p| p.kind() == "assignment_expression")
        .filter(|p| p.child_by_field_name("right") == Some(v))
    else {
        return false;
    };
    let Some(mut target) = assign.child_by_field_name("left") else {
        return false;
    };
    if target.kind() != "field_expression" {
        return false;
    }
    while target.kind() == "field_expression" {
        match target.child_by_field_name("value") {
            Some(x) => target = x,
            None => return false,
        }
    }
    if target.kind() != "identifier" || ctx.text(target) == "self" {
        return false;
    }
    let owner = ctx.text(target);
    // The struct expression after the assignment that stores both the receiver and the
    // owner of the sender (moved in whole: `owner` or `Some(owner)`).
    Walk::new(f)
        .filter(|n| n.kind() == "struct_expression" && n.start_byte() >= assign.end_byte())
        .any(|se| {
            let Some(body) = se.child_by_field_name("body") else {
                return false;
            };
            let values: Vec<String> = crate::syntax::named_children(body)
                .into_iter()
                .filter_map(|fi| match fi.kind() {
                    "shorthand_field_initializer" => Some(ctx.text(fi).to_string()),
                    "field_initializer" => {
                        fi.child_by_field_name("value").map(|v| squash(ctx.text(v)))
                    }
                    _ => None,
                })
                .collect();
            values.iter().any(|v| *v == rx)
                && values
                    .iter()
                    .any(|v| *v == owner || *v == format!("Some({owner})"))
        })
}

/// The sender's binding: the `let (tx, rx) = <call>;` and the name `tx` (`None` for `_`).
fn binding<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<(Node<'t>, Option<String>)> {
    let l = call.parent().filter(|p| p.kind() == "let_declaration")?;
    let pat = l
        .child_by_field_name("pattern")
        .filter(|p| p.kind() == "tuple_pattern")?;
    let first = pat.named_child(0)?;
    if ctx.text(first) == "_" {
        return Some((l, None));
    }
    Some((l, simple_pattern_name(ctx, first).map(String::from)))
}

/// The creating `let (tx, rx) = <call>;` and the name bound by element `i` of its tuple
/// pattern (0 the sender, 1 the receiver), when that element is a plain name.
fn tuple_half<'t>(ctx: &Context<'_>, call: Node<'t>, i: usize) -> Option<(Node<'t>, String)> {
    let l = call.parent().filter(|p| p.kind() == "let_declaration")?;
    let name = l
        .child_by_field_name("pattern")
        .filter(|p| p.kind() == "tuple_pattern")?
        .named_child(i)
        .and_then(|p| simple_pattern_name(ctx, p))?;
    Some((l, name.to_string()))
}

/// `unbounded_channel::<(Request, oneshot::Sender<Response>)>()`: each message carries its
/// reply channel.
fn request_response_type(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let mut t = String::new();
    if let Some(f) = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "generic_function")
    {
        if let Some(a) = f.child_by_field_name("type_arguments") {
            t.push_str(ctx.text(a));
        }
    }
    if let Some(ty) = call
        .parent()
        .filter(|p| p.kind() == "let_declaration")
        .and_then(|l| l.child_by_field_name("type"))
    {
        t.push_str(ctx.text(ty));
    }
    t.to_ascii_lowercase().contains("oneshot")
}

/// Sends (`send`, `unbounded_send`) on a struct field that holds this sender all carry a
/// reply made in the sending function that the caller waits for (see
/// [`carries_fresh_reply`]): request/response, so the queue holds at most one message per
/// waiting caller.
fn request_response_sends(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some((l, Some(name))) = binding(ctx, call) else {
        return false;
    };
    let Some(scope) = ancestors(l).find(|a| a.kind() == "function_item") else {
        return false;
    };
    let mut field: Option<(String, Node<'_>)> = None;
    for n in Walk::new(scope) {
        match n.kind() {
            "field_initializer" => {
                let v = n.child_by_field_name("value");
                if v.is_some_and(|v| ctx.text(v) == name) {
                    field = n
                        .child_by_field_name("field")
                        .map(|f| (ctx.text(f).to_string(), n));
                }
            }
            "shorthand_field_initializer" if ctx.text(n) == name => {
                field = Some((name.clone(), n));
            }
            _ => {}
        }
    }
    let Some((field, init)) = field else {
        return false;
    };
    // The struct the sender is stored in; only its own methods' sends are looked at.
    let Some(owner) = ancestors(init)
        .find(|a| a.kind() == "struct_expression")
        .and_then(|se| se.child_by_field_name("name"))
        .map(|n| base_name(ctx.text(n)))
    else {
        return false;
    };
    let mut sends = 0;
    for imp in impls_of(ctx, &owner) {
        for n in Walk::new(imp) {
            let Some(m) = method_call(n) else { continue };
            if !matches!(ctx.text(m.name), "send" | "unbounded_send") {
                continue;
            }
            let on_field = m.receiver.kind() == "field_expression"
                && m.receiver
                    .child_by_field_name("field")
                    .is_some_and(|f| ctx.text(f) == field);
            if !on_field || ancestors(n).find(|a| a.kind() == "impl_item") != Some(imp) {
                continue;
            }
            if !carries_fresh_reply(ctx, n, m) {
                return false;
            }
            sends += 1;
        }
    }
    sends > 0
}

/// `send` (on a struct field) passes a reply made in the sending function: the first half
/// of a `let (a, b) = <call>;` that is a `oneshot` channel, or whose other half `b` the
/// function awaits after the send (`b.await`, `b.wait_for_acknowledgment().await`: mongodb's
/// `AcknowledgedMessage::package`). The argument may name `a` itself or a local built from
/// it (`let request = Request { messages, sender: a };`).
fn carries_fresh_reply(
    ctx: &Context<'_>,
    n: Node<'_>,
    m: super::super::helpers::MethodCall<'_>,
) -> bool {
    let Some(f) = ancestors(n).find(|a| a.kind() == "function_item") else {
        return false;
    };
    let mut replies: Vec<String> = Vec::new();
    for x in Walk::new(f).filter(|x| x.kind() == "let_declaration") {
        let Some(value) = x.child_by_field_name("value") else {
            continue;
        };
        let Some(p) = x
            .child_by_field_name("pattern")
            .filter(|p| p.kind() == "tuple_pattern")
        else {
            continue;
        };
        let (Some(first), Some(second)) = (
            p.named_child(0).and_then(|h| simple_pattern_name(ctx, h)),
            p.named_child(1).and_then(|h| simple_pattern_name(ctx, h)),
        ) else {
            continue;
        };
        let oneshot = squash(ctx.text(value)).contains("oneshot::channel");
        let paired =
            value.kind() == "call_expression" && awaited_after(ctx, f, second, n.end_byte());
        if oneshot || paired {
            replies.push(first.to_string());
        }
    }
    if replies.is_empty() {
        return false;
    }
    // One step of `let` copies: `let request = Request { messages, sender };`.
    let mut carriers = replies.clone();
    for x in Walk::new(f).filter(|x| x.kind() == "let_declaration") {
        let (Some(v), Some(name)) = (
            x.child_by_field_name("value"),
            x.child_by_field_name("pattern")
                .and_then(|p| simple_pattern_name(ctx, p)),
        ) else {
            continue;
        };
        if x.end_byte() <= n.start_byte()
            && idents(ctx, v)
                .iter()
                .any(|i| replies.iter().any(|r| r == i))
        {
            carriers.push(name.to_string());
        }
    }
    args_of(m.args).iter().any(|a| {
        idents(ctx, *a)
            .iter()
            .any(|i| carriers.iter().any(|r| r == i))
    })
}

/// The function `f` awaits the value named `name` after byte `from`: `name.await`,
/// `(&mut name).await` or `name.method(..).await` (a future the value returns).
fn awaited_after(ctx: &Context<'_>, f: Node<'_>, name: &str, from: usize) -> bool {
    Walk::new(f).any(|aw| {
        if aw.kind() != "await_expression" || aw.start_byte() < from {
            return false;
        }
        let Some(mut e) = aw.named_child(0) else {
            return false;
        };
        loop {
            match e.kind() {
                "identifier" => return ctx.text(e) == name,
                "reference_expression" | "parenthesized_expression" => {
                    match e.named_child(e.named_child_count().saturating_sub(1)) {
                        Some(c) => e = c,
                        None => return false,
                    }
                }
                "call_expression" => match e
                    .child_by_field_name("function")
                    .filter(|c| c.kind() == "field_expression")
                    .and_then(|c| c.child_by_field_name("value"))
                {
                    Some(v) => e = v,
                    None => return false,
                },
                _ => return false,
            }
        }
    })
}

/// Byte offsets of `name` in `source` as a whole word (not inside a longer identifier).
fn word_occurrences<'s>(source: &'s str, name: &'s str) -> impl Iterator<Item = usize> + 's {
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let bytes = source.as_bytes();
    source
        .match_indices(name)
        .map(|(i, _)| i)
        .filter(move |&i| {
            (i == 0 || !ident(bytes[i - 1])) && bytes.get(i + name.len()).is_none_or(|&c| !ident(c))
        })
}

/// The `impl` blocks of the file whose type's base name is `name` (`impl Name`,
/// `impl<T> Name<T>`, `impl Trait for a::Name`). Found by a text search for the name and a
/// lookup of each occurrence that follows `impl`, `for`, `>` or `::`: a scan of the text, not
/// a walk of the tree or of the file's items (a generated file can have tens of thousands).
fn impls_of<'t>(ctx: &Context<'t>, name: &str) -> Vec<Node<'t>> {
    let mut out: Vec<Node<'t>> = Vec::new();
    for i in word_occurrences(ctx.source, name) {
        let before = ctx.source[..i].trim_end();
        if !(before.ends_with("impl")
            || before.ends_with("for")
            || before.ends_with('>')
            || before.ends_with("::"))
        {
            continue;
        }
        let Some(mut t) = ctx.root.descendant_for_byte_range(i, i + name.len()) else {
            continue;
        };
        // type_identifier → (scoped_type_identifier | generic_type)* → impl_item, as `type`.
        for _ in 0..4 {
            let Some(p) = t.parent() else { break };
            if p.kind() == "impl_item" {
                let is_type =
                    p.child_by_field_name("type") == Some(t) && base_name(ctx.text(t)) == name;
                if is_type && !out.contains(&p) {
                    out.push(p);
                }
                break;
            }
            if !matches!(p.kind(), "scoped_type_identifier" | "generic_type") {
                break;
            }
            t = p;
        }
    }
    out
}

/// Functions of the file named `name` (at any depth, trait items included), with the base
/// name of the `impl` type they are methods of (`None` otherwise). Found by a text search
/// for `fn name`, like [`impls_of`].
fn functions_named<'t>(ctx: &Context<'t>, name: &str) -> Vec<(Node<'t>, Option<String>)> {
    let mut out = Vec::new();
    for i in word_occurrences(ctx.source, name) {
        if !ctx.source[..i].trim_end().ends_with("fn") {
            continue;
        }
        let Some(n) = ctx.root.descendant_for_byte_range(i, i + name.len()) else {
            continue;
        };
        let Some(f) = n
            .parent()
            .filter(|f| f.kind() == "function_item" && f.child_by_field_name("name") == Some(n))
        else {
            continue;
        };
        let owner = f
            .parent()
            .filter(|b| b.kind() == "declaration_list")
            .and_then(|b| b.parent())
            .filter(|i| i.kind() == "impl_item")
            .and_then(|i| i.child_by_field_name("type"))
            .map(|t| base_name(ctx.text(t)));
        out.push((f, owner));
    }
    out
}

/// `a::B<T>` → `B`.
fn base_name(t: &str) -> String {
    let t = squash(t);
    let t = t.split('<').next().unwrap_or("");
    t.rsplit("::").next().unwrap_or(t).to_string()
}

/// One place where the sender is followed: the uses of `name` after byte `from` inside the
/// function `scope` (the creating function, or a function of the file it is passed to).
#[derive(Clone)]
struct Site<'t> {
    scope: Node<'t>,
    from: usize,
    name: String,
}

/// What one use of the sender does with it.
enum SenderUse<'t> {
    /// A send (`send`, `try_send`, ...): the `call_expression`.
    Send(Node<'t>),
    /// A use that queues nothing: `drop(tx)`, `tx.is_closed()`, a bare `tx;`.
    Inert,
    /// `let copy = tx.clone();`: the `let` and the new name.
    Copy(Node<'t>, String),
    /// `f(tx)`: the call and the argument's index.
    Passed(Node<'t>, usize),
}

/// Every use of the sender (and its clones) in the creating function is a send that runs a
/// fixed number of times per call (outside any loop other than one over a constant range, and
/// in no closure other than one handed to a `spawn`), or a `drop`, with at least one send:
/// the channel holds at most that many messages. A sender passed to a function of this file
/// (a free function, `Self::f`, `Type::f` or a method, the only one of its name) is followed
/// into that function's parameter.
/// `None` when the sender escapes where it cannot be followed.
fn producer_is_bounded(ctx: &Context<'_>, call: Node<'_>) -> Option<bool> {
    let (l, name) = binding(ctx, call)?;
    // A sender that is dropped at once or never used yet (code being typed in the editor)
    // shows no bound: keep reporting.
    let name = name?;
    let scope = ancestors(l).find(|a| a.kind() == "function_item")?;
    let mut sites = vec![Site {
        scope,
        from: l.end_byte(),
        name,
    }];
    let mut sends = 0usize;
    let mut i = 0;
    while i < sites.len() {
        let Site { scope, from, name } = sites[i].clone();
        i += 1;
        for n in super::uses_after(ctx, scope, from, &name) {
            if in_macro(n) {
                return None;
            }
            if rebinding_of_itself(ctx, n)? {
                continue;
            }
            match sender_use(ctx, n)? {
                SenderUse::Send(c) => {
                    if !runs_fixed_times(ctx, c, scope) {
                        return Some(false);
                    }
                    sends += 1;
                }
                SenderUse::Inert => {}
                SenderUse::Copy(decl, nm) => {
                    if sites.len() > 32 {
                        return None;
                    }
                    sites.push(Site {
                        scope,
                        from: decl.end_byte(),
                        name: nm,
                    });
                }
                SenderUse::Passed(c, idx) => {
                    if !runs_fixed_times(ctx, c, scope) || sites.len() > 32 {
                        return None;
                    }
                    let (f, param) = callee_parameter(ctx, c, idx)?;
                    let body = f.child_by_field_name("body")?;
                    sites.push(Site {
                        scope: f,
                        from: body.start_byte(),
                        name: param,
                    });
                }
            }
        }
    }
    Some(sends > 0)
}

/// For an identifier that is the pattern of a `let`: `Some(true)` when the `let` re-binds
/// the same name from itself (`let tx = tx.clone();`, followed through its value), `None`
/// when the name is shadowed by another value (uses after it are not the sender), and
/// `Some(false)` when the identifier is not a `let` pattern.
fn rebinding_of_itself(ctx: &Context<'_>, n: Node<'_>) -> Option<bool> {
    let mut p = n.parent()?;
    if p.kind() == "mut_pattern" {
        p = p.parent()?;
    }
    if p.kind() != "let_declaration" {
        return Some(false);
    }
    let pattern = p.child_by_field_name("pattern")?;
    let is_pattern =
        pattern == n || (pattern.kind() == "mut_pattern" && n.parent() == Some(pattern));
    if !is_pattern {
        return Some(false);
    }
    let value = p.child_by_field_name("value")?;
    let name = ctx.text(n);
    Walk::new(value)
        .any(|x| x.kind() == "identifier" && ctx.text(x) == name)
        .then_some(true)
}

/// Classifies one use of the sender (`n`, an identifier naming it).
fn sender_use<'t>(ctx: &Context<'_>, n: Node<'t>) -> Option<SenderUse<'t>> {
    let mut e = n;
    loop {
        let p = e.parent()?;
        match p.kind() {
            "reference_expression" | "parenthesized_expression" => e = p,
            "field_expression" if p.child_by_field_name("value") == Some(e) => {
                let c = p.parent().filter(|c| c.kind() == "call_expression")?;
                let m = method_call(c)?;
                match ctx.text(m.name) {
                    "send" | "try_send" | "send_async" | "unbounded_send" | "blocking_send"
                    | "send_timeout" | "send_deadline" => return Some(SenderUse::Send(c)),
                    "clone" => e = c,
                    "is_closed" | "closed" | "len" | "is_empty" | "same_channel"
                    | "is_disconnected" | "sender_count" | "receiver_count" => {
                        return Some(SenderUse::Inert)
                    }
                    _ => return None,
                }
            }
            "let_declaration" if p.child_by_field_name("value") == Some(e) => {
                let nm = p
                    .child_by_field_name("pattern")
                    .and_then(|x| simple_pattern_name(ctx, x))?;
                return Some(SenderUse::Copy(p, nm.to_string()));
            }
            "arguments" => {
                let c = p.parent()?;
                let callee = c.child_by_field_name("function")?;
                if is_drop(ctx, callee) {
                    return Some(SenderUse::Inert);
                }
                let idx = args_of(p).iter().position(|a| *a == e)?;
                return Some(SenderUse::Passed(c, idx));
            }
            "expression_statement" => return Some(SenderUse::Inert),
            _ => return None,
        }
    }
}

/// The function of this file that `call` calls, and the name of its parameter that receives
/// argument `idx`. Only a function that is the only one of its name in the file, and whose
/// name is not also imported: a free function for `f(..)`, a function in an `impl` for
/// `Self::f(..)` / `Type::f(..)` (of that type) and a method for `x.f(..)`.
fn callee_parameter<'t>(
    ctx: &Context<'t>,
    call: Node<'_>,
    idx: usize,
) -> Option<(Node<'t>, String)> {
    let mut callee = call.child_by_field_name("function")?;
    if callee.kind() == "generic_function" {
        callee = callee.child_by_field_name("function")?;
    }
    // (name, the owner type's base name for paths, method-call syntax)
    let (fname, owner, method) = match callee.kind() {
        "identifier" => (ctx.text(callee), None, false),
        "scoped_identifier" => {
            let path = callee.child_by_field_name("path")?;
            let name = callee.child_by_field_name("name")?;
            (ctx.text(name), Some(ctx.text(path)), false)
        }
        "field_expression" => (ctx.text(callee.child_by_field_name("field")?), None, true),
        _ => return None,
    };
    if ctx.imports.names.contains_key(fname) {
        return None;
    }
    let found = functions_named(ctx, fname);
    let [(f, impl_type)] = found.as_slice() else {
        return None;
    };
    let f = *f;
    match (owner, impl_type) {
        (None, None) if !method => {}
        (None, Some(_)) if method => {}
        (Some("Self"), Some(_)) => {}
        (Some(o), Some(t)) if base_name(o) == *t => {}
        _ => return None,
    }
    let params = f.child_by_field_name("parameters")?;
    let all = crate::syntax::named_children(params);
    let has_self = all.iter().any(|p| p.kind() == "self_parameter");
    let plain: Vec<Node<'t>> = all
        .into_iter()
        .filter(|p| p.kind() == "parameter")
        .collect();
    let idx = if has_self && !method {
        idx.checked_sub(1)?
    } else {
        idx
    };
    let p = plain.get(idx)?;
    let name = p
        .child_by_field_name("pattern")
        .and_then(|x| simple_pattern_name(ctx, x))?;
    Some((f, name.to_string()))
}

/// The receiver half is only ever collected (`rx.iter().collect()`, `rx.try_iter()
/// .collect()`, `rx.into_iter().collect()`, `rx.collect()`) in the creating function, outside
/// any loop or closure the channel was not created in: every message ends up held in the
/// collection anyway, so a capacity would not bound memory, and there is no consumer that
/// can fall behind.
fn receiver_collected(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some((l, name)) = tuple_half(ctx, call, 1) else {
        return false;
    };
    let Some(scope) = ancestors(l).find(|a| a.kind() == "function_item") else {
        return false;
    };
    let mut collected = 0;
    let mut w = Walk::new(scope);
    while let Some(n) = w.next() {
        if n.kind() == "function_item" && n != scope {
            w.skip_subtree();
            continue;
        }
        if n.kind() != "identifier" || n.start_byte() < l.end_byte() || ctx.text(n) != name {
            continue;
        }
        if in_macro(n) {
            return false;
        }
        let Some(m) = n.parent().and_then(|f| f.parent()).and_then(method_call) else {
            return false;
        };
        if m.receiver != n {
            return false;
        }
        let collect = match ctx.text(m.name) {
            "collect" => m.call,
            "iter" | "try_iter" | "into_iter" => {
                match m
                    .call
                    .parent()
                    .and_then(|f| f.parent())
                    .and_then(method_call)
                {
                    Some(c) if c.receiver == m.call && ctx.text(c.name) == "collect" => c.call,
                    _ => return false,
                }
            }
            _ => return false,
        };
        // A collect in a loop or closure that does not also create the channel is a
        // consumer draining batches: not this shape.
        for a in ancestors(collect) {
            if a == scope || (a.start_byte() <= l.start_byte() && l.end_byte() <= a.end_byte()) {
                break;
            }
            if is_loop(a) || a.kind() == "closure_expression" {
                return false;
            }
        }
        collected += 1;
    }
    collected > 0
}

/// The struct field one half of the channel is stored in, when its only use after the
/// creating `let` is a struct expression of this file's type: `T { rx }`, `T { field: rx }`,
/// `T(rx)` (a tuple struct; the field is `0`, `1`, ...) or `Self { .. }` / `Self(..)` in an
/// `impl` of `T`. `None` for any other use or more than one.
fn holder<'t>(ctx: &Context<'_>, l: Node<'t>, name: &str) -> Option<(String, String)> {
    let scope = ancestors(l).find(|a| a.kind() == "function_item")?;
    let mut uses = super::uses_after(ctx, scope, l.end_byte(), name);
    let n = uses.next()?;
    if uses.next().is_some() || in_macro(n) {
        return None;
    }
    let p = n.parent()?;
    let (ty, field) = match p.kind() {
        "shorthand_field_initializer" => {
            let se = p.parent()?.parent()?;
            (se.child_by_field_name("name")?, name.to_string())
        }
        "field_initializer" if p.child_by_field_name("value") == Some(n) => {
            let se = p.parent()?.parent()?;
            let f = p.child_by_field_name("field")?;
            (se.child_by_field_name("name")?, ctx.text(f).to_string())
        }
        "arguments" => {
            let c = p.parent().filter(|c| c.kind() == "call_expression")?;
            let idx = args_of(p).iter().position(|a| *a == n)?;
            (c.child_by_field_name("function")?, idx.to_string())
        }
        _ => return None,
    };
    if ty.parent().is_some_and(|s| s.kind() == "arguments") {
        return None;
    }
    let mut base = base_name(ctx.text(ty));
    if base == "Self" {
        let imp = ancestors(l).find(|a| a.kind() == "impl_item")?;
        base = base_name(ctx.text(imp.child_by_field_name("type")?));
    }
    // A tuple struct's name is a type: `CompileCommands(rx)`, not `wrap(rx)`.
    base.starts_with(|c: char| c.is_ascii_uppercase())
        .then_some((base, field))
}

/// The method calls on `self.<field>` in the `impl` blocks of `ty`, with the `fn` each is
/// in and the trait the `impl` implements (its base name, `None` for an inherent `impl`).
/// `None` when the field is used there other than as a method call's receiver.
#[allow(clippy::type_complexity)]
fn field_calls<'t>(
    ctx: &Context<'t>,
    ty: &str,
    field: &str,
) -> Option<
    Vec<(
        super::super::helpers::MethodCall<'t>,
        Node<'t>,
        Option<String>,
    )>,
> {
    let mut out = Vec::new();
    for imp in impls_of(ctx, ty) {
        let tr = imp
            .child_by_field_name("trait")
            .map(|t| base_name(ctx.text(t)));
        for n in Walk::new(imp) {
            if n.kind() != "field_expression"
                || !n
                    .child_by_field_name("field")
                    .is_some_and(|f| ctx.text(f) == field)
                || !n
                    .child_by_field_name("value")
                    .is_some_and(|v| v.kind() == "self")
            {
                continue;
            }
            let m = n
                .parent()
                .filter(|p| p.kind() == "field_expression")
                .and_then(|p| p.parent())
                .and_then(method_call)
                .filter(|m| m.receiver == n)?;
            let f = ancestors(n).find(|a| a.kind() == "function_item")?;
            out.push((m, f, tr.clone()));
        }
    }
    Some(out)
}

/// The receiver is stored in a struct field that is read in one of two shapes whose queue
/// cannot build up behind a consumer that falls behind:
///
/// - a **drain**: every read is `self.rx.try_recv()` in `Iterator::next` of the holding type
///   (outside any loop): the iterator ends at the first moment the queue is empty, so it
///   only reads what was produced before — every message is held until then anyway, like a
///   `Vec`, and a capacity would block the producers, since nothing reads while they run
///   (cc's `CompileCommands`);
/// - a **promise**: the holding type implements `Future` (and neither `Stream` nor
///   `Iterator`), every read is one `recv`/`try_recv`/`recv_async` per call (outside any loop
///   or closure), and the sender is stored in a struct field too whose every send runs once
///   per call of its method: a value handed over once and awaited once (pinky-swear's
///   `PinkySwear`/`Pinky`).
fn receiver_held_as_promise_or_drain(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some((l, rx)) = tuple_half(ctx, call, 1) else {
        return false;
    };
    let Some((rx_ty, rx_field)) = holder(ctx, l, &rx) else {
        return false;
    };
    let Some(reads) = field_calls(ctx, &rx_ty, &rx_field) else {
        return false;
    };
    if reads.is_empty() {
        return false;
    }
    let once = |m: &super::super::helpers::MethodCall<'_>, f: Node<'_>| {
        !ancestors(m.call)
            .take_while(|a| *a != f)
            .any(|a| is_loop(a) || a.kind() == "closure_expression")
    };
    let drain = reads.iter().all(|(m, f, tr)| {
        ctx.text(m.name) == "try_recv"
            && tr.as_deref() == Some("Iterator")
            && f.child_by_field_name("name")
                .is_some_and(|n| ctx.text(n) == "next")
            && once(m, *f)
    });
    if drain {
        return true;
    }
    let traits: Vec<Option<String>> = impls_of(ctx, &rx_ty)
        .into_iter()
        .map(|i| {
            i.child_by_field_name("trait")
                .map(|t| base_name(ctx.text(t)))
        })
        .collect();
    let is_future = traits.iter().any(|t| t.as_deref() == Some("Future"));
    let is_sequence = traits.iter().any(|t| {
        matches!(
            t.as_deref(),
            Some("Stream" | "Iterator" | "AsyncIterator" | "FusedStream")
        )
    });
    let reads_once = reads.iter().all(|(m, f, _)| {
        matches!(
            ctx.text(m.name),
            "recv" | "try_recv" | "recv_async" | "recv_timeout" | "blocking_recv"
        ) && once(m, *f)
    });
    if !is_future || is_sequence || !reads_once {
        return false;
    }
    // The sender's side: stored in a struct field, sent on at most once per method call.
    let Some((tx_ty, tx_field)) = tuple_half(ctx, call, 0).and_then(|(_, tx)| holder(ctx, l, &tx))
    else {
        return false;
    };
    let Some(uses) = field_calls(ctx, &tx_ty, &tx_field) else {
        return false;
    };
    let mut sends = 0;
    for (m, f, _) in &uses {
        match ctx.text(m.name) {
            "send" | "try_send" | "send_async" | "send_timeout" => {
                if !once(m, *f) {
                    return false;
                }
                sends += 1;
            }
            "clone" | "is_disconnected" | "is_closed" | "same_channel" => {}
            _ => return false,
        }
    }
    sends > 0
}

/// Whether `send` runs a fixed number of times per call of `scope`: inside no loop other
/// than a `for` over a constant range or an array literal, and inside no closure other than
/// one handed to a `spawn` (which runs it once).
fn runs_fixed_times(ctx: &Context<'_>, send: Node<'_>, scope: Node<'_>) -> bool {
    for a in ancestors(send) {
        if a == scope {
            return true;
        }
        if is_loop(a) && !constant_trip_count(ctx, a) {
            return false;
        }
        if a.kind() == "closure_expression" {
            let spawned = a
                .parent()
                .filter(|p| p.kind() == "arguments")
                .and_then(|p| p.parent())
                .and_then(|c| c.child_by_field_name("function"))
                .is_some_and(|f| squash(ctx.text(f)).ends_with("spawn"));
            if !spawned {
                return false;
            }
        }
    }
    true
}

/// `for _ in 0..N` (ends that are integer literals or `SCREAMING_CASE` constants) and
/// `for x in [a, b, c]` / `[x; N]`: a loop that runs a number of times fixed in the source.
fn constant_trip_count(ctx: &Context<'_>, l: Node<'_>) -> bool {
    if l.kind() != "for_expression" {
        return false;
    }
    let Some(v) = l.child_by_field_name("value") else {
        return false;
    };
    let constant = |n: Node<'_>| match n.kind() {
        "integer_literal" => true,
        "identifier" => is_screaming(ctx.text(n)),
        "scoped_identifier" => n
            .child_by_field_name("name")
            .is_some_and(|x| is_screaming(ctx.text(x))),
        _ => false,
    };
    match v.kind() {
        "range_expression" => {
            // `0..N`, `0..=N`, `..N`; not `0..` (no end).
            let ends = crate::syntax::named_children(v);
            let closed = v
                .child(v.child_count().saturating_sub(1))
                .is_some_and(|last| last.is_named());
            closed && ends.into_iter().all(constant)
        }
        "array_expression" => v.child_by_field_name("length").is_none_or(constant),
        _ => false,
    }
}
