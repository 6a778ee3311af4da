//! File facts: what [`Scope::Unit`](crate::rule::Scope::Unit) rules need to know about the rest
//! of the file, collected once per analysis instead of by walking `ctx.root` per unit or per
//! candidate node.
//!
//! A rule that decides a finding from something declared elsewhere in the file (a struct
//! field's declared type, a `static`, a `type` alias, a comparison in another function) reads it
//! through [`Context::facts`](crate::rule::Context::facts). Like [`Imports`](crate::resolve::Imports),
//! the facts are a function of the file's items:
//!
//! - a from-scratch analysis collects them with one walk ([`FileFacts::collect`] on the root);
//! - the incremental engine (`crate::incremental`) collects them per *segment* (Rust: each item,
//!   with `impl`/`trait`/`mod` bodies split into their items; Go: each top-level declaration),
//!   keeps the facts of unedited segments, and merges the parts in source order
//!   ([`FileFacts::merge`]); the merge equals the whole-file collection exactly.
//!
//! Every read goes through a [`FactsView`] that records *which kind* of fact was read (a
//! [`FactKinds`] bit) for the rule and unit being checked. After an edit the engine compares the
//! merged facts kind by kind ([`FileFacts::changed`]) and re-runs a rule on an unedited unit only
//! when that rule read, on that unit, a kind that changed. A check that cannot express what it
//! needs as a fact calls [`FactsView::whole_file`]: the engine then re-runs it on that unit after
//! every edit (correct, O(file) per keystroke for that unit: keep it for rare paths).
//!
//! # Adding a fact
//!
//! Add a field to [`FileFacts`], fill it in [`FileFacts::collect`] (from the subtree it is given:
//! it must depend only on that subtree, so that collecting per segment and merging in source
//! order equals one collection over the root), merge it in [`FileFacts::merge`], compare it in
//! [`FileFacts::changed`] under a new [`FactKinds`] bit, and expose it through a [`FactsView`]
//! method that marks that bit. Facts must not hold byte offsets: cached facts of unedited items
//! are reused after edits elsewhere move them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};

use tree_sitter::Node;

use crate::language::Language;
use crate::syntax::{ancestors, named_children, squash, text, Walk};

/// A set of fact kinds, as bits. Recorded per (unit, rule) by [`FactsView`] reads and compared
/// by [`FileFacts::changed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FactKinds(pub u32);

impl FactKinds {
    /// No fact read.
    pub const NONE: FactKinds = FactKinds(0);
    /// Rust: declared types of struct/enum-variant/union fields, by field name.
    pub const FIELD_TYPES: FactKinds = FactKinds(1);
    /// Rust: declared types of `static`/`const` items outside function bodies, by name.
    pub const STATICS: FactKinds = FactKinds(1 << 1);
    /// Rust: `type Name = ...;` aliases outside function bodies, by name.
    pub const TYPE_ALIASES: FactKinds = FactKinds(1 << 2);
    /// Rust: callee names compared strictly (`x > a.quorum()`, `a.quorum() < x`).
    pub const STRICT_CALL_COMPARISONS: FactKinds = FactKinds(1 << 3);
    /// Go: selector targets of assignments (`c.Timeout = d` → `c.Timeout`).
    pub const ASSIGNED_SELECTORS: FactKinds = FactKinds(1 << 4);
    /// Rust: field names compared between two records (`a.updated_at > b.updated_at`).
    pub const COMPARED_FIELDS: FactKinds = FactKinds(1 << 5);
    /// Rust: whether some request chain sets a per-request `.timeout(..)`.
    pub const REQUEST_TIMEOUTS: FactKinds = FactKinds(1 << 6);
    /// Go: names under which channels with a non-zero capacity are stored.
    pub const BUFFERED_CHANNELS: FactKinds = FactKinds(1 << 7);
    /// Go: candidate `container/list` holders (fields typed `pkg.List`, variables assigned
    /// `pkg.New()`).
    pub const LIST_HOLDERS: FactKinds = FactKinds(1 << 8);
    /// Go: names declared by file-level `const` declarations.
    pub const CONSTS: FactKinds = FactKinds(1 << 9);
    /// Rust: `#[serde(... deny_unknown_fields ...)]` attributes exist.
    pub const SERDE_DENY: FactKinds = FactKinds(1 << 10);
    /// Rust: struct fields typed `Vec<..>` / `VecDeque<..>`.
    pub const SEQUENCE_FIELDS: FactKinds = FactKinds(1 << 11);
    /// Go: a file-level `func main`.
    pub const MAIN: FactKinds = FactKinds(1 << 12);
    /// Go: calls named `Shutdown`, `GracefulStop`, `Close`, `Notify`, `NotifyContext`,
    /// `NewServer` on a receiver or package.
    pub const LIFECYCLE_CALLS: FactKinds = FactKinds(1 << 13);
    /// Go: the file is excluded from builds by a `//go:build ignore` / `// +build ignore` line
    /// before the package clause (read from the text, not from a segment).
    pub const BUILD_IGNORED: FactKinds = FactKinds(1 << 14);
    /// Anything in the file: the check must be re-run after every edit.
    pub const WHOLE_FILE: FactKinds = FactKinds(1 << 31);

    /// Whether the two sets share a kind.
    pub fn intersects(self, other: FactKinds) -> bool {
        self.0 & other.0 != 0
    }

    /// The union of the two sets.
    pub fn union(self, other: FactKinds) -> FactKinds {
        FactKinds(self.0 | other.0)
    }
}

/// One name in a type, as [`crate::rules::rust::local_flow::type_names`] sees it: a path
/// (`scoped_type_identifier`, whitespace removed: `std::sync::Mutex`) or a bare type name
/// (`type_identifier`: `Mutex`), unresolved (resolution goes through the file's imports).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeToken {
    /// A `scoped_type_identifier`, whitespace removed.
    Path(String),
    /// A `type_identifier`.
    Name(String),
}

/// A Rust type node as tree-independent data: its source text and its [`TypeToken`]s in
/// pre-order (outermost first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeRef {
    /// The type's source text, as written.
    pub text: String,
    /// The names in it, outermost first.
    pub tokens: Vec<TypeToken>,
}

impl TypeRef {
    /// The type written at `node` (a type node) in `source`.
    pub fn of(source: &str, node: Node<'_>) -> TypeRef {
        let mut tokens = Vec::new();
        let mut walk = Walk::new(node);
        while let Some(n) = walk.next() {
            match n.kind() {
                "scoped_type_identifier" => {
                    tokens.push(TypeToken::Path(squash(text(source, n))));
                    walk.skip_subtree();
                }
                "type_identifier" => tokens.push(TypeToken::Name(text(source, n).to_string())),
                _ => {}
            }
        }
        TypeRef {
            text: text(source, node).to_string(),
            tokens,
        }
    }
}

/// True for Go files excluded from every build (`//go:build ignore`, `// +build ignore` before
/// the `package` line): generators and manual test harnesses run with `go run`.
fn go_build_ignored(source: &str) -> bool {
    source
        .lines()
        .take_while(|l| !l.trim_start().starts_with("package "))
        .any(|l| {
            let l = l.trim();
            (l.starts_with("//go:build") || l.starts_with("// +build"))
                && l.split_whitespace().any(|w| w == "ignore")
        })
}

/// Go: `(package, member)` of a call `package.member(...)` whose operand is an identifier.
fn go_selector_call<'s>(source: &'s str, call: Node<'_>) -> Option<(&'s str, &'s str)> {
    if call.kind() != "call_expression" {
        return None;
    }
    let f = call.child_by_field_name("function")?;
    if f.kind() != "selector_expression" {
        return None;
    }
    let operand = f.child_by_field_name("operand")?;
    if operand.kind() != "identifier" {
        return None;
    }
    Some((
        text(source, operand),
        text(source, f.child_by_field_name("field")?),
    ))
}

/// Go: for `make(chan T, cap)` with `cap` other than `0`, the last segment of the name it is
/// stored under (`x := ...`, `s.ch = ...`, `ch: ...` in a keyed literal, `var x = ...`).
fn buffered_channel_name(source: &str, n: Node<'_>) -> Option<String> {
    let f = n.child_by_field_name("function").map(|f| text(source, f));
    if f != Some("make") {
        return None;
    }
    let args = n
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default();
    if args.len() < 2 || args[0].kind() != "channel_type" {
        return None;
    }
    if text(source, args[1]).trim() == "0" {
        return None;
    }
    let name = ancestors(n).take(4).find_map(|a| match a.kind() {
        "short_var_declaration" | "assignment_statement" => a
            .child_by_field_name("left")
            .map(|l| squash(text(source, l))),
        "keyed_element" => named_children(a).first().map(|k| squash(text(source, *k))),
        "var_spec" => a
            .child_by_field_name("name")
            .map(|x| text(source, x).to_string()),
        _ => None,
    })?;
    Some(name.rsplit('.').next().unwrap_or(&name).to_string())
}

/// Facts about a file (or, during incremental analysis, one segment of it). See the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Rust: field name → declared types of every `field_declaration` with that name anywhere in
    /// the file (structs, enum variants, unions, also inside function bodies), in source order.
    field_types: BTreeMap<String, Vec<TypeRef>>,
    /// Rust: name → the declared type of the *first* `static`/`const` item with that name that is
    /// not inside a function body (`None`: that item has no type).
    statics: BTreeMap<String, Option<TypeRef>>,
    /// Rust: name → the aliased type of the *first* `type Name = ...;` not inside a function body.
    type_aliases: BTreeMap<String, Option<TypeRef>>,
    /// Rust: for every `x > s` / `s < x` whose `s` ends in `()`, the identifier characters just
    /// before the `()` (`self.peers.quorum()` → `quorum`).
    strict_call_comparisons: BTreeSet<String>,
    /// Go: the operands of every assignment's left-hand side that contain a `.`, whitespace
    /// removed (`c.Timeout = d` → `c.Timeout`).
    assigned_selectors: BTreeSet<String>,
    /// Rust: `f` for every `a.f OP b.f` with `OP` one of `<`, `<=`, `>`, `>=`.
    compared_fields: BTreeSet<String>,
    /// Rust: some `.timeout` field expression whose receiver chain (through calls, `?`,
    /// `.await`, parentheses; up to 32 links) reaches a request method (`get`, `post`, `put`,
    /// `patch`, `delete`, `head`, `request`).
    request_timeouts: bool,
    /// Go: last name segment under which `make(chan T, cap)` with `cap` other than `0` is stored
    /// (`x := ...`, `s.ch = ...`, `ch: ...` in a literal, `var x = ...`).
    buffered_channels: BTreeSet<String>,
    /// Go: `(package, member, name)` for fields typed `package.List` / `*package.List` (`member`
    /// = `List`, `name` = the field name) and for `name := package.New(...)` / `a.name =
    /// package.New(...)` (`member` = `New`, `name` = the last segment of the left side). Package
    /// names are as written (unresolved); the rule resolves them through the imports.
    list_holders: BTreeSet<(String, String, String)>,
    /// Rust: whether some attribute, whitespace removed, starts with `#[serde(` and contains
    /// `deny_unknown_fields`.
    serde_deny: bool,
    /// Rust: `(struct name, field name, field type with whitespace removed)` for the fields of
    /// every `struct_item` (anywhere) whose type's base name (before `<`, after the last `::`) is
    /// `Vec` or `VecDeque`.
    sequence_fields: BTreeSet<(String, String, String)>,
    /// Go: whether a file-level `func main` is declared.
    has_main: bool,
    /// Go: `(name, receiver text, receiver is an identifier, assigned-to text)` for every
    /// call `recv.name(...)` with `name` one of [`LIFECYCLE_NAMES`]; the receiver may be a
    /// package (resolved by the rule through the imports).
    lifecycle_calls: BTreeSet<(String, String, bool, Option<String>)>,
    /// Go: a `//go:build ignore` / `// +build ignore` line before the `package` line. A text
    /// fact: set by [`FileFacts::with_text`], not collected from segments.
    build_ignored: bool,
    /// Go: every name declared by a `const_spec` of a file-level `const` declaration.
    consts: BTreeSet<String>,
    /// Go: the first name of each such `const_spec` (`const a, b = 1, 2` → `a`).
    first_consts: BTreeSet<String>,
}

/// Go call names recorded in [`FileFacts`]' `lifecycle_calls` (server and signal lifecycle).
pub const LIFECYCLE_NAMES: &[&str] = &[
    "Shutdown",
    "GracefulStop",
    "Close",
    "Notify",
    "NotifyContext",
    "NewServer",
];

/// Request-building methods of HTTP clients (`client.get(url)`), for [`FileFacts`]'
/// `request_timeouts`.
const REQUEST_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "request"];

/// Whether `n` is a `.timeout` field expression on a request chain (see
/// [`FactsView::request_timeouts`]).
fn is_request_timeout(source: &str, n: Node<'_>) -> bool {
    let Some(f) = n.child_by_field_name("field") else {
        return false;
    };
    if text(source, f) != "timeout" {
        return false;
    }
    // Look down the receiver chain for a request method.
    let mut recv = n.child_by_field_name("value");
    for _ in 0..32 {
        let Some(r) = recv else { return false };
        match r.kind() {
            "call_expression" => {
                let Some(func) = r.child_by_field_name("function") else {
                    return false;
                };
                if func.kind() != "field_expression" {
                    return false;
                }
                if func
                    .child_by_field_name("field")
                    .is_some_and(|m| REQUEST_METHODS.contains(&text(source, m)))
                {
                    return true;
                }
                recv = func.child_by_field_name("value");
            }
            "try_expression" | "await_expression" | "parenthesized_expression" => {
                recv = r.named_child(0)
            }
            _ => return false,
        }
    }
    false
}

/// Characters that can occur in a Rust identifier as written (`r#type` included): anything but
/// whitespace and ASCII punctuation other than `_` and `#`. A callee name is a suffix of the run
/// of these characters before `()` exactly when the text ends with `name()`.
fn is_ident_char(c: char) -> bool {
    !c.is_whitespace() && (!c.is_ascii_punctuation() || c == '_' || c == '#')
}

impl FileFacts {
    /// Collects the facts found in `node` and its subtree (the root for a whole file). Iterative.
    pub fn collect(language: Language, source: &str, node: Node<'_>) -> FileFacts {
        let mut facts = FileFacts::default();
        match language {
            Language::Rust => facts.collect_rust(source, node),
            Language::Go => facts.collect_go(source, node),
        }
        facts
    }

    fn collect_rust(&mut self, source: &str, node: Node<'_>) {
        // Fields (anywhere, but not nested in another field's subtree) and strict comparisons:
        // one full walk.
        let mut fields_until = 0;
        for n in Walk::new(node) {
            match n.kind() {
                "field_declaration" if n.start_byte() >= fields_until => {
                    if let (Some(name), Some(ty)) =
                        (n.child_by_field_name("name"), n.child_by_field_name("type"))
                    {
                        self.field_types
                            .entry(text(source, name).to_string())
                            .or_default()
                            .push(TypeRef::of(source, ty));
                    }
                    fields_until = n.end_byte();
                }
                "field_expression" => {
                    if !self.request_timeouts && is_request_timeout(source, n) {
                        self.request_timeouts = true;
                    }
                }
                "attribute_item" if !self.serde_deny => {
                    let t = squash(text(source, n));
                    self.serde_deny =
                        t.starts_with("#[serde(") && t.contains("deny_unknown_fields");
                }
                "struct_item" => self.collect_sequence_fields(source, n),
                "binary_expression" => {
                    let op = n.child_by_field_name("operator").map(|o| text(source, o));
                    if matches!(op, Some("<" | "<=" | ">" | ">=")) {
                        if let (Some(l), Some(r)) = (
                            n.child_by_field_name("left"),
                            n.child_by_field_name("right"),
                        ) {
                            if l.kind() == "field_expression" && r.kind() == "field_expression" {
                                let lf = l.child_by_field_name("field").map(|f| text(source, f));
                                let rf = r.child_by_field_name("field").map(|f| text(source, f));
                                if let (Some(a), Some(b)) = (lf, rf) {
                                    if a == b {
                                        self.compared_fields.insert(a.to_string());
                                    }
                                }
                            }
                        }
                    }
                    let side = match op {
                        Some(">") => n.child_by_field_name("right"),
                        Some("<") => n.child_by_field_name("left"),
                        _ => None,
                    };
                    if let Some(s) = side {
                        if let Some(callee) = text(source, s).strip_suffix("()") {
                            let start = callee
                                .char_indices()
                                .rev()
                                .take_while(|(_, c)| is_ident_char(*c))
                                .last()
                                .map_or(callee.len(), |(i, _)| i);
                            self.strict_call_comparisons
                                .insert(callee[start..].to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        // Statics and aliases outside function bodies (the walk skips them, so it is cheap).
        let mut walk = Walk::new(node);
        while let Some(n) = walk.next() {
            match n.kind() {
                "static_item" | "const_item" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        let ty = n
                            .child_by_field_name("type")
                            .map(|t| TypeRef::of(source, t));
                        self.statics
                            .entry(text(source, name).to_string())
                            .or_insert(ty);
                    }
                }
                "type_item" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        let ty = n
                            .child_by_field_name("type")
                            .map(|t| TypeRef::of(source, t));
                        self.type_aliases
                            .entry(text(source, name).to_string())
                            .or_insert(ty);
                    }
                }
                "function_item" => walk.skip_subtree(),
                _ => {}
            }
        }
    }

    fn collect_sequence_fields(&mut self, source: &str, s: Node<'_>) {
        let (Some(name), Some(body)) =
            (s.child_by_field_name("name"), s.child_by_field_name("body"))
        else {
            return;
        };
        for f in named_children(body) {
            if f.kind() != "field_declaration" {
                continue;
            }
            let (Some(fname), Some(ty)) =
                (f.child_by_field_name("name"), f.child_by_field_name("type"))
            else {
                continue;
            };
            let t = squash(text(source, ty));
            let base = t.split('<').next().unwrap_or("");
            let base = base.rsplit("::").next().unwrap_or(base);
            if matches!(base, "VecDeque" | "Vec") {
                self.sequence_fields.insert((
                    text(source, name).to_string(),
                    text(source, fname).to_string(),
                    t,
                ));
            }
        }
    }

    fn collect_go(&mut self, source: &str, node: Node<'_>) {
        for n in Walk::new(node) {
            match n.kind() {
                "function_declaration" if !self.has_main => {
                    self.has_main = n.parent().is_some_and(|p| p.kind() == "source_file")
                        && n.child_by_field_name("name")
                            .is_some_and(|x| text(source, x) == "main");
                }
                "assignment_statement" | "short_var_declaration" => {
                    let Some(left) = n.child_by_field_name("left") else {
                        continue;
                    };
                    let lefts = named_children(left);
                    if n.kind() == "assignment_statement" {
                        for x in &lefts {
                            let t = squash(text(source, *x));
                            if t.contains('.') {
                                self.assigned_selectors.insert(t);
                            }
                        }
                    }
                    let Some(right) = n.child_by_field_name("right") else {
                        continue;
                    };
                    for (i, rv) in named_children(right).into_iter().enumerate() {
                        let Some((pkg, member)) = go_selector_call(source, rv) else {
                            continue;
                        };
                        if member != "New" {
                            continue;
                        }
                        if let Some(lhs) = lefts.get(i) {
                            let t = squash(text(source, *lhs));
                            let last = t.rsplit('.').next().unwrap_or(&t).to_string();
                            self.list_holders
                                .insert((pkg.to_string(), member.to_string(), last));
                        }
                    }
                }
                "field_declaration" => {
                    let Some(ty) = n.child_by_field_name("type") else {
                        continue;
                    };
                    let ty = if ty.kind() == "pointer_type" {
                        match ty.named_child(0) {
                            Some(t) => t,
                            None => continue,
                        }
                    } else {
                        ty
                    };
                    if ty.kind() != "qualified_type" {
                        continue;
                    }
                    let (Some(pkg), Some(name)) = (
                        ty.child_by_field_name("package"),
                        ty.child_by_field_name("name"),
                    ) else {
                        continue;
                    };
                    if text(source, name) != "List" {
                        continue;
                    }
                    let mut c = n.walk();
                    for field in n.children_by_field_name("name", &mut c) {
                        self.list_holders.insert((
                            text(source, pkg).to_string(),
                            "List".to_string(),
                            text(source, field).to_string(),
                        ));
                    }
                }
                "call_expression" => {
                    if let Some(name) = buffered_channel_name(source, n) {
                        self.buffered_channels.insert(name);
                    }
                    if let Some((Some(recv), name)) = crate::rules::go::shapes::callee(source, n) {
                        if LIFECYCLE_NAMES.contains(&name) {
                            let assigned = crate::rules::go::shapes::assigned_to(n)
                                .map(|v| text(source, v).to_string());
                            self.lifecycle_calls.insert((
                                name.to_string(),
                                text(source, recv).to_string(),
                                recv.kind() == "identifier",
                                assigned,
                            ));
                        }
                    }
                }
                "const_spec" => {
                    let top = ancestors(n)
                        .find(|a| a.kind() == "const_declaration")
                        .and_then(|d| d.parent())
                        .is_some_and(|p| p.kind() == "source_file");
                    if !top {
                        continue;
                    }
                    if let Some(first) = n.child_by_field_name("name") {
                        self.first_consts.insert(text(source, first).to_string());
                    }
                    let mut c = n.walk();
                    for name in n.children_by_field_name("name", &mut c) {
                        self.consts.insert(text(source, name).to_string());
                    }
                }
                _ => {}
            }
        }
    }

    /// Merges the facts of a file's segments, given in source order: equal to
    /// [`FileFacts::collect`] over the whole file.
    pub fn merge<'a>(parts: impl IntoIterator<Item = &'a FileFacts>) -> FileFacts {
        let mut out = FileFacts::default();
        for p in parts {
            for (k, v) in &p.field_types {
                out.field_types
                    .entry(k.clone())
                    .or_default()
                    .extend(v.iter().cloned());
            }
            for (k, v) in &p.statics {
                out.statics.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for (k, v) in &p.type_aliases {
                out.type_aliases
                    .entry(k.clone())
                    .or_insert_with(|| v.clone());
            }
            out.strict_call_comparisons
                .extend(p.strict_call_comparisons.iter().cloned());
            out.assigned_selectors
                .extend(p.assigned_selectors.iter().cloned());
            out.compared_fields
                .extend(p.compared_fields.iter().cloned());
            out.request_timeouts |= p.request_timeouts;
            out.buffered_channels
                .extend(p.buffered_channels.iter().cloned());
            out.list_holders.extend(p.list_holders.iter().cloned());
            out.consts.extend(p.consts.iter().cloned());
            out.serde_deny |= p.serde_deny;
            out.sequence_fields
                .extend(p.sequence_fields.iter().cloned());
            out.has_main |= p.has_main;
            out.lifecycle_calls
                .extend(p.lifecycle_calls.iter().cloned());
            out.first_consts.extend(p.first_consts.iter().cloned());
        }
        out
    }

    /// The kinds of fact that differ between `self` and `other`.
    pub fn changed(&self, other: &FileFacts) -> FactKinds {
        let mut k = FactKinds::NONE;
        let mut mark = |differs: bool, kind: FactKinds| {
            if differs {
                k = k.union(kind);
            }
        };
        mark(
            self.field_types != other.field_types,
            FactKinds::FIELD_TYPES,
        );
        mark(self.statics != other.statics, FactKinds::STATICS);
        mark(
            self.type_aliases != other.type_aliases,
            FactKinds::TYPE_ALIASES,
        );
        mark(
            self.strict_call_comparisons != other.strict_call_comparisons,
            FactKinds::STRICT_CALL_COMPARISONS,
        );
        mark(
            self.assigned_selectors != other.assigned_selectors,
            FactKinds::ASSIGNED_SELECTORS,
        );
        mark(
            self.compared_fields != other.compared_fields,
            FactKinds::COMPARED_FIELDS,
        );
        mark(
            self.request_timeouts != other.request_timeouts,
            FactKinds::REQUEST_TIMEOUTS,
        );
        mark(
            self.buffered_channels != other.buffered_channels,
            FactKinds::BUFFERED_CHANNELS,
        );
        mark(
            self.list_holders != other.list_holders,
            FactKinds::LIST_HOLDERS,
        );
        mark(
            self.consts != other.consts || self.first_consts != other.first_consts,
            FactKinds::CONSTS,
        );
        mark(self.serde_deny != other.serde_deny, FactKinds::SERDE_DENY);
        mark(
            self.sequence_fields != other.sequence_fields,
            FactKinds::SEQUENCE_FIELDS,
        );
        mark(self.has_main != other.has_main, FactKinds::MAIN);
        mark(
            self.lifecycle_calls != other.lifecycle_calls,
            FactKinds::LIFECYCLE_CALLS,
        );
        mark(
            self.build_ignored != other.build_ignored,
            FactKinds::BUILD_IGNORED,
        );
        k
    }

    /// The facts read from the whole text rather than from segments (Go: the build-ignore
    /// line before the package clause; O(lines before `package`)). Both engines call it after
    /// [`FileFacts::collect`] / [`FileFacts::merge`].
    pub fn text_facts(language: Language, source: &str) -> bool {
        language == Language::Go && go_build_ignored(source)
    }

    /// `self` with the text facts of `source` set (see [`FileFacts::text_facts`]).
    pub fn with_text(mut self, language: Language, source: &str) -> FileFacts {
        self.build_ignored = FileFacts::text_facts(language, source);
        self
    }

    /// Whether the text facts stored in `self` are those of `source`.
    pub fn text_facts_match(&self, language: Language, source: &str) -> bool {
        self.build_ignored == FileFacts::text_facts(language, source)
    }

    /// Whether no fact was found.
    pub fn is_empty(&self) -> bool {
        *self == FileFacts::default()
    }
}

/// The facts of the file as one rule sees them while checking one unit: every read marks its
/// [`FactKinds`] so the engine knows what the result depends on. Obtained from
/// [`Context::facts`](crate::rule::Context::facts).
#[derive(Clone, Copy)]
pub struct FactsView<'a> {
    facts: &'a FileFacts,
    reads: &'a AtomicU32,
}

impl<'a> FactsView<'a> {
    pub(crate) fn new(facts: &'a FileFacts, reads: &'a AtomicU32) -> Self {
        Self { facts, reads }
    }

    fn mark(&self, kind: FactKinds) {
        self.reads.fetch_or(kind.0, Ordering::Relaxed);
    }

    /// Rust: the declared types of every field named `field` in the file (structs, enum
    /// variants, unions, local structs too), in source order. Marks [`FactKinds::FIELD_TYPES`].
    pub fn field_types(&self, field: &str) -> &'a [TypeRef] {
        self.mark(FactKinds::FIELD_TYPES);
        self.facts
            .field_types
            .get(field)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Rust: the declared type of the first `static`/`const` named `name` outside function
    /// bodies (`None` when there is none or it has no type). Marks [`FactKinds::STATICS`].
    pub fn static_type(&self, name: &str) -> Option<&'a TypeRef> {
        self.mark(FactKinds::STATICS);
        self.facts.statics.get(name).and_then(Option::as_ref)
    }

    /// Rust: the aliased type of the first `type name = ...;` outside function bodies. Marks
    /// [`FactKinds::TYPE_ALIASES`].
    pub fn type_alias(&self, name: &str) -> Option<&'a TypeRef> {
        self.mark(FactKinds::TYPE_ALIASES);
        self.facts.type_aliases.get(name).and_then(Option::as_ref)
    }

    /// Rust: whether some `x > ….name()` / `….name() < x` comparison appears in the file (the
    /// text of the compared side ends with `name()`). Marks
    /// [`FactKinds::STRICT_CALL_COMPARISONS`].
    pub fn strictly_compared_call(&self, name: &str) -> bool {
        self.mark(FactKinds::STRICT_CALL_COMPARISONS);
        self.facts
            .strict_call_comparisons
            .iter()
            .any(|s| s.ends_with(name))
    }

    /// Go: whether some assignment in the file has `target` (whitespace removed, containing a
    /// `.`, e.g. `c.Timeout`) among its left-hand operands. Marks
    /// [`FactKinds::ASSIGNED_SELECTORS`].
    pub fn selector_assigned(&self, target: &str) -> bool {
        self.mark(FactKinds::ASSIGNED_SELECTORS);
        self.facts.assigned_selectors.contains(target)
    }

    /// Rust: whether some `a.field OP b.field` comparison (`<`, `<=`, `>`, `>=`; the same field
    /// name on both sides) appears in the file. Marks [`FactKinds::COMPARED_FIELDS`].
    pub fn field_compared(&self, field: &str) -> bool {
        self.mark(FactKinds::COMPARED_FIELDS);
        self.facts.compared_fields.contains(field)
    }

    /// Rust: whether the file sets a per-request `.timeout(..)` on some request chain
    /// (`client.get(url).timeout(d)`). Marks [`FactKinds::REQUEST_TIMEOUTS`].
    pub fn request_timeouts(&self) -> bool {
        self.mark(FactKinds::REQUEST_TIMEOUTS);
        self.facts.request_timeouts
    }

    /// Go: whether a channel made with a capacity other than `0` (`make(chan T, 16)`) is stored
    /// somewhere in the file under a name whose last segment is `name`. Marks
    /// [`FactKinds::BUFFERED_CHANNELS`].
    pub fn buffered_channel(&self, name: &str) -> bool {
        self.mark(FactKinds::BUFFERED_CHANNELS);
        self.facts.buffered_channels.contains(name)
    }

    /// Go: the candidate `container/list` holders, `(package as written, member, name)`: fields
    /// typed `package.List` (member `List`) and variables or fields assigned `package.New(...)`
    /// (member `New`; `name` is the last segment of the left side). Marks
    /// [`FactKinds::LIST_HOLDERS`].
    pub fn list_holders(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
        self.mark(FactKinds::LIST_HOLDERS);
        self.facts
            .list_holders
            .iter()
            .map(|(p, m, n)| (p.as_str(), m.as_str(), n.as_str()))
    }

    /// Go: whether `name` is declared by a file-level `const` (any name of a `const_spec` when
    /// `any_position`, else only the first name of each spec). Marks [`FactKinds::CONSTS`].
    pub fn go_const(&self, name: &str, any_position: bool) -> bool {
        self.mark(FactKinds::CONSTS);
        if any_position {
            self.facts.consts.contains(name)
        } else {
            self.facts.first_consts.contains(name)
        }
    }

    /// Rust: whether the file has a `#[serde(...)]` attribute containing
    /// `deny_unknown_fields` (whitespace removed). Marks [`FactKinds::SERDE_DENY`].
    pub fn serde_deny_unknown_fields(&self) -> bool {
        self.mark(FactKinds::SERDE_DENY);
        self.facts.serde_deny
    }

    /// Rust: `(struct, field, type)` for struct fields typed `Vec<..>` / `VecDeque<..>` (type
    /// with whitespace removed), sorted. Marks [`FactKinds::SEQUENCE_FIELDS`].
    pub fn sequence_fields(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
        self.mark(FactKinds::SEQUENCE_FIELDS);
        self.facts
            .sequence_fields
            .iter()
            .map(|(s, f, t)| (s.as_str(), f.as_str(), t.as_str()))
    }

    /// Go: whether the file declares a file-level `func main`. Marks [`FactKinds::MAIN`].
    pub fn has_main(&self) -> bool {
        self.mark(FactKinds::MAIN);
        self.facts.has_main
    }

    /// Go: the lifecycle calls of the file: `(name, receiver text, receiver is an identifier,
    /// text of the expression the call's value is assigned to, if any)`, for the names in
    /// [`LIFECYCLE_NAMES`]. Marks [`FactKinds::LIFECYCLE_CALLS`].
    pub fn lifecycle_calls(
        &self,
    ) -> impl Iterator<Item = (&'a str, &'a str, bool, Option<&'a str>)> {
        self.mark(FactKinds::LIFECYCLE_CALLS);
        self.facts
            .lifecycle_calls
            .iter()
            .map(|(n, r, i, a)| (n.as_str(), r.as_str(), *i, a.as_deref()))
    }

    /// Go: whether a `//go:build ignore` / `// +build ignore` line precedes the package
    /// clause. Marks [`FactKinds::BUILD_IGNORED`].
    pub fn build_ignored(&self) -> bool {
        self.mark(FactKinds::BUILD_IGNORED);
        self.facts.build_ignored
    }

    /// Declares that the check read something of the file that no fact describes (walked
    /// `ctx.root`, searched the text): the engine re-runs this rule on this unit after every
    /// edit. Marks [`FactKinds::WHOLE_FILE`]. Keep it for rare paths.
    pub fn whole_file(&self) {
        self.mark(FactKinds::WHOLE_FILE);
    }
}
