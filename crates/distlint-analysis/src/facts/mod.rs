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
//! # Layout
//!
//! [`FactKinds`] (the bits), [`FileFacts`] (the fields of every kind), its merge and per-kind
//! comparison live here; `collect.rs` holds the walks (one per language) that hand each node to
//! the collector of its kind; each kind's collector and its [`FactsView`] reads live together in
//! one file per kind or family (`rust_types.rs`, `rust_comparisons.rs`, `rust_timeouts.rs`,
//! `rust_wire.rs`, `rust_queues.rs`, `go_assignments.rs`, `go_calls.rs`, `go_decls.rs`);
//! `lazy.rs` collects kinds on first read for the from-scratch engine, `view.rs` records reads.
//! Facts import no rule: what a rule and a fact both need lives here or in [`crate::syntax`].
//!
//! # Adding a fact kind
//!
//! Add a [`FactKinds`] bit and a field to [`FileFacts`]; write its collector (an `impl FileFacts`
//! method working on the node it is given: it must depend only on that subtree, so that
//! collecting per segment and merging in source order equals one collection over the root) and
//! its [`FactsView`] read (marking the bit) in the file of its family, or a new file; call the
//! collector from the walk in `collect.rs` under `want(FactKinds::NEW)`; merge the field in
//! [`FileFacts::merge`] and compare it in [`FileFacts::changed`]. Facts must not hold byte
//! offsets: cached facts of unedited items are reused after edits elsewhere move them.

mod collect;
mod go_assignments;
mod go_calls;
mod go_decls;
mod lazy;
mod rust_comparisons;
mod rust_queues;
mod rust_timeouts;
mod rust_types;
mod rust_wire;
#[cfg(test)]
mod tests;
mod view;

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use crate::language::Language;

pub use lazy::{FactsSource, LazyFacts};
pub use rust_queues::{impl_type_base, is_queue_name};
pub use rust_types::{TypeRef, TypeToken};
pub use view::FactsView;

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
    /// call `recv.name(...)` with `name` one of [`LIFECYCLE_CALLS`](crate::vocabulary::go::LIFECYCLE_CALLS); the receiver may be a
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
    /// [`WIRE_DECODE_FNS`](crate::vocabulary::rust::WIRE_DECODE_FNS) (`serde_json::from_slice`, `from_str`). The rule resolves the paths
    /// through the imports (see [`FactsView::wire_decodes`]).
    wire_decodes: BTreeSet<(Option<String>, String)>,
    /// Rust: `(impl type, field)` for every queue-like field name (see
    /// [`is_queue_name`]) `f` such that a *part* of an
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
    /// Rust: impl types some part of whose impls has a capacity word ([`QUEUE_LIMIT_SIGNS`](crate::vocabulary::rust::QUEUE_LIMIT_SIGNS)) in
    /// its code (comments left out).
    queue_limited: BTreeSet<String>,
    /// Rust: the text `response_timeout` occurs anywhere in the file (code, comments, strings).
    /// A text fact: set by [`FileFacts::with_text`], not collected from segments.
    response_timeout: bool,
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
            Language::Go => (go_decls::go_build_ignored(source), false),
            Language::Rust => (false, rust_timeouts::mentions_response_timeout(source)),
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
