//! `lock-held-across-await` (category `lock-across-await`): a blocking `std::sync` or
//! `parking_lot` lock guard still alive at an `.await` of the same future.

use tree_sitter::Node;

use crate::facts::TypeRef;
use crate::language::Language;
use crate::rule::{
    Applicability, Context, FileReads, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity,
    TextEdit,
};
use crate::syntax::{ancestors, rust_call_path, rust_in_async, rust_method_call, squash, Walk};
use crate::vocabulary::rust::LOCK_TYPE_NAMES;

use super::helpers::{
    await_points, enclosing_fn, find_binding, following_statements, is_body_boundary, is_test_code,
    line_indent, pattern_bindings, static_type, strip_transparent, struct_field_types, type_names,
    uses_of, AwaitPoint,
};

/// The rule.
pub struct LockHeldAcrossAwait;

/// Registered instance.
pub static RULE: LockHeldAcrossAwait = LockHeldAcrossAwait;

static META: RuleMeta = RuleMeta {
    id: "lock-held-across-await",
    language: Language::Rust,
    category: "lock-across-await",
    severity: Severity::Major,
    title: "Blocking lock held across an await",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a `std::sync` or `parking_lot` `Mutex`/`RwLock` guard (from `.lock()`, \
`.read()`, `.write()`, also through `.unwrap()`, `.expect(..)`, `?`) that is still alive at a later \
`.await` of the same `async` fn or block:\n\n\
- a guard bound by `let` and not dropped (`drop(guard)`, end of its block) before the await;\n\
- a guard moved into a struct bound by `let` that is still in scope at the await;\n\
- a temporary guard in a `match` scrutinee, an `if let`/`while let` scrutinee (it lives until \
the end of the `match`/body: rust-clippy#8777), or in a statement that itself awaits \
(`tx.send(state.lock().unwrap().clone()).await`).\n\n\
The lock's type is read from what the file shows: struct field declarations, `let` and \
parameter annotations, `static`s, local type aliases and constructor calls \
(`Arc::new(Mutex::new(..))`), with `Mutex`/`RwLock` resolved through the file's `use` \
declarations. `tokio::sync`, `futures` and `async-lock` locks (whose acquisition is awaited) \
are never flagged.",
        why: "A blocking lock parks the OS thread, not the task, and the guard keeps the lock held \
while the task is suspended:\n\n\
1. Task A takes `state.lock()` and reaches `.await` (a database call, a channel send) while \
still holding the guard; it is suspended, the lock stays held.\n\
2. Task B, scheduled on another worker thread, calls `state.lock()` and blocks that whole \
worker thread (not just the task) until A releases the lock.\n\
3. A can only resume when a worker is free. With a few tasks contending, every worker thread of \
the runtime ends up blocked in `lock()`: the service stops answering, health checks time out, \
and the orchestrator restarts it. If B runs on the *same* thread as A, it is an immediate \
deadlock.\n\
4. Before that, the future is `!Send` (std guards), so `tokio::spawn` of it fails to compile; \
code that works around that with `LocalSet` or `block_on` keeps the deadlock.",
        known_problems: "- When the lock's type cannot be determined from the file (a field \
declared in another module, a lock returned by a method, a crate-local re-export such as \
`crate::sync::Mutex`), the rule stays silent: it prefers missing a case to flagging a \
`tokio::sync::Mutex`.\n\
- A bare `Mutex`/`RwLock` is resolved through the `use` declarations around the acquiring call \
(its block, its `mod`, the file), nearest first, so a module's own `use std::sync::Mutex` wins \
over a `use parking_lot::Mutex` in another module of the file; when no `use` around the call \
names it, the message says \"a mutex guard\" (\"a read-write lock guard\") instead of naming a \
crate. The struct that declares the field is assumed to be in scope of the same `use`.\n\
- Struct fields are matched by name across the file; if two structs declare a field with the \
same name but different lock types, the rule stays silent.\n\
- A guard that is dropped on only some paths (`if c { drop(g) }`) is treated as dropped.\n\
- Guards obtained through `match m.lock() { Ok(g) => g, Err(e) => e.into_inner() }` bound to \
a variable, and guards passed to a function, are not followed.\n\
- A guard in the `else` block of an `if let` is alive in edition 2021 but not in 2024; only \
awaits in the `if let` body are reported.",
        example: "use std::sync::{Arc, Mutex};\n\n\
async fn record(state: Arc<Mutex<Stats>>, db: &Db) {\n    \
let mut stats = state.lock().unwrap();\n    \
stats.requests += 1;\n    \
db.flush().await; // the lock is held while suspended\n}",
        use_instead: "use std::sync::{Arc, Mutex};\n\n\
async fn record(state: Arc<Mutex<Stats>>, db: &Db) {\n    \
{\n        \
let mut stats = state.lock().unwrap();\n        \
stats.requests += 1;\n    \
} // guard dropped here\n    \
db.flush().await;\n}\n\n\
// or, if the lock must be held across the await, `tokio::sync::Mutex` (`state.lock().await`).",
        fix: "**Release the lock before awaiting** (safe): inserts `drop(guard);` before the \
statement holding the first `.await`, offered only when the guard is bound by `let`, is not used \
at or after that statement, and no variable borrowed from it is used there either. Temporaries in \
scrutinees and guards moved into structs get no fix.",
    },
};

/// The kind of lock a receiver must be for a method to acquire it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LockKind {
    Mutex,
    RwLock,
}

/// Blocking lock types (guards must not cross an await) and their kind.
const BLOCKING_LOCKS: &[(&str, LockKind)] = &[
    ("std::sync::Mutex", LockKind::Mutex),
    ("std::sync::RwLock", LockKind::RwLock),
    ("parking_lot::Mutex", LockKind::Mutex),
    ("parking_lot::FairMutex", LockKind::Mutex),
    ("parking_lot::ReentrantMutex", LockKind::Mutex),
    ("parking_lot::RwLock", LockKind::RwLock),
];

/// Methods that acquire a guard, and the lock kind they need.
fn acquire_kind(method: &str) -> Option<LockKind> {
    match method {
        "lock" => Some(LockKind::Mutex),
        "read" | "write" | "upgradable_read" | "read_recursive" => Some(LockKind::RwLock),
        _ => None,
    }
}

/// What the file tells about a receiver's lock type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LockType {
    /// A blocking lock with its full path.
    Blocking(&'static str, LockKind),
    /// Some other lock (tokio, futures, a local type) or not a lock: never flagged.
    Other,
    /// Nothing visible.
    Unknown,
}

/// Classifies a type node: the first lock-named type in it decides.
fn classify_type(ctx: &Context<'_>, ty: &TypeRef) -> LockType {
    for name in type_names(ctx, ty) {
        let last = name.rsplit("::").next().unwrap_or(&name);
        if !LOCK_TYPE_NAMES.contains(&last) {
            continue;
        }
        return match BLOCKING_LOCKS.iter().find(|(p, _)| *p == name) {
            Some((p, k)) => LockType::Blocking(p, *k),
            None => LockType::Other,
        };
    }
    LockType::Other
}

/// Classifies the receiver expression of a `.lock()`/`.read()`/`.write()` call at `at`.
fn classify_expr(ctx: &Context<'_>, expr: Node<'_>, at: Node<'_>) -> LockType {
    let mut e = expr;
    for _ in 0..8 {
        e = strip_transparent(ctx, e);
        match e.kind() {
            "field_expression" => {
                let Some(field) = e.child_by_field_name("field") else {
                    return LockType::Unknown;
                };
                if field.kind() != "field_identifier" {
                    return LockType::Unknown;
                }
                let types = struct_field_types(ctx, ctx.text(field));
                if types.is_empty() {
                    return LockType::Unknown;
                }
                let mut kinds = types.iter().map(|t| classify_type(ctx, t));
                let first = kinds.next().unwrap_or(LockType::Unknown);
                return if kinds.all(|k| k == first) {
                    first
                } else {
                    LockType::Unknown
                };
            }
            "index_expression" => match e.named_child(0) {
                Some(v) => e = v,
                None => return LockType::Unknown,
            },
            "identifier" => {
                let name = ctx.text(e);
                let binding = enclosing_fn(at)
                    .and_then(|f| find_binding(ctx.source, f, name, at.start_byte()));
                match binding {
                    Some(b) if b.kind() == "parameter" => {
                        return match b.child_by_field_name("type") {
                            Some(t) => classify_type(ctx, &TypeRef::of(ctx.source, t)),
                            None => LockType::Unknown,
                        };
                    }
                    Some(b) => {
                        if let Some(t) = b.child_by_field_name("type") {
                            return classify_type(ctx, &TypeRef::of(ctx.source, t));
                        }
                        // Only a plain `let x = <expr>` tells the type through its value.
                        let plain = b
                            .child_by_field_name("pattern")
                            .is_some_and(|p| p.kind() == "identifier");
                        match b.child_by_field_name("value") {
                            Some(v) if plain => e = v,
                            _ => return LockType::Unknown,
                        }
                    }
                    None => {
                        return match static_type(ctx, name) {
                            Some(t) => classify_type(ctx, t),
                            None => LockType::Unknown,
                        };
                    }
                }
            }
            "call_expression" => {
                if let Some((recv, m)) = rust_method_call(e) {
                    // Lookups that return an element of the same container type.
                    if matches!(
                        ctx.text(m),
                        "get" | "get_mut" | "unwrap" | "expect" | "first" | "last"
                    ) {
                        e = recv;
                        continue;
                    }
                    return LockType::Unknown;
                }
                let Some(path) = rust_call_path(ctx.source, e) else {
                    return LockType::Unknown;
                };
                let full = ctx.imports.resolve_rust(&path);
                let Some((ty, ctor)) = full.rsplit_once("::") else {
                    return LockType::Unknown;
                };
                let last = ty.rsplit("::").next().unwrap_or(ty);
                if LOCK_TYPE_NAMES.contains(&last) {
                    if !matches!(ctor, "new" | "default" | "const_new") {
                        return LockType::Unknown;
                    }
                    return match BLOCKING_LOCKS.iter().find(|(p, _)| *p == ty) {
                        Some((p, k)) => LockType::Blocking(p, *k),
                        None => LockType::Other,
                    };
                }
                if matches!(last, "Arc" | "Rc" | "Box") && ctor == "new" {
                    match e
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                    {
                        Some(a) => e = a,
                        None => return LockType::Unknown,
                    }
                    continue;
                }
                return LockType::Unknown;
            }
            _ => return LockType::Unknown,
        }
    }
    LockType::Unknown
}

/// If `call` acquires a blocking lock guard, the lock's full type path.
fn blocking_acquire(ctx: &Context<'_>, call: Node<'_>) -> Option<&'static str> {
    let (recv, method) = rust_method_call(call)?;
    let want = acquire_kind(ctx.text(method))?;
    let args = call.child_by_field_name("arguments")?;
    if args.named_child_count() != 0 {
        return None;
    }
    // `.lock().await`: an async lock, whatever its type.
    if call
        .parent()
        .is_some_and(|p| p.kind() == "await_expression")
    {
        return None;
    }
    match classify_expr(ctx, recv, call) {
        LockType::Blocking(path, kind) if kind == want => Some(path),
        _ => None,
    }
}

/// Climbs from the acquiring call through `.unwrap()`, `.expect(..)`, `.unwrap_or_else(..)`,
/// `.map_err(..)` and `?` to the expression whose value is the guard itself.
fn guard_expr<'t>(ctx: &Context<'_>, call: Node<'t>) -> Node<'t> {
    let mut top = call;
    loop {
        let Some(p) = top.parent() else { return top };
        match p.kind() {
            "try_expression" => top = p,
            "field_expression" => {
                let Some(name) = p.child_by_field_name("field") else {
                    return top;
                };
                let Some(call) = p.parent().filter(|c| c.kind() == "call_expression") else {
                    return top;
                };
                if matches!(
                    ctx.text(name),
                    "unwrap" | "expect" | "unwrap_or_else" | "map_err"
                ) {
                    top = call;
                } else {
                    return top;
                }
            }
            _ => return top,
        }
    }
}

/// Where a temporary created at `node` is dropped: the node within which an await holds it
/// and how to explain that, or `None` when it is dropped before any await could follow (an
/// `if`/`while` condition).
fn temporary_scope<'t>(node: Node<'t>) -> Option<(Node<'t>, &'static str)> {
    const STATEMENT: &str = "a temporary guard lives until the end of the statement";
    let mut child = node;
    while let Some(p) = child.parent() {
        let is_field = |f: &str| p.child_by_field_name(f).map(|x| x.id()) == Some(child.id());
        match p.kind() {
            // rust-clippy#8777: scrutinee temporaries live until the end of the match.
            "match_expression" if is_field("value") => {
                return Some((
                    p,
                    "a temporary guard in a `match` scrutinee lives until the end of the `match`",
                ))
            }
            "let_condition" => {
                // `if let` / `while let`: alive through the body (edition 2024: not the else).
                let owner = crate::syntax::ancestors(p)
                    .find(|a| matches!(a.kind(), "if_expression" | "while_expression"))?;
                return match owner.kind() {
                    "if_expression" => owner.child_by_field_name("consequence").map(|b| {
                        (b, "a temporary guard in an `if let` scrutinee lives through its body")
                    }),
                    _ => owner.child_by_field_name("body").map(|b| {
                        (b, "a temporary guard in a `while let` scrutinee lives through the loop body")
                    }),
                };
            }
            "if_expression" | "while_expression" if is_field("condition") => return None,
            "expression_statement" | "let_declaration" => return Some((p, STATEMENT)),
            "block" | "match_arm" => return Some((child, STATEMENT)),
            "binary_expression" if is_field("right") => {
                let op = p.child_by_field_name("operator").map(|o| o.kind());
                if matches!(op, Some("&&") | Some("||")) {
                    return Some((child, STATEMENT));
                }
            }
            k if is_body_boundary(k) => return Some((child, STATEMENT)),
            _ => {}
        }
        child = p;
    }
    None
}

/// True for a `move` closure or an `async move` block.
fn is_move_body(ctx: &Context<'_>, n: Node<'_>) -> bool {
    let t = ctx.text(n);
    match n.kind() {
        "closure_expression" => t
            .split('|')
            .next()
            .is_some_and(|h| h.split_whitespace().any(|w| w == "move")),
        "async_block" => t
            .split('{')
            .next()
            .is_some_and(|h| h.split_whitespace().any(|w| w == "move")),
        _ => false,
    }
}

impl Rule for LockHeldAcrossAwait {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs an `.await` and a `lock`/`read`/`write` acquisition.
        &[&["await"], &["lock", "read", "write"]]
    }

    fn file_reads(&self) -> FileReads {
        // Lock types come from struct fields, statics and aliases anywhere in the file: read as
        // file facts (`ctx.facts()`), so the engine re-runs a unit when what it read changes.
        // Messages name the line of the `.await`, which moves with edits above the unit: units
        // with findings are re-run after every edit.
        FileReads::ForFindings
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            let Some((_, method)) = rust_method_call(call) else {
                continue;
            };
            if acquire_kind(ctx.text(method)).is_none() || !rust_in_async(ctx.source, call) {
                continue;
            }
            let Some(lock_path) = blocking_acquire(ctx, call) else {
                continue;
            };
            let Some(label) = guard_label(ctx, call, lock_path) else {
                continue;
            };
            let lock_path = label.as_str();
            let top = guard_expr(ctx, call);
            let range = method.start_byte()..call.end_byte();
            let named = top
                .parent()
                .filter(|p| p.kind() == "let_declaration")
                .filter(|p| p.child_by_field_name("value").map(|v| v.id()) == Some(top.id()));
            if let Some(let_decl) = named {
                if let Some(f) = check_named_guard(ctx, call, let_decl, lock_path, range) {
                    out.push(f);
                }
                continue;
            }
            // A temporary guard: alive until the end of its temporary scope.
            let Some((scope, how)) = temporary_scope(top) else {
                continue;
            };
            let Some(aw) = await_points(ctx.source, scope)
                .into_iter()
                .find(|a| a.at >= call.end_byte())
            else {
                continue;
            };
            let line = line_of(ctx.source, aw.at);
            out.push(Finding::new(
                &META,
                range,
                format!(
                    "{lock_path} held across the `.await` on line {line}: {how}, so the lock stays held while the task is suspended"
                ),
            ));
        }
    }
}

/// How the message names the guard of the blocking lock `lock_path` acquired at `call`:
/// "`` `std::sync::Mutex` guard ``" when the type's path is established, "a mutex guard" /
/// "a read-write lock guard" when it is not. `None`: the lock is not a blocking one after all.
///
/// The file's imports are one map for the whole file, so a bare `Mutex` resolves through the
/// last `use` that names it anywhere (a `use parking_lot::Mutex;` in a `mod tests` below wins
/// over the module's own `use std::sync::Mutex;`). When the lock was classified through that
/// map, the `use` declarations of the scopes around `call` (blocks, the enclosing `mod`, the
/// file) decide instead: the nearest one that names it is the module's own. If it names a
/// non-blocking lock (`tokio::sync::Mutex`) the finding is dropped; if no scope around `call`
/// names it, the path is not established and the message says "a mutex guard".
fn guard_label(ctx: &Context<'_>, call: Node<'_>, lock_path: &'static str) -> Option<String> {
    let (_, last) = lock_path.rsplit_once("::").unwrap_or(("", lock_path));
    let generic = if last == "RwLock" {
        "a read-write lock guard".to_string()
    } else {
        "a mutex guard".to_string()
    };
    let named = format!("`{lock_path}` guard");
    // Classified through the file-wide import of the bare name?
    if ctx.imports.names.get(last).map(String::as_str) != Some(lock_path) {
        return Some(named);
    }
    match scoped_use(ctx, call, last) {
        Some(path) if path == lock_path => Some(named),
        Some(path) => match BLOCKING_LOCKS.iter().find(|(p, _)| *p == path) {
            Some((p, _)) => Some(format!("`{p}` guard")),
            None => None,
        },
        None => Some(generic),
    }
}

/// The full path that the nearest `use` declaration around `at` binds to the bare name `name`
/// (searching the `use` items directly inside each enclosing block, module body and the file,
/// innermost first). Aliased imports (`use a::Mutex as M`) bind another name and are skipped.
fn scoped_use(ctx: &Context<'_>, at: Node<'_>, name: &str) -> Option<String> {
    for scope in ancestors(at) {
        if !matches!(scope.kind(), "block" | "declaration_list" | "source_file") {
            continue;
        }
        let mut c = scope.walk();
        for item in scope.named_children(&mut c) {
            if item.kind() != "use_declaration" {
                continue;
            }
            if let Some(arg) = item.child_by_field_name("argument") {
                if let Some(p) = use_binding(ctx, arg, "", name) {
                    return Some(p);
                }
            }
        }
    }
    None
}

/// In a use tree under `prefix`, the full path bound to `name`.
fn use_binding(ctx: &Context<'_>, tree: Node<'_>, prefix: &str, name: &str) -> Option<String> {
    let join = |p: &str, s: &str| {
        if p.is_empty() {
            s.to_string()
        } else {
            format!("{p}::{s}")
        }
    };
    match tree.kind() {
        "identifier" | "scoped_identifier" => {
            let t = squash(ctx.text(tree));
            let last = t.rsplit("::").next().unwrap_or(&t);
            (last == name).then(|| join(prefix, t.trim_start_matches("::")))
        }
        "scoped_use_list" => {
            let path = tree
                .child_by_field_name("path")
                .map(|p| squash(ctx.text(p)))
                .unwrap_or_default();
            let list = tree.child_by_field_name("list")?;
            use_binding(
                ctx,
                list,
                &join(prefix, path.trim_start_matches("::")),
                name,
            )
        }
        "use_list" => {
            let mut c = tree.walk();
            let kids: Vec<Node<'_>> = tree.named_children(&mut c).collect();
            kids.into_iter()
                .find_map(|k| use_binding(ctx, k, prefix, name))
        }
        _ => None,
    }
}

fn line_of(source: &str, at: usize) -> usize {
    source[..at].bytes().filter(|b| *b == b'\n').count() + 1
}

/// The bound guard's name, from `let g = ..`, `let mut g = ..`, or `let Ok(g) = .. else {..}`.
fn guard_name(ctx: &Context<'_>, let_decl: Node<'_>) -> Option<String> {
    let pat = let_decl.child_by_field_name("pattern")?;
    match pat.kind() {
        "identifier" => Some(ctx.text(pat).to_string()),
        "tuple_struct_pattern" => {
            let ty = pat.child_by_field_name("type")?;
            if !matches!(ctx.text(ty), "Ok" | "Some") {
                return None;
            }
            let b = pattern_bindings(ctx.source, pat);
            (b.len() == 1).then(|| b[0].0.clone())
        }
        _ => None,
    }
}

/// What happens to a tracked guard at a use.
enum UseEffect {
    /// Dropped or moved away: no longer alive under this name.
    Gone,
    /// Moved into a new `let` binding (a struct holding it, or a plain rebinding).
    MovedInto(String),
    /// Borrowed or read.
    Used,
}

fn use_effect(ctx: &Context<'_>, ident: Node<'_>) -> UseEffect {
    let Some(parent) = ident.parent() else {
        return UseEffect::Used;
    };
    match parent.kind() {
        "arguments" => {
            let call = parent.parent();
            let callee = call.and_then(|c| rust_call_path(ctx.source, c));
            let is_drop = callee.is_some_and(|p| {
                matches!(
                    ctx.imports.resolve_rust(&p).as_str(),
                    "drop" | "std::mem::drop" | "core::mem::drop" | "mem::drop"
                )
            });
            let _ = is_drop;
            // Passed by value: dropped (`drop(g)`) or moved into the callee.
            UseEffect::Gone
        }
        "shorthand_field_initializer" | "field_initializer" => {
            let holder = crate::syntax::ancestors(parent)
                .find(|a| a.kind() != "field_initializer_list" && a.kind() != "struct_expression")
                .filter(|a| a.kind() == "let_declaration");
            let is_value = parent.kind() == "shorthand_field_initializer"
                || parent.child_by_field_name("value").map(|v| v.id()) == Some(ident.id());
            match holder.and_then(|h| h.child_by_field_name("pattern")) {
                Some(p) if is_value && p.kind() == "identifier" => {
                    UseEffect::MovedInto(ctx.text(p).to_string())
                }
                _ if is_value => UseEffect::Gone,
                _ => UseEffect::Used,
            }
        }
        "let_declaration" => match parent.child_by_field_name("pattern") {
            Some(p) if p.kind() == "identifier" => UseEffect::MovedInto(ctx.text(p).to_string()),
            _ => UseEffect::Gone,
        },
        "return_expression" | "assignment_expression" | "array_expression" | "tuple_expression" => {
            UseEffect::Gone
        }
        "block" => {
            // Tail expression of a block: moved out as the block's value.
            if parent
                .named_child(parent.named_child_count().saturating_sub(1))
                .map(|n| n.id())
                == Some(ident.id())
            {
                UseEffect::Gone
            } else {
                UseEffect::Used
            }
        }
        _ => UseEffect::Used,
    }
}

fn check_named_guard(
    ctx: &Context<'_>,
    call: Node<'_>,
    let_decl: Node<'_>,
    lock_path: &str,
    range: std::ops::Range<usize>,
) -> Option<Finding> {
    let name = guard_name(ctx, let_decl)?;
    if name == "_" {
        return None;
    }
    let block = let_decl.parent()?;
    if block.kind() != "block" {
        return None;
    }
    let stmts = following_statements(block, let_decl);
    let mut tracked = name.clone();
    let mut holder: Option<String> = None;
    let mut shadowed = false;
    // Statements between the guard's `let` and the first await, for the fix's borrow check.
    for (i, stmt) in stmts.iter().enumerate() {
        let awaits = await_points(ctx.source, *stmt);
        let uses = if shadowed {
            Vec::new()
        } else {
            uses_of(ctx.source, *stmt, &tracked)
        };
        // Events in source order: uses before the first await decide whether the guard is gone.
        let first_await: Option<AwaitPoint<'_>> = awaits.first().copied();
        let mut gone = false;
        let mut moved_to: Option<String> = None;
        for (pos, ident) in &uses {
            if first_await.is_some_and(|a| *pos >= a.at) {
                break;
            }
            if ident.kind() != "identifier" {
                continue;
            }
            // A capture by a `move` closure or `async move` block moves the guard.
            let captured_by_move = crate::syntax::ancestors(*ident)
                .take_while(|a| a.id() != stmt.id())
                .any(|a| is_move_body(ctx, a));
            if captured_by_move {
                gone = true;
                break;
            }
            match use_effect(ctx, *ident) {
                UseEffect::Gone => {
                    gone = true;
                    break;
                }
                UseEffect::MovedInto(n) => {
                    moved_to = Some(n);
                    break;
                }
                UseEffect::Used => {}
            }
        }
        if gone {
            return None;
        }
        if let Some(aw) = first_await {
            let line = line_of(ctx.source, aw.at);
            let mut finding = Finding::new(
                &META,
                range.clone(),
                match &holder {
                    Some(h) => format!(
                        "{lock_path} `{name}` is moved into `{h}`, which is still alive at the `.await` on line {line}: the lock stays held while the task is suspended"
                    ),
                    None => format!(
                        "{lock_path} `{name}` is still alive at the `.await` on line {line}: the lock stays held while the task is suspended"
                    ),
                },
            );
            if holder.is_none() && !shadowed {
                if let Some(fix) = drop_fix(ctx, &name, let_decl, &stmts[..i], &stmts[i..]) {
                    finding = finding.with_fix(fix);
                }
            }
            let _ = call;
            return Some(finding);
        }
        if let Some(n) = moved_to {
            // `let holder = Holder { guard, .. };` or `let g2 = guard;`
            if stmt.kind() != "let_declaration" {
                return None;
            }
            holder = Some(n.clone());
            tracked = n;
            continue;
        }
        // `let <tracked> = ...` shadows the name; the old guard stays alive to the block's end.
        if stmt.kind() == "let_declaration" {
            if let Some(p) = stmt.child_by_field_name("pattern") {
                if pattern_bindings(ctx.source, p)
                    .iter()
                    .any(|(b, _)| *b == tracked)
                {
                    shadowed = true;
                }
            }
        }
    }
    None
}

/// `drop(guard);` before the first statement that awaits, when neither the guard nor a value
/// borrowed from it is used from that statement on.
fn drop_fix(
    ctx: &Context<'_>,
    name: &str,
    let_decl: Node<'_>,
    before: &[Node<'_>],
    from: &[Node<'_>],
) -> Option<Fix> {
    let first = *from.first()?;
    // Names bound between the guard and the await whose initializer mentions the guard.
    let mut derived: Vec<String> = vec![name.to_string()];
    for s in before {
        if s.kind() != "let_declaration" {
            continue;
        }
        let (Some(p), Some(v)) = (
            s.child_by_field_name("pattern"),
            s.child_by_field_name("value"),
        ) else {
            continue;
        };
        if derived
            .iter()
            .any(|d| !uses_of(ctx.source, v, d).is_empty())
        {
            for (b, _) in pattern_bindings(ctx.source, p) {
                derived.push(b);
            }
        }
    }
    for s in from {
        for d in &derived {
            if !uses_of(ctx.source, *s, d).is_empty() {
                return None;
            }
        }
    }
    let _ = let_decl;
    let (indent, own_line) = line_indent(ctx.source, first.start_byte());
    let text = if own_line {
        format!("drop({name});\n{indent}")
    } else {
        format!("drop({name}); ")
    };
    Some(Fix::new(
        "Release the lock before awaiting (drop the guard)",
        Applicability::Safe,
        vec![TextEdit::insert(first.start_byte(), text)],
    ))
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_std_and_parking_lot_guards_alive_at_await() {
        check(
            "lock-held-across-await",
            r#"
use std::sync::{Arc, Mutex, RwLock};

struct Service {
    state: Arc<Mutex<u64>>,
    cache: parking_lot::RwLock<Vec<u8>>,
}

impl Service {
    async fn handle(&self, db: &Db) {
        let mut n = self.state.lock().unwrap();
                             //^^^^^^ lock-held-across-await
        *n += 1;
        db.flush().await;
    }

    async fn refresh(&self) {
        let mut c = self.cache.write();
                             //^^^^^^^ lock-held-across-await
        c.clear();
        reload(&mut c).await;
    }
}

async fn by_param(m: &Mutex<u8>, rw: Arc<RwLock<u8>>) {
    let g = m.lock().expect("poisoned");
            //^^^^^^ lock-held-across-await
    let r = rw.read().unwrap();
             //^^^^^^ lock-held-across-await
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
}

async fn by_constructor() {
    let m = Arc::new(parking_lot::Mutex::new(0));
    let m2 = m.clone();
    let g = m2.lock();
             //^^^^^^ lock-held-across-await
    other().await;
}
"#,
        );
    }

    #[test]
    fn flags_scrutinee_temporaries_and_statement_temporaries() {
        check(
            "lock-held-across-await",
            r#"
use std::sync::Mutex;
use std::collections::VecDeque;

struct Q { jobs: Mutex<VecDeque<u32>> }

async fn worker(q: &Q) {
    while let Some(job) = q.jobs.lock().unwrap().pop_front() {
                               //^^^^^^ lock-held-across-await
        process(job).await;
    }
}

async fn dispatch(q: &Q, tx: Sender<u32>) {
    match q.jobs.lock().unwrap().front() {
               //^^^^^^ lock-held-across-await
        Some(j) => tx.send(*j).await.unwrap(),
        None => {}
    }
    if let Some(j) = q.jobs.lock().unwrap().back() {
                          //^^^^^^ lock-held-across-await
        tx.send(*j).await.unwrap();
    }
    tx.send(q.jobs.lock().unwrap().len() as u32).await.unwrap();
                 //^^^^^^ lock-held-across-await
}
"#,
        );
    }

    #[test]
    fn flags_guard_moved_into_struct_alive_at_await() {
        check(
            "lock-held-across-await",
            r#"
use std::sync::Mutex;
struct Ctx<'a> { guard: std::sync::MutexGuard<'a, u8>, id: u32 }
async fn f(m: &Mutex<u8>) {
    let guard = m.lock().unwrap();
                //^^^^^^ lock-held-across-await
    let ctx = Ctx { guard, id: 1 };
    step(&ctx).await;
}
"#,
        );
    }

    #[test]
    fn silent_on_look_alikes() {
        check(
            "lock-held-across-await",
            r#"
use std::sync::{Arc, Mutex};
use tokio::sync::Mutex as AsyncMutex;

struct S { state: Mutex<u64>, tstate: AsyncMutex<u64>, other: Arc<tokio::sync::RwLock<u8>> }

async fn dropped_before(s: &S) {
    let mut g = s.state.lock().unwrap();
    *g += 1;
    drop(g);
    io().await;
}

async fn inner_block(s: &S) {
    {
        let mut g = s.state.lock().unwrap();
        *g += 1;
    }
    io().await;
}

async fn temporary_one_statement(s: &S) {
    *s.state.lock().unwrap() += 1;
    let n = s.state.lock().unwrap().clone();
    if *s.state.lock().unwrap() > 3 {
        io().await;
    }
    io().await;
}

async fn tokio_locks(s: &S, t: Arc<AsyncMutex<u8>>) {
    let g = s.tstate.lock().await;
    let h = t.lock().await;
    let r = s.other.read().await;
    io().await;
}

async fn unknown_type(x: &Thing) {
    let g = x.inner.lock().unwrap();
    io().await;
}

fn not_async(s: &S) {
    let g = s.state.lock().unwrap();
    block_on(io());
}

async fn spawned_elsewhere(s: Arc<S>) {
    let g = s.state.lock().unwrap();
    let fut = async move { io().await };
    drop(g);
    fut.await;
}

async fn underscore(s: &S) {
    let _ = s.state.lock().unwrap();
    io().await;
}

async fn await_before_lock(s: &S) {
    io().await;
    let g = s.state.lock().unwrap();
    *g += 1;
}

async fn file_write(f: &mut std::fs::File) {
    let w = f.write();
    io().await;
}
"#,
        );
    }

    #[test]
    fn tokio_mutex_imported_as_mutex_is_silent() {
        check(
            "lock-held-across-await",
            r#"
use std::sync::Arc;
use tokio::sync::Mutex;
struct S { state: Arc<Mutex<u64>> }
async fn f(s: &S, m: Arc<Mutex<u8>>) {
    let g = s.state.lock().await;
    let h = m.try_lock().unwrap();
    io().await;
}
"#,
        );
    }

    #[test]
    fn fix_drops_guard_before_first_await() {
        check_fix(
            "lock-held-across-await",
            "Release the lock",
            "use std::sync::Mutex;\nasync fn f(m: &Mutex<u8>) {\n    let mut g = m.lock().unwrap();\n    *g += 1;\n    io().await;\n}\n",
            "use std::sync::Mutex;\nasync fn f(m: &Mutex<u8>) {\n    let mut g = m.lock().unwrap();\n    *g += 1;\n    drop(g);\n    io().await;\n}\n",
        );
    }

    #[test]
    fn no_fix_when_guard_or_borrow_used_after_await() {
        let src = "use std::sync::Mutex;\nasync fn f(m: &Mutex<Vec<u8>>) {\n    let g = m.lock().unwrap();\n    let first = &g[0];\n    io().await;\n    println!(\"{first}\");\n}\nasync fn h(m: &Mutex<u8>) {\n    let g = m.lock().unwrap();\n    io().await;\n    println!(\"{g:?}\");\n}\n";
        let findings = crate::testing::run(
            "lock-held-across-await",
            src,
            &crate::config::Config::default(),
            None,
        );
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert!(findings.iter().all(|f| f.fixes.is_empty()), "{findings:#?}");
    }

    #[test]
    fn names_the_lock_type_from_the_modules_own_use() {
        // The file-wide import map holds the last `use` of `Mutex` (here the test module's
        // `parking_lot::Mutex`); the server module's own `use std::sync::Mutex` names the type.
        let src = "mod server {\n    use std::sync::Mutex;\n    pub struct S { m: Mutex<u8> }\n    impl S {\n        pub async fn f(&self) {\n            let g = self.m.lock().unwrap();\n            io().await;\n        }\n    }\n}\n\nasync fn unscoped(m: &Mutex<u8>) {\n    let g = m.lock();\n    io().await;\n}\n\nmod other {\n    use parking_lot::Mutex;\n}\n";
        let f = crate::testing::raw("lock-held-across-await", src);
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(
            msgs[0].starts_with("`std::sync::Mutex` guard `g` is still alive"),
            "{}",
            msgs[0]
        );
        // No `use` of `Mutex` around the function: the path is not established.
        assert!(
            msgs[1].starts_with("a mutex guard `g` is still alive"),
            "{}",
            msgs[1]
        );
    }

    #[test]
    fn silent_when_the_modules_own_use_names_an_async_lock() {
        check(
            "lock-held-across-await",
            r#"
use tokio::sync::Mutex;

struct S { m: Mutex<u8> }

impl S {
    async fn f(&self) {
        // A tokio lock future, not a guard: the file-wide map (last `use`: std's) would say
        // `std::sync::Mutex`; this module's own `use` says tokio.
        let pending = self.m.lock();
        io().await;
        let _g = pending.await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
}
"#,
        );
    }
}
