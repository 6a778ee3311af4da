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
use std::sync::OnceLock;

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
    /// Rust: type names decoded from the wire (`Json<T>`, `.json::<T>()`, `serde_json::from_slice`
    /// and the other decode calls of `strict-wire-decoding`, with their unresolved paths).
    pub const WIRE_DECODES: FactKinds = FactKinds(1 << 15);
    /// Rust: how the `impl`s of each type use its queue-like fields (`self.queue.len()`,
    /// `self.queue.` with a capacity word in the impl), for `unbounded-work-queue`.
    pub const QUEUE_CHECKS: FactKinds = FactKinds(1 << 16);
    /// Rust: the text `response_timeout` occurs somewhere in the file (read from the text, not
    /// from a segment), for `reply-without-timeout`.
    pub const RESPONSE_TIMEOUT: FactKinds = FactKinds(1 << 17);
    /// Anything in the file: the check must be re-run after every edit.
    pub const WHOLE_FILE: FactKinds = FactKinds(1 << 31);
    /// Every kind ([`FileFacts::collect`] collects them all).
    pub const ALL: FactKinds = FactKinds(u32::MAX);
    /// The Rust kinds collected by the shallow walk that skips function bodies; asking
    /// [`FileFacts::collect_kinds`] for only these skips the walk of every node.
    const RUST_SHALLOW: FactKinds = FactKinds(Self::STATICS.0 | Self::TYPE_ALIASES.0);
    /// The Go kinds found outside function and method bodies only (a file-level `func main`,
    /// file-level `const`s): asking [`FileFacts::collect_kinds`] for only these skips the bodies.
    const GO_SHALLOW: FactKinds = FactKinds(Self::MAIN.0 | Self::CONSTS.0);

    /// Whether every kind of `self` is in `other`.
    pub fn subset_of(self, other: FactKinds) -> bool {
        self.0 & !other.0 == 0
    }

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
    /// Rust: `(callee path, type name)` for the identifiers (`identifier`, `field_identifier`,
    /// `type_identifier`) in the type arguments of every `Json<..>`/`Form<..>` type (path
    /// `None`), and in the turbofish and the `let` type of every `.json()` call (path `None`)
    /// and of every call whose callee path, whitespace removed and unresolved, ends in one of
    /// [`WIRE_DECODE_FNS`] (`serde_json::from_slice`, `from_str`). The rule resolves the paths
    /// through the imports (see [`FactsView::wire_decodes`]).
    wire_decodes: BTreeSet<(Option<String>, String)>,
    /// Rust: `(impl type, field)` for every queue-like field name (see
    /// [`crate::rules::rust::unbounded_work_queue::is_queue_name`]) `f` such that a *part* of an
    /// `impl` of that type contains `self.f.len()` (whitespace removed). The impl type is its
    /// `type` text, whitespace removed, up to the first `<` (`impl<T> Foo<T>` → `Foo`). The parts
    /// of an impl are its named children other than the body (type parameters, trait, type,
    /// where clause) and the named children of its body other than comments (items,
    /// attributes): the pieces the incremental engine collects facts from, so a part never
    /// spans two of them.
    queue_len_checks: BTreeSet<(String, String)>,
    /// Rust: `(impl type, field)` for every queue-like field `f` such that a part of an `impl`
    /// of that type contains `self.f.` (whitespace removed).
    queue_mentions: BTreeSet<(String, String)>,
    /// Rust: impl types some part of whose impls has a capacity word ([`QUEUE_LIMIT_SIGNS`]) in
    /// its code (comments left out).
    queue_limited: BTreeSet<String>,
    /// Rust: the text `response_timeout` occurs anywhere in the file (code, comments, strings).
    /// A text fact: set by [`FileFacts::with_text`], not collected from segments.
    response_timeout: bool,
}

/// Words that show an `impl` caps its queue (`capacity`, `is_full`, `truncate`, `max_len`,
/// `limit`), matched lower-cased in code, for [`FileFacts`]' `queue_limited`.
pub const QUEUE_LIMIT_SIGNS: &[&str] = &["capacity", "is_full", "truncate", "max_len", "limit"];

/// The base name of an `impl`'s type: its text, whitespace removed, up to the first `<`.
pub fn impl_type_base(source: &str, imp: Node<'_>) -> Option<String> {
    let ty = imp.child_by_field_name("type")?;
    let t = squash(text(source, ty));
    Some(t.split('<').next().unwrap_or("").to_string())
}

/// Whether the leaf tokens of `node` outside comments, concatenated without whitespace and
/// lower-cased (`AckKind :: Term` → `ackkind::term`), contain one of `needles` (lower-case).
/// Shared with the rules as `rules::rust::common::code_has`.
pub(crate) fn code_has(source: &str, node: Node<'_>, needles: &[&str]) -> bool {
    let mut code = String::new();
    let mut w = Walk::new(node);
    while let Some(n) = w.next() {
        if matches!(n.kind(), "line_comment" | "block_comment") {
            w.skip_subtree();
            continue;
        }
        if n.child_count() == 0 {
            code.push_str(text(source, n));
        }
    }
    let code = code.to_ascii_lowercase();
    needles.iter().any(|n| code.contains(n))
}

/// Last path segments of the decode calls recorded in [`FileFacts`]' `wire_decodes`
/// (`serde_json::from_slice`, `bincode::deserialize_from`, ...).
pub const WIRE_DECODE_FNS: &[&str] = &[
    "from_slice",
    "from_str",
    "from_reader",
    "from_value",
    "from_bytes",
    "decode",
    "deserialize_from",
    "from_read",
];

/// Last path segments of the body extractor types recorded in [`FileFacts`]' `wire_decodes`.
pub const WIRE_EXTRACTORS: &[&str] = &["Json", "Form"];

/// The identifiers (`identifier`, `field_identifier`, `type_identifier`) in `node`'s subtree, in
/// pre-order.
fn type_idents<'s, 't>(
    source: &'s str,
    node: Node<'t>,
) -> impl Iterator<Item = &'s str> + use<'s, 't> {
    Walk::new(node)
        .filter(|n| {
            matches!(
                n.kind(),
                "identifier" | "field_identifier" | "type_identifier"
            )
        })
        .map(move |n| text(source, n))
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
        FileFacts::collect_kinds(language, source, node, FactKinds::ALL)
    }

    /// [`FileFacts::collect`] restricted to `kinds`: the fields of the other kinds may be left
    /// empty (or filled), the fields of `kinds` equal those of [`FileFacts::collect`] over the
    /// same `node`. Each kind's field depends only on the nodes of its own kind, so collecting
    /// fewer kinds is the same code over the same nodes with the other node kinds ignored, and
    /// the walk of every node is skipped when only kinds of the shallow walk are asked for.
    /// What [`LazyFacts`] uses to collect a kind the first time a check reads it.
    pub fn collect_kinds(
        language: Language,
        source: &str,
        node: Node<'_>,
        kinds: FactKinds,
    ) -> FileFacts {
        let mut facts = FileFacts::default();
        match language {
            Language::Rust => facts.collect_rust(source, node, kinds),
            Language::Go => facts.collect_go(source, node, kinds),
        }
        facts
    }

    fn collect_rust(&mut self, source: &str, node: Node<'_>, kinds: FactKinds) {
        let want = |k: FactKinds| kinds.intersects(k);
        if !kinds.subset_of(FactKinds::RUST_SHALLOW) {
            self.collect_rust_full(source, node, kinds);
        }
        if !want(FactKinds::RUST_SHALLOW) {
            return;
        }
        // Statics and aliases outside function bodies (the walk skips them, so it is cheap).
        let mut walk = Walk::new(node);
        while let Some(n) = walk.next() {
            match n.kind() {
                "static_item" | "const_item" if want(FactKinds::STATICS) => {
                    if let Some(name) = n.child_by_field_name("name") {
                        let ty = n
                            .child_by_field_name("type")
                            .map(|t| TypeRef::of(source, t));
                        self.statics
                            .entry(text(source, name).to_string())
                            .or_insert(ty);
                    }
                }
                "type_item" if want(FactKinds::TYPE_ALIASES) => {
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

    /// The Rust facts found by a walk of every node of `node` (everything but the shallow
    /// kinds), for the kinds in `kinds`.
    fn collect_rust_full(&mut self, source: &str, node: Node<'_>, kinds: FactKinds) {
        let want = |k: FactKinds| kinds.intersects(k);
        let comparisons =
            FactKinds(FactKinds::COMPARED_FIELDS.0 | FactKinds::STRICT_CALL_COMPARISONS.0);
        // Fields (anywhere, but not nested in another field's subtree) and strict comparisons:
        // one full walk.
        let mut fields_until = 0;
        for n in Walk::new(node) {
            match n.kind() {
                "field_declaration"
                    if want(FactKinds::FIELD_TYPES) && n.start_byte() >= fields_until =>
                {
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
                "field_expression" if want(FactKinds::REQUEST_TIMEOUTS) => {
                    if !self.request_timeouts && is_request_timeout(source, n) {
                        self.request_timeouts = true;
                    }
                }
                "attribute_item" if want(FactKinds::SERDE_DENY) && !self.serde_deny => {
                    let t = squash(text(source, n));
                    self.serde_deny =
                        t.starts_with("#[serde(") && t.contains("deny_unknown_fields");
                }
                "struct_item" if want(FactKinds::SEQUENCE_FIELDS) => {
                    self.collect_sequence_fields(source, n)
                }
                "generic_type" if want(FactKinds::WIRE_DECODES) => {
                    self.collect_wire_extractor(source, n)
                }
                "impl_item" if want(FactKinds::QUEUE_CHECKS) => self.collect_impl_parts(source, n),
                "call_expression" if want(FactKinds::WIRE_DECODES) => {
                    self.collect_wire_call(source, n)
                }
                "binary_expression" if want(comparisons) => {
                    let op = n.child_by_field_name("operator").map(|o| text(source, o));
                    if want(FactKinds::COMPARED_FIELDS)
                        && matches!(op, Some("<" | "<=" | ">" | ">="))
                    {
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
                        _ if !want(FactKinds::STRICT_CALL_COMPARISONS) => None,
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
    }

    /// Every part of the `impl` `imp` (see [`FileFacts`]' `queue_len_checks`), as
    /// [`FileFacts::collect_impl_part`] records it.
    fn collect_impl_parts(&mut self, source: &str, imp: Node<'_>) {
        let Some(ty) = impl_type_base(source, imp) else {
            return;
        };
        let body = imp.child_by_field_name("body");
        for part in named_children(imp) {
            if Some(part) != body {
                self.impl_part(source, &ty, part);
                continue;
            }
            for item in named_children(part) {
                if !matches!(item.kind(), "line_comment" | "block_comment") {
                    self.impl_part(source, &ty, item);
                }
            }
        }
    }

    /// Records what `part`, a part of the `impl` `imp` (a named child of it other than its
    /// body, or a named child of its body other than a comment), says about the impl type's
    /// queue-like fields. The incremental engine calls it for the segments that are parts of a
    /// container `impl` (their facts then depend on that impl's header, which the engine tracks);
    /// [`FileFacts::collect`] calls it for every impl it meets.
    pub fn collect_impl_part(&mut self, source: &str, imp: Node<'_>, part: Node<'_>) {
        if let Some(ty) = impl_type_base(source, imp) {
            self.impl_part(source, &ty, part);
        }
    }

    fn impl_part(&mut self, source: &str, ty: &str, part: Node<'_>) {
        let raw = text(source, part);
        if !self.queue_limited.contains(ty) {
            let lower = raw.to_ascii_lowercase();
            if QUEUE_LIMIT_SIGNS.iter().any(|n| lower.contains(n))
                && code_has(source, part, QUEUE_LIMIT_SIGNS)
            {
                self.queue_limited.insert(ty.to_string());
            }
        }
        if !raw.contains("self") {
            return;
        }
        let t = squash(raw);
        for (i, _) in t.match_indices("self.") {
            let rest = &t[i + "self.".len()..];
            let Some(end) = rest.find('.') else {
                break;
            };
            let field = &rest[..end];
            if field.is_empty() || !crate::rules::rust::unbounded_work_queue::is_queue_name(field) {
                continue;
            }
            if rest[end..].starts_with(".len()") {
                self.queue_len_checks
                    .insert((ty.to_string(), field.to_string()));
            }
            self.queue_mentions
                .insert((ty.to_string(), field.to_string()));
        }
    }

    /// `Json<T>` / `Form<T>`: the identifiers of the type arguments.
    fn collect_wire_extractor(&mut self, source: &str, n: Node<'_>) {
        let Some(t) = n.child_by_field_name("type") else {
            return;
        };
        let raw = text(source, t);
        if !WIRE_EXTRACTORS.iter().any(|e| raw.ends_with(e)) {
            return;
        }
        let name = squash(raw);
        let last = name.rsplit("::").next().unwrap_or(&name);
        if !WIRE_EXTRACTORS.contains(&last) {
            return;
        }
        if let Some(args) = n.child_by_field_name("type_arguments") {
            for i in type_idents(source, args) {
                self.wire_decodes.insert((None, i.to_string()));
            }
        }
    }

    /// A `.json()` call or a call whose path ends in a decode function: the identifiers of its
    /// turbofish and of the type of the `let` it initialises (through `?` and `.await`).
    fn collect_wire_call(&mut self, source: &str, n: Node<'_>) {
        let Some(f) = n.child_by_field_name("function") else {
            return;
        };
        let (callee, turbofish) = if f.kind() == "generic_function" {
            let Some(inner) = f.child_by_field_name("function") else {
                return;
            };
            (inner, f.child_by_field_name("type_arguments"))
        } else {
            (f, None)
        };
        let path = match callee.kind() {
            // A method call: only `.json()` decodes (as `common::method_call` sees it: a
            // receiver, a name and arguments).
            "field_expression" => {
                let json = callee.child_by_field_name("value").is_some()
                    && n.child_by_field_name("arguments").is_some()
                    && callee
                        .child_by_field_name("field")
                        .is_some_and(|m| text(source, m) == "json");
                if !json {
                    return;
                }
                None
            }
            "identifier" | "scoped_identifier" => {
                let raw = text(source, callee);
                if !WIRE_DECODE_FNS.iter().any(|d| raw.ends_with(d)) {
                    return;
                }
                let path = squash(raw);
                let last = path.rsplit("::").next().unwrap_or(&path);
                if !WIRE_DECODE_FNS.contains(&last) {
                    return;
                }
                Some(path)
            }
            _ => return,
        };
        let mut idents: Vec<&str> = Vec::new();
        if let Some(ta) = turbofish {
            idents.extend(type_idents(source, ta));
        }
        // `let x: T = serde_json::from_slice(..)?;`
        if let Some(t) = crate::syntax::let_declared_type(n) {
            idents.extend(type_idents(source, t));
        }
        for i in idents {
            self.wire_decodes.insert((path.clone(), i.to_string()));
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

    fn collect_go(&mut self, source: &str, node: Node<'_>, kinds: FactKinds) {
        let want = |k: FactKinds| kinds.intersects(k);
        let assignments = FactKinds(FactKinds::ASSIGNED_SELECTORS.0 | FactKinds::LIST_HOLDERS.0);
        let calls = FactKinds(FactKinds::BUFFERED_CHANNELS.0 | FactKinds::LIFECYCLE_CALLS.0);
        // Only file-level kinds asked for: nothing inside a function or method body can be one
        // (a `const` there is not file-level, Go has no nested function declarations).
        let shallow = kinds.subset_of(FactKinds::GO_SHALLOW);
        let mut walk = Walk::new(node);
        while let Some(n) = walk.next() {
            match n.kind() {
                "function_declaration" | "method_declaration" if shallow => {
                    if n.kind() == "function_declaration" && want(FactKinds::MAIN) && !self.has_main
                    {
                        self.has_main = n.parent().is_some_and(|p| p.kind() == "source_file")
                            && n.child_by_field_name("name")
                                .is_some_and(|x| text(source, x) == "main");
                    }
                    walk.skip_subtree();
                }
                "function_declaration" if want(FactKinds::MAIN) && !self.has_main => {
                    self.has_main = n.parent().is_some_and(|p| p.kind() == "source_file")
                        && n.child_by_field_name("name")
                            .is_some_and(|x| text(source, x) == "main");
                }
                "assignment_statement" | "short_var_declaration" if want(assignments) => {
                    let Some(left) = n.child_by_field_name("left") else {
                        continue;
                    };
                    let lefts = named_children(left);
                    if want(FactKinds::ASSIGNED_SELECTORS) && n.kind() == "assignment_statement" {
                        for x in &lefts {
                            let t = squash(text(source, *x));
                            if t.contains('.') {
                                self.assigned_selectors.insert(t);
                            }
                        }
                    }
                    if !want(FactKinds::LIST_HOLDERS) {
                        continue;
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
                "field_declaration" if want(FactKinds::LIST_HOLDERS) => {
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
                "call_expression" if want(calls) => {
                    if want(FactKinds::BUFFERED_CHANNELS) {
                        if let Some(name) = buffered_channel_name(source, n) {
                            self.buffered_channels.insert(name);
                        }
                    }
                    if !want(FactKinds::LIFECYCLE_CALLS) {
                        continue;
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
                "const_spec" if want(FactKinds::CONSTS) => {
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
            out.wire_decodes.extend(p.wire_decodes.iter().cloned());
            out.queue_len_checks
                .extend(p.queue_len_checks.iter().cloned());
            out.queue_mentions.extend(p.queue_mentions.iter().cloned());
            out.queue_limited.extend(p.queue_limited.iter().cloned());
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
        mark(
            self.response_timeout != other.response_timeout,
            FactKinds::RESPONSE_TIMEOUT,
        );
        mark(
            self.wire_decodes != other.wire_decodes,
            FactKinds::WIRE_DECODES,
        );
        mark(
            self.queue_len_checks != other.queue_len_checks
                || self.queue_mentions != other.queue_mentions
                || self.queue_limited != other.queue_limited,
            FactKinds::QUEUE_CHECKS,
        );
        k
    }

    /// The facts read from the whole text rather than from segments: Go, the build-ignore
    /// line before the package clause (O(lines before `package`)); Rust, whether the text
    /// `response_timeout` occurs (one SIMD substring search, ~0.5 ms for 5 MB). Both engines call
    /// it after [`FileFacts::collect`] / [`FileFacts::merge`]. `(build_ignored,
    /// response_timeout)`.
    pub fn text_facts(language: Language, source: &str) -> (bool, bool) {
        match language {
            Language::Go => (go_build_ignored(source), false),
            Language::Rust => (
                false,
                memchr::memmem::find(source.as_bytes(), b"response_timeout").is_some(),
            ),
        }
    }

    /// `self` with the text facts of `source` set (see [`FileFacts::text_facts`]).
    pub fn with_text(mut self, language: Language, source: &str) -> FileFacts {
        (self.build_ignored, self.response_timeout) = FileFacts::text_facts(language, source);
        self
    }

    /// Whether the text facts stored in `self` are those of `source`.
    pub fn text_facts_match(&self, language: Language, source: &str) -> bool {
        (self.build_ignored, self.response_timeout) == FileFacts::text_facts(language, source)
    }

    /// Whether no fact was found.
    pub fn is_empty(&self) -> bool {
        *self == FileFacts::default()
    }
}

/// A file's facts collected on first read, one kind at a time: what the from-scratch engine
/// (`distlint check`, [`crate::engine::Analyzer::analyze`]) gives its rules. Most files are
/// never asked for most kinds (a rule reads a fact only at a candidate finding), so collecting
/// every kind up front walked every node of every file for nothing (0.25–0.40× the parse time
/// of the cold-check corpus). A kind asked for is collected by [`FileFacts::collect_kinds`]
/// over the whole root, once, so every read sees exactly what [`FileFacts::collect`] (plus
/// [`FileFacts::with_text`]) would have found. The incremental engine keeps collecting every
/// kind per segment (it must compare them after each edit).
pub struct LazyFacts<'t> {
    language: Language,
    source: &'t str,
    root: Node<'t>,
    /// Per kind bit (index = bit position): that kind's facts once collected.
    kinds: [OnceLock<FileFacts>; 32],
}

impl<'t> LazyFacts<'t> {
    /// Nothing collected yet: `root` is the root of the parsed `source`.
    pub fn new(language: Language, source: &'t str, root: Node<'t>) -> Self {
        Self {
            language,
            source,
            root,
            kinds: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    /// The facts with `kind` (a single bit) collected over the whole file (other kinds may be
    /// empty). Collected on the first call for that kind.
    pub fn get(&self, kind: FactKinds) -> &FileFacts {
        debug_assert_eq!(kind.0.count_ones(), 1, "one kind at a time");
        let i = kind.0.trailing_zeros() as usize;
        self.kinds[i].get_or_init(|| {
            FileFacts::collect_kinds(self.language, self.source, self.root, kind)
                .with_text(self.language, self.source)
        })
    }

    /// The kinds collected so far (for tests and the benchmark's profile).
    pub fn collected(&self) -> FactKinds {
        FactKinds(
            (0..32)
                .filter(|&i| self.kinds[i].get().is_some())
                .fold(0, |acc, i| acc | (1 << i)),
        )
    }
}

/// Where a [`FactsView`] reads from: facts collected up front (the incremental engine, the
/// fixture harness) or collected per kind on first read ([`LazyFacts`]).
#[derive(Clone, Copy)]
pub enum FactsSource<'a> {
    /// Every kind collected ([`FileFacts::collect`] or a merge of segments).
    Eager(&'a FileFacts),
    /// Kinds collected when first read.
    Lazy(&'a LazyFacts<'a>),
}

impl<'a> From<&'a FileFacts> for FactsSource<'a> {
    fn from(f: &'a FileFacts) -> Self {
        FactsSource::Eager(f)
    }
}

impl<'a> From<&'a std::sync::Arc<FileFacts>> for FactsSource<'a> {
    fn from(f: &'a std::sync::Arc<FileFacts>) -> Self {
        FactsSource::Eager(f)
    }
}

impl<'a> From<&'a LazyFacts<'a>> for FactsSource<'a> {
    fn from(f: &'a LazyFacts<'a>) -> Self {
        FactsSource::Lazy(f)
    }
}

/// The facts of the file as one rule sees them while checking one unit: every read marks its
/// [`FactKinds`] so the engine knows what the result depends on. Obtained from
/// [`Context::facts`](crate::rule::Context::facts).
#[derive(Clone, Copy)]
pub struct FactsView<'a> {
    facts: FactsSource<'a>,
    reads: &'a AtomicU32,
}

impl<'a> FactsView<'a> {
    pub(crate) fn new(facts: FactsSource<'a>, reads: &'a AtomicU32) -> Self {
        Self { facts, reads }
    }

    fn mark(&self, kind: FactKinds) {
        self.reads.fetch_or(kind.0, Ordering::Relaxed);
    }

    /// Marks `kind` read and returns facts in which that kind is collected.
    fn read(&self, kind: FactKinds) -> &'a FileFacts {
        self.mark(kind);
        match self.facts {
            FactsSource::Eager(f) => f,
            FactsSource::Lazy(l) => l.get(kind),
        }
    }

    /// Rust: the declared types of every field named `field` in the file (structs, enum
    /// variants, unions, local structs too), in source order. Marks [`FactKinds::FIELD_TYPES`].
    pub fn field_types(&self, field: &str) -> &'a [TypeRef] {
        self.read(FactKinds::FIELD_TYPES)
            .field_types
            .get(field)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Rust: the declared type of the first `static`/`const` named `name` outside function
    /// bodies (`None` when there is none or it has no type). Marks [`FactKinds::STATICS`].
    pub fn static_type(&self, name: &str) -> Option<&'a TypeRef> {
        self.read(FactKinds::STATICS)
            .statics
            .get(name)
            .and_then(Option::as_ref)
    }

    /// Rust: the aliased type of the first `type name = ...;` outside function bodies. Marks
    /// [`FactKinds::TYPE_ALIASES`].
    pub fn type_alias(&self, name: &str) -> Option<&'a TypeRef> {
        self.read(FactKinds::TYPE_ALIASES)
            .type_aliases
            .get(name)
            .and_then(Option::as_ref)
    }

    /// Rust: whether some `x > ….name()` / `….name() < x` comparison appears in the file (the
    /// text of the compared side ends with `name()`). Marks
    /// [`FactKinds::STRICT_CALL_COMPARISONS`].
    pub fn strictly_compared_call(&self, name: &str) -> bool {
        self.read(FactKinds::STRICT_CALL_COMPARISONS)
            .strict_call_comparisons
            .iter()
            .any(|s| s.ends_with(name))
    }

    /// Go: whether some assignment in the file has `target` (whitespace removed, containing a
    /// `.`, e.g. `c.Timeout`) among its left-hand operands. Marks
    /// [`FactKinds::ASSIGNED_SELECTORS`].
    pub fn selector_assigned(&self, target: &str) -> bool {
        self.read(FactKinds::ASSIGNED_SELECTORS)
            .assigned_selectors
            .contains(target)
    }

    /// Rust: whether some `a.field OP b.field` comparison (`<`, `<=`, `>`, `>=`; the same field
    /// name on both sides) appears in the file. Marks [`FactKinds::COMPARED_FIELDS`].
    pub fn field_compared(&self, field: &str) -> bool {
        self.read(FactKinds::COMPARED_FIELDS)
            .compared_fields
            .contains(field)
    }

    /// Rust: whether the file sets a per-request `.timeout(..)` on some request chain
    /// (`client.get(url).timeout(d)`). Marks [`FactKinds::REQUEST_TIMEOUTS`].
    pub fn request_timeouts(&self) -> bool {
        self.read(FactKinds::REQUEST_TIMEOUTS).request_timeouts
    }

    /// Go: whether a channel made with a capacity other than `0` (`make(chan T, 16)`) is stored
    /// somewhere in the file under a name whose last segment is `name`. Marks
    /// [`FactKinds::BUFFERED_CHANNELS`].
    pub fn buffered_channel(&self, name: &str) -> bool {
        self.read(FactKinds::BUFFERED_CHANNELS)
            .buffered_channels
            .contains(name)
    }

    /// Go: the candidate `container/list` holders, `(package as written, member, name)`: fields
    /// typed `package.List` (member `List`) and variables or fields assigned `package.New(...)`
    /// (member `New`; `name` is the last segment of the left side). Marks
    /// [`FactKinds::LIST_HOLDERS`].
    pub fn list_holders(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
        self.read(FactKinds::LIST_HOLDERS)
            .list_holders
            .iter()
            .map(|(p, m, n)| (p.as_str(), m.as_str(), n.as_str()))
    }

    /// Go: whether `name` is declared by a file-level `const` (any name of a `const_spec` when
    /// `any_position`, else only the first name of each spec). Marks [`FactKinds::CONSTS`].
    pub fn go_const(&self, name: &str, any_position: bool) -> bool {
        let facts = self.read(FactKinds::CONSTS);
        if any_position {
            facts.consts.contains(name)
        } else {
            facts.first_consts.contains(name)
        }
    }

    /// Rust: whether the file has a `#[serde(...)]` attribute containing
    /// `deny_unknown_fields` (whitespace removed). Marks [`FactKinds::SERDE_DENY`].
    pub fn serde_deny_unknown_fields(&self) -> bool {
        self.read(FactKinds::SERDE_DENY).serde_deny
    }

    /// Rust: `(struct, field, type)` for struct fields typed `Vec<..>` / `VecDeque<..>` (type
    /// with whitespace removed), sorted. Marks [`FactKinds::SEQUENCE_FIELDS`].
    pub fn sequence_fields(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
        self.read(FactKinds::SEQUENCE_FIELDS)
            .sequence_fields
            .iter()
            .map(|(s, f, t)| (s.as_str(), f.as_str(), t.as_str()))
    }

    /// Rust: `(callee path, type name)` for the type names the file decodes from the wire, as
    /// collected (see [`FileFacts`]' `wire_decodes`): path `None` for `Json<T>`/`Form<T>` and
    /// `.json()` calls, else the unresolved path of a call whose last segment is one of
    /// [`WIRE_DECODE_FNS`]. Marks [`FactKinds::WIRE_DECODES`].
    pub fn wire_decodes(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> {
        self.read(FactKinds::WIRE_DECODES)
            .wire_decodes
            .iter()
            .map(|(p, t)| (p.as_deref(), t.as_str()))
    }

    /// Rust: whether the `impl`s of `ty` (base name, see [`impl_type_base`]) look at the
    /// queue-like field `field`'s size: some part of one contains `self.field.len()`, or some
    /// part contains `self.field.` and some part of one has a capacity word
    /// ([`QUEUE_LIMIT_SIGNS`]) in its code. Marks [`FactKinds::QUEUE_CHECKS`].
    pub fn queue_checked(&self, ty: &str, field: &str) -> bool {
        let facts = self.read(FactKinds::QUEUE_CHECKS);
        let key = (ty.to_string(), field.to_string());
        facts.queue_len_checks.contains(&key)
            || (facts.queue_mentions.contains(&key) && facts.queue_limited.contains(ty))
    }

    /// Rust: whether the text `response_timeout` occurs anywhere in the file. Marks
    /// [`FactKinds::RESPONSE_TIMEOUT`].
    pub fn response_timeout_in_file(&self) -> bool {
        self.read(FactKinds::RESPONSE_TIMEOUT).response_timeout
    }

    /// Go: whether the file declares a file-level `func main`. Marks [`FactKinds::MAIN`].
    pub fn has_main(&self) -> bool {
        self.read(FactKinds::MAIN).has_main
    }

    /// Go: the lifecycle calls of the file: `(name, receiver text, receiver is an identifier,
    /// text of the expression the call's value is assigned to, if any)`, for the names in
    /// [`LIFECYCLE_NAMES`]. Marks [`FactKinds::LIFECYCLE_CALLS`].
    pub fn lifecycle_calls(
        &self,
    ) -> impl Iterator<Item = (&'a str, &'a str, bool, Option<&'a str>)> {
        self.read(FactKinds::LIFECYCLE_CALLS)
            .lifecycle_calls
            .iter()
            .map(|(n, r, i, a)| (n.as_str(), r.as_str(), *i, a.as_deref()))
    }

    /// Go: whether a `//go:build ignore` / `// +build ignore` line precedes the package
    /// clause. Marks [`FactKinds::BUILD_IGNORED`].
    pub fn build_ignored(&self) -> bool {
        self.read(FactKinds::BUILD_IGNORED).build_ignored
    }

    /// Declares that the check read something of the file that no fact describes (walked
    /// `ctx.root`, searched the text): the engine re-runs this rule on this unit after every
    /// edit. Marks [`FactKinds::WHOLE_FILE`]. Keep it for rare paths.
    pub fn whole_file(&self) {
        self.mark(FactKinds::WHOLE_FILE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    /// Every Rust and Go file under `dir` (recursively, sorted).
    fn sources(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, Language)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                sources(&path, out);
                continue;
            }
            match path.extension().and_then(|e| e.to_str()) {
                Some("rs") => out.push((path, Language::Rust)),
                Some("go") => out.push((path, Language::Go)),
                _ => {}
            }
        }
    }

    const EVERY_RUST_KIND: &str = r#"
static S: Mutex<u32> = Mutex::new(0);
const C: u32 = 1;
type Alias = Arc<Mutex<u32>>;
#[serde(deny_unknown_fields)]
struct Q { items: VecDeque<u8>, lock: Mutex<u32> }
fn f(a: &E, b: &E, peers: &P, client: &Client) {
    if a.updated_at > b.updated_at {}
    if acks > peers.quorum() {}
    let r = client.get(url).timeout(d).send();
    let e: Q = serde_json::from_slice(b).unwrap();
    let t = cfg.response_timeout;
}
impl Q {
    fn full(&self) -> bool { self.queue.len() >= self.capacity }
}
"#;

    const EVERY_GO_KIND: &str = r#"//go:build ignore

package main

const (
	a, b = 1, 2
)

type S struct {
	q *list.List
}

func main() {
	c.Timeout = d
	l := list.New()
	ch := make(chan int, 4)
	srv.Shutdown(ctx)
}
"#;

    /// [`LazyFacts`] gives, for each kind, exactly what one eager collection finds: checked
    /// kind by kind on the real-code fixtures, the example services and this crate's sources
    /// (which hold every rule's fixtures as strings, so every fact shape occurs).
    #[test]
    fn lazy_facts_equal_the_eager_collection_kind_by_kind() {
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in [
            "crates/distlint-analysis/tests/fixtures/real",
            "tests/examples",
            "crates/distlint-analysis/src",
        ] {
            sources(&repo.join(dir), &mut files);
        }
        assert!(files.len() > 50, "only {} files", files.len());
        // Plus one source per language with a fact of every kind (the crate's own sources
        // hold the rule fixtures only as strings).
        let mut inputs: Vec<(String, Language, String)> = vec![
            (
                "every Rust kind".into(),
                Language::Rust,
                EVERY_RUST_KIND.into(),
            ),
            ("every Go kind".into(), Language::Go, EVERY_GO_KIND.into()),
        ];
        for (path, language) in &files {
            let text = std::fs::read_to_string(path).unwrap();
            inputs.push((path.display().to_string(), *language, text));
        }
        let mut kinds_seen = FactKinds::NONE;
        for (path, language, text) in &inputs {
            let doc = Document::new(*language, text.as_str(), 0);
            let root = doc.tree().root_node();
            let eager = FileFacts::collect(*language, text, root).with_text(*language, text);
            let lazy = LazyFacts::new(*language, text, root);
            assert_eq!(lazy.collected(), FactKinds::NONE);
            for bit in 0..31 {
                let kind = FactKinds(1 << bit);
                let got = lazy.get(kind);
                assert!(
                    !eager.changed(got).intersects(kind),
                    "kind bit {bit} differs in {path}"
                );
                // What was found for this kind (non-empty somewhere, so the test can fail).
                if eager.changed(&FileFacts::default()).intersects(kind) {
                    kinds_seen = kinds_seen.union(kind);
                }
            }
            assert_eq!(lazy.collected(), FactKinds(!FactKinds::WHOLE_FILE.0));
        }
        // Every kind of fact occurs in some file (else the comparison above proves little).
        for bit in 0..18 {
            assert!(
                kinds_seen.intersects(FactKinds(1 << bit)),
                "no file has facts of kind bit {bit}"
            );
        }
    }

    /// Asking for the shallow kinds only (statics, aliases) finds them without the full walk's
    /// kinds; asking for one full-walk kind leaves the shallow ones empty.
    #[test]
    fn collect_kinds_collects_only_what_is_asked() {
        let src = "static S: u32 = 1;\ntype A = Vec<u8>;\nstruct Q { items: Vec<u8> }\n";
        let doc = Document::new(Language::Rust, src, 0);
        let root = doc.tree().root_node();
        let shallow = FileFacts::collect_kinds(Language::Rust, src, root, FactKinds::STATICS);
        assert!(shallow.statics.contains_key("S"));
        assert!(shallow.type_aliases.is_empty());
        assert!(shallow.sequence_fields.is_empty() && shallow.field_types.is_empty());
        let seq = FileFacts::collect_kinds(Language::Rust, src, root, FactKinds::SEQUENCE_FIELDS);
        assert_eq!(seq.sequence_fields.len(), 1);
        assert!(seq.statics.is_empty() && seq.field_types.is_empty());
    }
}
