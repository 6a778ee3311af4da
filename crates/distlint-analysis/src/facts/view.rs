//! [`FactsView`]: the facts of the file as one rule sees them while checking one unit. The
//! reads of each kind are written next to its collector (`rust_types.rs`, `go_calls.rs`, ...).

use std::sync::atomic::{AtomicU32, Ordering};

use super::{FactKinds, FactsSource, FileFacts};

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
    pub(super) fn read(&self, kind: FactKinds) -> &'a FileFacts {
        self.mark(kind);
        match self.facts {
            FactsSource::Eager(f) => f,
            FactsSource::Lazy(l) => l.get(kind),
        }
    }

    /// Declares that the check read something of the file that no fact describes (walked
    /// `ctx.root`, searched the text): the engine re-runs this rule on this unit after every
    /// edit. Marks [`FactKinds::WHOLE_FILE`]. Keep it for rare paths.
    pub fn whole_file(&self) {
        self.mark(FactKinds::WHOLE_FILE);
    }
}
