//! Rust work-queue facts, for `unbounded-work-queue`: struct fields typed `Vec`/`VecDeque`
//! ([`FactKinds::SEQUENCE_FIELDS`]) and how each type's `impl`s look at its queue-like fields
//! ([`FactKinds::QUEUE_CHECKS`]).

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::{code_has, named_children, squash, text};
use crate::vocabulary::rust::{QUEUE_FIELD_WORDS, QUEUE_LIMIT_SIGNS};

/// The base name of an `impl`'s type: its text, whitespace removed, up to the first `<`.
pub fn impl_type_base(source: &str, imp: Node<'_>) -> Option<String> {
    let ty = imp.child_by_field_name("type")?;
    let t = squash(text(source, ty));
    Some(t.split('<').next().unwrap_or("").to_string())
}

/// Whether a field name is a work queue's: a whole `snake_case` word of it, lower-cased, with or
/// without a plural `s`, is a queue word (`pending_jobs` is, `frameworks` is not). The filter of
/// the queue facts, and `unbounded-work-queue`'s test of a field.
pub fn is_queue_name(field: &str) -> bool {
    field.to_ascii_lowercase().split('_').any(|w| {
        QUEUE_FIELD_WORDS.contains(&w) || QUEUE_FIELD_WORDS.contains(&w.trim_end_matches('s'))
    })
}

impl FileFacts {
    /// Every part of the `impl` `imp` (see [`FileFacts`]' `queue_len_checks`), as
    /// [`FileFacts::collect_impl_part`] records it.
    pub(super) fn collect_impl_parts(&mut self, source: &str, imp: Node<'_>) {
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
            if field.is_empty() || !is_queue_name(field) {
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

    /// A `struct_item`: its fields typed `Vec<..>` / `VecDeque<..>`.
    pub(super) fn collect_sequence_fields(&mut self, source: &str, s: Node<'_>) {
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
}

impl<'a> FactsView<'a> {
    /// Rust: `(struct, field, type)` for struct fields typed `Vec<..>` / `VecDeque<..>` (type
    /// with whitespace removed), sorted. Marks [`FactKinds::SEQUENCE_FIELDS`].
    pub fn sequence_fields(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
        self.read(FactKinds::SEQUENCE_FIELDS)
            .sequence_fields
            .iter()
            .map(|(s, f, t)| (s.as_str(), f.as_str(), t.as_str()))
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
}
