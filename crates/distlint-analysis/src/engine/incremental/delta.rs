//! Phase 1, the delta: how the text changed since the analysed version ([`Delta`], composed
//! from the host's edit log), the *dirty region* of the new text (tree-sitter's changed ranges
//! plus the edited bytes), how a clean range maps back to the old text ([`Reuse`]), and where the
//! suppression comments are now (from the old offsets and a search of the edited bytes only).

use std::ops::Range;

use tree_sitter::{InputEdit, Point};

use super::AnalysisState;
use crate::document::{AppliedEdit, Document};
use crate::engine::units::{Layout, UnitContext};
use crate::text::LineIndex;

/// What happened to a document's text between an analysed version and the version now analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delta {
    /// The text is unchanged.
    Unchanged,
    /// One covering edit: bytes `start..old_end` of the old text became `start..new_end` of the
    /// new text; everything before `start` is identical, everything from `old_end` on moved by
    /// `new_end - old_end` bytes.
    Edit {
        /// First changed byte (same in old and new text).
        start: usize,
        /// End of the replaced range in the old text (exclusive).
        old_end: usize,
        /// End of the replacement in the new text (exclusive).
        new_end: usize,
    },
    /// Unknown or whole-text change: analyse from scratch.
    Reset,
}

impl Delta {
    /// Composes `self` (old → current) with `edit`, an edit of the current text, giving old → new.
    /// A full-document replacement (`old_range.end == usize::MAX`) gives [`Delta::Reset`].
    pub fn then(self, edit: &AppliedEdit) -> Delta {
        if edit.old_range.end == usize::MAX {
            return Delta::Reset;
        }
        let (s, e, len) = (edit.old_range.start, edit.old_range.end, edit.new_len);
        match self {
            Delta::Reset => Delta::Reset,
            Delta::Unchanged => Delta::Edit {
                start: s,
                old_end: e,
                new_end: s + len,
            },
            Delta::Edit {
                start,
                old_end,
                new_end,
            } => {
                // Covering range in current coordinates: [min(start, s), max(new_end, e)).
                let lo = start.min(s);
                let hi = new_end.max(e);
                // `hi` is at or after the end of the previous change: map it back to old bytes.
                let hi_old = hi - new_end + old_end;
                let hi_new = hi + len - (e - s);
                Delta::Edit {
                    start: lo,
                    old_end: hi_old,
                    new_end: hi_new,
                }
            }
        }
    }

    /// Composes a sequence of edits, in the order they were applied.
    pub fn compose<'a>(edits: impl IntoIterator<Item = &'a AppliedEdit>) -> Delta {
        edits.into_iter().fold(Delta::Unchanged, |d, e| d.then(e))
    }
}

/// How the previous state maps onto the new text.
pub(super) struct Reuse<'p> {
    pub(super) prev: &'p AnalysisState,
    pub(super) start: usize,
    pub(super) old_end: usize,
    pub(super) new_end: usize,
    /// Sorted, merged, closed byte intervals of the new text that may have changed.
    pub(super) dirty: Vec<(usize, usize)>,
}

impl<'p> Reuse<'p> {
    /// How `p`, the state of an earlier version of `doc` under the same configuration, maps
    /// onto `doc`'s text after `delta`: `None` when it cannot be reused (a reset, a version that
    /// was not parsed, or a delta that does not describe these two texts).
    pub(super) fn plan(p: &'p AnalysisState, delta: Delta, doc: &Document) -> Option<Reuse<'p>> {
        if doc.skipped().is_some() {
            return None;
        }
        let old_tree = p.tree.as_ref()?;
        let (start, old_end, new_end) = match delta {
            Delta::Reset => return None,
            Delta::Unchanged => (0, 0, 0),
            Delta::Edit {
                start,
                old_end,
                new_end,
            } => (start, old_end, new_end),
        };
        // The delta must describe exactly these two texts.
        if old_end > p.text_len
            || new_end > doc.text().len()
            || p.text_len - old_end != doc.text().len() - new_end
        {
            return None;
        }
        let mut edited = old_tree.clone();
        if delta != Delta::Unchanged {
            edited.edit(&InputEdit {
                start_byte: start,
                old_end_byte: old_end,
                new_end_byte: new_end,
                start_position: point(&p.line_index, start),
                old_end_position: point(&p.line_index, old_end),
                new_end_position: point(doc.line_index(), new_end),
            });
        }
        let mut dirty: Vec<(usize, usize)> = edited
            .changed_ranges(doc.tree())
            .map(|r| (r.start_byte, r.end_byte))
            .collect();
        if delta != Delta::Unchanged {
            dirty.push((start, new_end));
        }
        dirty.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(dirty.len());
        for (s, e) in dirty {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Some(Reuse {
            prev: p,
            start,
            old_end,
            new_end,
            dirty: merged,
        })
    }
}

impl Reuse<'_> {
    pub(super) fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }

    pub(super) fn is_dirty(&self, r: &Range<usize>) -> bool {
        // First dirty interval whose end is >= r.start; dirty if it starts at or before r.end.
        let i = self.dirty.partition_point(|&(_, e)| e < r.start);
        self.dirty.get(i).is_some_and(|&(s, _)| s <= r.end)
    }

    /// The pre-edit range of a clean new range, or `None` if it overlaps the edit.
    pub(super) fn old_range(&self, r: &Range<usize>) -> Option<Range<usize>> {
        if r.end < self.start {
            Some(r.clone())
        } else if r.start > self.new_end {
            Some(r.start - self.new_end + self.old_end..r.end - self.new_end + self.old_end)
        } else {
            None
        }
    }

    /// The previous analysis' entry for a node now at `range` with kind id `kind`, and the node's
    /// pre-edit range: the entry of `entries` (sorted by range; `key` gives an entry's range and
    /// kind id) at that pre-edit range with the same kind. `None` when the node touches the dirty
    /// region or the edit, or no such entry exists — the node must then be analysed afresh.
    pub(super) fn unchanged<'e, T>(
        &self,
        entries: &'e [T],
        range: &Range<usize>,
        kind: u16,
        key: impl Fn(&T) -> (&Range<usize>, u16),
    ) -> Option<(Range<usize>, &'e T)> {
        if self.is_dirty(range) {
            return None;
        }
        let old = self.old_range(range)?;
        let e = find_by_range(entries, &old, |e| key(e).0)?;
        (key(e).1 == kind).then_some((old, e))
    }

    /// Whether the context of a container chain (starting at `container`, see
    /// [`Container::context`]) touches the dirty region: an edit of an `impl` header or of the
    /// attributes before a `mod` must re-analyse the items inside.
    pub(super) fn containers_dirty(
        &self,
        layout: &Layout<'_>,
        mut container: Option<usize>,
    ) -> bool {
        while let Some(i) = container {
            let c = &layout.containers[i];
            if self.is_dirty(&(c.context.0..c.context.1)) {
                return true;
            }
            container = c.parent;
        }
        false
    }

    /// Whether a unit now at `range` must be re-analysed because text it may read outside
    /// itself changed (see [`UnitContext`]): its attributes and comments, or the header or
    /// attributes of an enclosing container.
    pub(super) fn context_dirty(
        &self,
        layout: &Layout<'_>,
        ctx: UnitContext,
        range: &Range<usize>,
    ) -> bool {
        (ctx.lead < range.start && self.is_dirty(&(ctx.lead..range.start)))
            || self.containers_dirty(layout, ctx.container)
    }

    /// The offsets of [`SUPPRESSION_NEEDLE`] in the new text `source`, from the previous
    /// version's offsets and a search of the edited bytes only: O(edit + matches) instead of a
    /// scan of the whole text. Equal to [`ignore_offsets`]`(source)`: an occurrence entirely
    /// before the edit or entirely after it is an old one (moved by the delta); every other one
    /// overlaps the edited range and starts within `SUPPRESSION_NEEDLE.len() - 1` bytes of it.
    pub(super) fn ignore_offsets(&self, source: &str) -> Vec<usize> {
        let needle = SUPPRESSION_NEEDLE.as_bytes();
        let l = needle.len();
        let old = &self.prev.ignore_at;
        let mut out = Vec::with_capacity(old.len() + 1);
        out.extend(old.iter().copied().take_while(|&m| m + l <= self.start));
        // New occurrences: start in `start - (l - 1) .. new_end`, end within the text.
        let bytes = source.as_bytes();
        let to = (self.new_end + l - 1).min(bytes.len());
        let mut p = self.start.saturating_sub(l - 1);
        while p + l <= to {
            if &bytes[p..p + l] == needle {
                out.push(p);
                // The needle does not overlap itself, so occurrences never overlap.
                p += l;
            } else {
                p += 1;
            }
        }
        out.extend(
            old.iter()
                .copied()
                .filter(|&m| m >= self.old_end)
                .map(|m| m - self.old_end + self.new_end),
        );
        out
    }

    /// Where an offset of the old text lies: `Some(true)` before the edit (unchanged),
    /// `Some(false)` after it (moves by the delta), `None` touching the edited range.
    pub(super) fn side(&self, offset: usize) -> Option<bool> {
        if offset < self.start {
            Some(true)
        } else if offset > self.old_end {
            Some(false)
        } else {
            None
        }
    }
}

fn point(index: &LineIndex, offset: usize) -> Point {
    let line = index.line_of(offset);
    let start = index.line_start(line).unwrap_or(0);
    Point {
        row: line as usize,
        column: offset - start,
    }
}

pub(super) fn find_by_range<'e, T>(
    entries: &'e [T],
    range: &Range<usize>,
    get: impl Fn(&T) -> &Range<usize>,
) -> Option<&'e T> {
    let i = entries.partition_point(|e| get(e).start < range.start);
    entries.get(i).filter(|e| get(e) == range)
}

/// What every suppression comment contains.
pub(super) const SUPPRESSION_NEEDLE: &str = "distlint:ignore";

/// Byte offsets of every [`SUPPRESSION_NEEDLE`] in `source`, ascending (a scan of the whole
/// text; after an edit [`Reuse::ignore_offsets`] gives the same from the previous offsets).
pub(super) fn ignore_offsets(source: &str) -> Vec<usize> {
    source
        .match_indices(SUPPRESSION_NEEDLE)
        .map(|(at, _)| at)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn suppression_offsets_follow_edits_without_a_rescan() {
        let base = "package p\n\n// distlint:ignore x y\nfunc a() {}\n\n// distlint:ignore-file all z\nfunc b() {}\n";
        let analyzer = Analyzer::default();
        let mut doc = Document::new(Language::Go, base, 0);
        let mut state = analyzer.analyze_incremental(&doc, None);
        assert_eq!(state.ignore_at.len(), 2);
        // (where, bytes deleted, text inserted), `where` found in the current text.
        type Step = (fn(&str) -> usize, usize, &'static str);
        let steps: &[Step] = &[
            // Split the first one, then join it again.
            (|t| t.find("distlint:ignore x").unwrap() + 5, 0, " "),
            (|t| t.find("distl int").unwrap() + 5, 1, ""),
            // Build a new one from two halves typed in two edits (the second completes it
            // across the edit's start).
            (|t| t.find("func a").unwrap(), 0, "// distlint:ig\n"),
            (|t| t.find("ig\nfunc a").unwrap() + 2, 0, "nore"),
            // Touch the end and the start of one without breaking it.
            (|t| t.find("distlint:ignore x").unwrap() + 15, 0, "-file"),
            (|t| t.find("distlint:ignore-file x").unwrap(), 0, "x"),
            // Delete most of one, and delete everything up to the last one.
            (|t| t.find("distlint:ignore-file all").unwrap() - 2, 10, ""),
            (|_| 0, 40, ""),
        ];
        for (v, (at, del, ins)) in steps.iter().enumerate() {
            let at = at(doc.text());
            let index = doc.line_index().clone();
            let range = (
                index.position(doc.text(), at, PositionEncoding::Utf8),
                index.position(doc.text(), at + del, PositionEncoding::Utf8),
            );
            let change = TextChange {
                range: Some(range),
                text: (*ins).into(),
            };
            let applied = doc
                .apply_changes(&[change], v as i32 + 1, PositionEncoding::Utf8)
                .unwrap();
            state = analyzer.analyze_incremental(&doc, Some((&state, Delta::compose(&applied))));
            assert!(!state.stats().from_scratch, "step {v}");
            assert_eq!(
                *state.ignore_at,
                ignore_offsets(doc.text()),
                "step {v}: {:?}",
                doc.text()
            );
            assert_eq!(**state.findings(), analyzer.analyze(&doc), "step {v}");
        }
        assert_eq!(state.ignore_at.len(), 1, "{:?}", doc.text());
    }

    #[test]
    fn delta_composition_covers_every_edit() {
        let e = |s: usize, e: usize, n: usize| AppliedEdit {
            old_range: s..e,
            new_len: n,
        };
        // "abcdef": replace "cd" by "XYZ" → "abXYZef"; then delete "a" → "bXYZef".
        let d = Delta::compose(&[e(2, 4, 3), e(0, 1, 0)]);
        assert_eq!(
            d,
            Delta::Edit {
                start: 0,
                old_end: 4,
                new_end: 4
            }
        );
        // Insert at the end after an edit at the start.
        let d = Delta::compose(&[e(0, 1, 2), e(7, 7, 1)]);
        assert_eq!(
            d,
            Delta::Edit {
                start: 0,
                old_end: 6,
                new_end: 8
            }
        );
        assert_eq!(Delta::compose(&[e(0, usize::MAX, 3)]), Delta::Reset);
        assert_eq!(Delta::compose(&[]), Delta::Unchanged);
    }
}
