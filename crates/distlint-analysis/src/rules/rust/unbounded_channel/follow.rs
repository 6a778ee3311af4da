//! Following a channel's sender through the file: type mentions, `use` declarations, bindings,
//! clones, fields, parameters and sends. Every function returns `Err(reason)` as soon as it
//! meets something it cannot follow; the reason ends up in the action title.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::rule::{Context, TextEdit};
use crate::syntax::{ancestors, rust_in_async, squash, Walk};

use super::super::helpers::{args_of, in_macro, method_call, simple_pattern_name};
use super::unbounded_constructor;
use super::ChannelKind;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Tokio,
    Futures,
}

impl Flavor {
    fn module(self) -> &'static str {
        match self {
            Flavor::Tokio => "tokio::sync::mpsc",
            Flavor::Futures => "futures::channel::mpsc",
        }
    }
    fn kind(self) -> ChannelKind {
        match self {
            Flavor::Tokio => ChannelKind::Tokio,
            Flavor::Futures => ChannelKind::Futures,
        }
    }
}

type R<T> = Result<T, &'static str>;

/// A type written in the file that names `module::name` (through imports).
struct Mention<'t> {
    node: Node<'t>,
    /// The written name equals the canonical one (not an alias), so it is renamed in place.
    canonical: bool,
}

fn module_matches(full: &str, module: &str, name: &str) -> bool {
    if full == format!("{module}::{name}") {
        return true;
    }
    // futures re-exports: `futures_channel::mpsc::X`.
    module == "futures::channel::mpsc" && full == format!("futures_channel::mpsc::{name}")
}

fn mentions<'t>(ctx: &Context<'_>, root: Node<'t>, module: &str, name: &str) -> Vec<Mention<'t>> {
    let mut out = Vec::new();
    for n in Walk::new(root) {
        if n.kind() != "type_identifier" {
            continue;
        }
        let path = match n.parent() {
            Some(p)
                if p.kind() == "scoped_type_identifier"
                    && p.child_by_field_name("name") == Some(n) =>
            {
                squash(ctx.text(p))
            }
            _ => ctx.text(n).to_string(),
        };
        let full = ctx.imports.resolve_rust(&path);
        if module_matches(&full, module, name) {
            out.push(Mention {
                node: n,
                canonical: ctx.text(n) == name,
            });
        }
    }
    out
}

/// Edits renaming `old` to `new` in `use` declarations that import it from `module`.
fn use_edits(ctx: &Context<'_>, module: &str, old: &str, new: &str) -> R<Vec<TextEdit>> {
    let imported = ctx
        .imports
        .names
        .iter()
        .filter(|(_, full)| module_matches(full, module, old))
        .map(|(local, _)| local.clone())
        .collect::<Vec<_>>();
    if imported.is_empty() {
        return Ok(Vec::new());
    }
    if imported.iter().any(|l| l == old) && ctx.imports.names.contains_key(new) {
        return Err("the bounded type's name is already imported");
    }
    let crate_name = module.split("::").next().unwrap_or("");
    let mut edits = Vec::new();
    for n in Walk::new(ctx.root) {
        if n.kind() != "use_declaration" || !ctx.text(n).contains(crate_name) {
            continue;
        }
        for id in Walk::new(n) {
            if id.kind() == "identifier" && ctx.text(id) == old {
                edits.push(TextEdit::replace(id.byte_range(), new));
            }
        }
    }
    Ok(edits)
}

/// Expressions other than types that spell the type's name (`UnboundedSender::clone(&tx)`).
fn named_in_expressions(ctx: &Context<'_>, name: &str) -> bool {
    Walk::new(ctx.root).any(|n| {
        n.kind() == "identifier"
            && ctx.text(n) == name
            && !ancestors(n).any(|a| a.kind() == "use_declaration")
    })
}

fn constructors_in_file(ctx: &Context<'_>, kind: ChannelKind) -> usize {
    Walk::new(ctx.root)
        .filter(|n| n.kind() == "call_expression")
        .filter(|n| unbounded_constructor(ctx, *n).is_some_and(|(k, _, _)| k == kind))
        .count()
}

/// The sender half bound by `let (tx, rx) = <call>;`: `Ok(None)` for `_`.
fn sender_binding<'t>(ctx: &Context<'_>, call: Node<'t>) -> R<Option<(Node<'t>, String)>> {
    let let_decl = call
        .parent()
        .filter(|p| p.kind() == "let_declaration")
        .ok_or("the channel is not bound by `let (tx, rx) = …`")?;
    let pat = let_decl
        .child_by_field_name("pattern")
        .filter(|p| p.kind() == "tuple_pattern")
        .ok_or("the channel is not bound by `let (tx, rx) = …`")?;
    let first = pat
        .named_child(0)
        .ok_or("the channel is not bound by `let (tx, rx) = …`")?;
    if ctx.text(first) == "_" {
        return Ok(None);
    }
    let name = simple_pattern_name(ctx, first).ok_or("the sender pattern is not a plain name")?;
    Ok(Some((let_decl, name.to_string())))
}

/// Where a sender lives.
#[derive(Default)]
struct Tracked<'t> {
    /// (scope, first byte after the binding, name)
    locals: Vec<(Node<'t>, usize, String)>,
    /// Struct fields typed as the sender.
    fields: HashSet<String>,
    /// (function name, index among non-self parameters) typed as the sender.
    params: HashSet<(String, usize)>,
}

fn scope_of(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| matches!(a.kind(), "function_item" | "closure_expression"))
}

/// Records where a sender-typed mention puts a sender; `Err` for positions not followed.
fn track_mention<'t>(ctx: &Context<'_>, m: Node<'t>, t: &mut Tracked<'t>) -> R<()> {
    let mut node = m;
    if let Some(p) = node
        .parent()
        .filter(|p| p.kind() == "scoped_type_identifier")
    {
        node = p;
    }
    if let Some(p) = node.parent().filter(|p| p.kind() == "generic_type") {
        node = p;
    }
    while let Some(p) = node.parent().filter(|p| p.kind() == "reference_type") {
        node = p;
    }
    let p = node
        .parent()
        .ok_or("a sender type is used where it cannot be followed")?;
    let is_type = p.child_by_field_name("type") == Some(node);
    match p.kind() {
        "parameter" if is_type => {
            let name = p
                .child_by_field_name("pattern")
                .and_then(|x| simple_pattern_name(ctx, x))
                .ok_or("a sender parameter is not a plain name")?;
            let scope = scope_of(p).ok_or("a sender parameter outside a function")?;
            let body = scope
                .child_by_field_name("body")
                .ok_or("a sender parameter outside a function")?;
            t.locals.push((body, body.start_byte(), name.to_string()));
            if scope.kind() == "function_item" {
                let fname = scope
                    .child_by_field_name("name")
                    .map(|n| ctx.text(n).to_string())
                    .unwrap_or_default();
                let params = p.parent().ok_or("no parameter list")?;
                let idx = crate::syntax::named_children(params)
                    .into_iter()
                    .filter(|x| x.kind() == "parameter")
                    .position(|x| x == p)
                    .ok_or("no parameter index")?;
                t.params.insert((fname, idx));
            }
            Ok(())
        }
        "field_declaration" if is_type => {
            let name = p.child_by_field_name("name").ok_or("unnamed field")?;
            t.fields.insert(ctx.text(name).to_string());
            Ok(())
        }
        "let_declaration" if is_type => {
            let name = p
                .child_by_field_name("pattern")
                .and_then(|x| simple_pattern_name(ctx, x))
                .ok_or("a sender `let` is not a plain name")?;
            let scope = scope_of(p).ok_or("a sender outside a function")?;
            t.locals.push((scope, p.end_byte(), name.to_string()));
            Ok(())
        }
        _ => Err("a sender type is used where it cannot be followed (a collection, an `Option`, a return type)"),
    }
}

/// Fields named like a tracked field must all be declared with the sender type.
fn fields_unambiguous(ctx: &Context<'_>, t: &Tracked<'_>, sender_mentions: &[Node<'_>]) -> R<()> {
    for n in Walk::new(ctx.root) {
        if n.kind() != "field_declaration" {
            continue;
        }
        let Some(name) = n.child_by_field_name("name") else {
            continue;
        };
        if !t.fields.contains(ctx.text(name)) {
            continue;
        }
        let ty = n.child_by_field_name("type");
        let ok = ty.is_some_and(|ty| {
            sender_mentions
                .iter()
                .any(|m| ty.start_byte() <= m.start_byte() && m.end_byte() <= ty.end_byte())
        });
        if !ok {
            return Err("another struct has a field of the same name with a different type");
        }
    }
    Ok(())
}

/// What happens to a sender value at `e`.
enum Use<'t> {
    Fine,
    Send(Node<'t>),
    NewLocal(Node<'t>, String),
}

fn classify<'t>(ctx: &Context<'_>, flavor: Flavor, t: &Tracked<'_>, mut e: Node<'t>) -> R<Use<'t>> {
    if in_macro(e) {
        return Err("a sender is used inside a macro");
    }
    loop {
        let p = e
            .parent()
            .ok_or("a sender is used where it cannot be followed")?;
        match p.kind() {
            "reference_expression" | "parenthesized_expression" | "unary_expression" => e = p,
            "field_expression" if p.child_by_field_name("value") == Some(e) => {
                let call = p
                    .parent()
                    .filter(|c| {
                        c.kind() == "call_expression"
                            && c.child_by_field_name("function") == Some(p)
                    })
                    .ok_or("a sender's field is read")?;
                let m = method_call(call).ok_or("a sender is used where it cannot be followed")?;
                let name = ctx.text(m.name);
                match (flavor, name) {
                    (_, "clone") => e = call,
                    (Flavor::Tokio, "send") => return Ok(Use::Send(call)),
                    (Flavor::Tokio, "is_closed" | "closed" | "same_channel") => {
                        return Ok(Use::Fine)
                    }
                    (Flavor::Futures, "unbounded_send") => {
                        return Err("`unbounded_send` has no like-for-like bounded form")
                    }
                    (
                        Flavor::Futures,
                        "send" | "feed" | "send_all" | "flush" | "close" | "close_channel"
                        | "is_closed" | "disconnect" | "same_receiver" | "is_connected_to",
                    ) => return Ok(Use::Fine),
                    _ => return Err("a sender method has no bounded equivalent"),
                }
            }
            "let_declaration" if p.child_by_field_name("value") == Some(e) => {
                let name = p
                    .child_by_field_name("pattern")
                    .and_then(|x| simple_pattern_name(ctx, x))
                    .ok_or("a sender is destructured")?;
                return Ok(Use::NewLocal(p, name.to_string()));
            }
            "arguments" => {
                let call = p.parent().ok_or("no call")?;
                let idx = args_of(p)
                    .iter()
                    .position(|a| *a == e)
                    .ok_or("no argument index")?;
                let callee = call.child_by_field_name("function").ok_or("no callee")?;
                let fname = match callee.kind() {
                    "identifier" => ctx.text(callee),
                    "scoped_identifier" | "field_expression" => callee
                        .child_by_field_name("name")
                        .or_else(|| callee.child_by_field_name("field"))
                        .map(|n| ctx.text(n))
                        .unwrap_or(""),
                    _ => "",
                };
                if super::is_drop(ctx, callee) {
                    return Ok(Use::Fine);
                }
                if t.params.contains(&(fname.to_string(), idx)) && all_fns_named(ctx, fname, idx, t)
                {
                    return Ok(Use::Fine);
                }
                return Err("a sender is passed to a function outside this file");
            }
            "field_initializer" => {
                let f = p
                    .child_by_field_name("field")
                    .map(|f| ctx.text(f))
                    .unwrap_or("");
                return if t.fields.contains(f) {
                    Ok(Use::Fine)
                } else {
                    Err("a sender is stored in a field of another type")
                };
            }
            "shorthand_field_initializer" => {
                return if t.fields.contains(ctx.text(e)) {
                    Ok(Use::Fine)
                } else {
                    Err("a sender is stored in a field of another type")
                };
            }
            "expression_statement" => return Ok(Use::Fine),
            _ => return Err("a sender escapes where it cannot be followed"),
        }
    }
}

/// Every function in the file named `fname` has a tracked sender parameter at `idx`.
fn all_fns_named(ctx: &Context<'_>, fname: &str, idx: usize, t: &Tracked<'_>) -> bool {
    let _ = idx;
    let fns: Vec<Node<'_>> = Walk::new(ctx.root)
        .filter(|n| n.kind() == "function_item")
        .filter(|n| {
            n.child_by_field_name("name")
                .is_some_and(|x| ctx.text(x) == fname)
        })
        .collect();
    !fns.is_empty() && t.params.iter().filter(|(n, _)| n == fname).count() >= 1 && fns.len() == 1
}

/// The edit that makes a tokio `send` wait for capacity: `.await` in async code, otherwise
/// `blocking_send` (only where that cannot run on a runtime thread as far as the file shows).
fn send_edit(ctx: &Context<'_>, send: Node<'_>) -> R<TextEdit> {
    if send
        .parent()
        .is_some_and(|p| p.kind() == "await_expression")
    {
        return Err("a send is already awaited");
    }
    if rust_in_async(ctx.source, send) {
        return Ok(TextEdit::insert(send.end_byte(), ".await"));
    }
    let m = method_call(send).ok_or("not a method call")?;
    let boundary = ancestors(send)
        .find(|a| matches!(a.kind(), "function_item" | "closure_expression"))
        .ok_or("a send outside any function")?;
    if boundary.kind() == "closure_expression" {
        // Only closures handed to a thread (`std::thread::spawn`, `spawn_blocking`) are known
        // to run off the runtime, where `blocking_send` is allowed.
        let spawned = boundary
            .parent()
            .filter(|a| a.kind() == "arguments")
            .and_then(|a| a.parent())
            .and_then(|c| c.child_by_field_name("function"))
            .is_some_and(|f| {
                let t = squash(ctx.text(f));
                t.ends_with("thread::spawn")
                    || t.ends_with("spawn_blocking")
                    || t.ends_with(".spawn")
            });
        if !spawned {
            return Err("a send inside a closure that may run on the async runtime");
        }
        return Ok(TextEdit::replace(m.name.byte_range(), "blocking_send"));
    }
    let fname = boundary
        .child_by_field_name("name")
        .map(|n| ctx.text(n))
        .unwrap_or("");
    let called_from_async = Walk::new(ctx.root).any(|c| {
        if c.kind() != "call_expression" {
            return false;
        }
        let Some(f) = c.child_by_field_name("function") else {
            return false;
        };
        let last = match f.kind() {
            "identifier" => Some(f),
            "scoped_identifier" => f.child_by_field_name("name"),
            "field_expression" => f.child_by_field_name("field"),
            _ => None,
        };
        last.is_some_and(|l| ctx.text(l) == fname) && rust_in_async(ctx.source, c)
    });
    if called_from_async {
        return Err("a synchronous function that sends is called from async code (`blocking_send` would panic there)");
    }
    Ok(TextEdit::replace(m.name.byte_range(), "blocking_send"))
}

/// Type renames, `use` renames and send rewrites for a tokio or futures channel.
pub fn typed_edits(ctx: &Context<'_>, call: Node<'_>, flavor: Flavor) -> R<Vec<TextEdit>> {
    let module = flavor.module();
    let senders = mentions(ctx, ctx.root, module, "UnboundedSender");
    let receivers = mentions(ctx, ctx.root, module, "UnboundedReceiver");
    for odd in ["WeakUnboundedSender", "UnboundedReceiverStream"] {
        if Walk::new(ctx.root).any(|n| ctx.text(n) == odd && n.child_count() == 0) {
            return Err("the file uses a wrapper of the unbounded types");
        }
    }
    if (!senders.is_empty() || !receivers.is_empty())
        && constructors_in_file(ctx, flavor.kind()) > 1
    {
        return Err("several unbounded channels in this file share the sender and receiver types");
    }
    if named_in_expressions(ctx, "UnboundedSender")
        || named_in_expressions(ctx, "UnboundedReceiver")
    {
        return Err("a sender or receiver type is named in an expression");
    }
    let mut edits = Vec::new();
    for m in senders.iter().filter(|m| m.canonical) {
        edits.push(TextEdit::replace(m.node.byte_range(), "Sender"));
    }
    for m in receivers.iter().filter(|m| m.canonical) {
        edits.push(TextEdit::replace(m.node.byte_range(), "Receiver"));
    }
    edits.extend(use_edits(ctx, module, "UnboundedSender", "Sender")?);
    edits.extend(use_edits(ctx, module, "UnboundedReceiver", "Receiver")?);

    let mut t = Tracked::default();
    for m in &senders {
        track_mention(ctx, m.node, &mut t)?;
    }
    let sender_nodes: Vec<Node<'_>> = senders.iter().map(|m| m.node).collect();
    fields_unambiguous(ctx, &t, &sender_nodes)?;
    if let Some((let_decl, name)) = sender_binding(ctx, call)? {
        let scope = scope_of(let_decl).ok_or("the channel is created outside a function")?;
        t.locals.push((scope, let_decl.end_byte(), name));
    }
    let mut uses: Vec<Node<'_>> = Vec::new();
    let mut i = 0;
    while i < t.locals.len() {
        let (scope, from, name) = t.locals[i].clone();
        i += 1;
        for n in super::uses_after(ctx, scope, from, &name) {
            match classify(ctx, flavor, &t, n)? {
                Use::Fine => {}
                Use::Send(s) => uses.push(s),
                Use::NewLocal(l, nm) => {
                    let sc = scope_of(l).ok_or("no scope")?;
                    if t.locals.len() > 64 {
                        return Err("too many sender copies to follow");
                    }
                    t.locals.push((sc, l.end_byte(), nm));
                }
            }
        }
    }
    if !t.fields.is_empty() {
        for n in Walk::new(ctx.root) {
            if n.kind() != "field_expression" {
                continue;
            }
            let Some(f) = n.child_by_field_name("field") else {
                continue;
            };
            if !t.fields.contains(ctx.text(f)) {
                continue;
            }
            match classify(ctx, flavor, &t, n)? {
                Use::Fine => {}
                Use::Send(s) => uses.push(s),
                Use::NewLocal(..) => {
                    return Err("a sender field is copied into a variable");
                }
            }
        }
    }
    if flavor == Flavor::Tokio {
        uses.sort_by_key(|n| n.start_byte());
        uses.dedup();
        for s in uses {
            edits.push(send_edit(ctx, s)?);
        }
    }
    Ok(edits)
}

/// For `std::sync::mpsc::channel()` → `sync_channel(N)`: `Sender` types become `SyncSender`
/// (same `send`/`clone` API), when this is the only std channel created in the file.
pub fn std_type_edits(ctx: &Context<'_>, _call: Node<'_>) -> R<Vec<TextEdit>> {
    let module = "std::sync::mpsc";
    let senders = mentions(ctx, ctx.root, module, "Sender");
    if senders.is_empty() {
        return Ok(Vec::new());
    }
    if constructors_in_file(ctx, ChannelKind::Std) > 1 {
        return Err("several std channels in this file share the `Sender` type");
    }
    let mut edits: Vec<TextEdit> = senders
        .iter()
        .filter(|m| m.canonical)
        .map(|m| TextEdit::replace(m.node.byte_range(), "SyncSender"))
        .collect();
    edits.extend(use_edits(ctx, module, "Sender", "SyncSender")?);
    Ok(edits)
}
