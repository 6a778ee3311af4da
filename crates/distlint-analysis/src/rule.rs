//! What a rule is: metadata (id, category, severity, docs) and a check over syntax nodes that
//! produces [`Finding`]s, each optionally with [`Fix`]es expressed as byte-range text edits.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use std::sync::atomic::{AtomicU32, Ordering};

use crate::config::Config;
use crate::facts::{FactKinds, FactsSource, FactsView};
use crate::language::Language;
use crate::resolve::Imports;

pub use crate::meta::{RuleDocs, RuleMeta, Scope, Severity};

/// Whether a fix may be applied without a human reading it (ruff's fix safety).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the code compiling and changes behaviour only as the title says; applied by fix-all
    /// and `check --fix`.
    Safe,
    /// Correct in the common case but may need a human look (changes runtime behaviour, e.g.
    /// adds back-pressure); offered as a quick fix, applied only with `--unsafe-fixes`.
    Unsafe,
    /// Offered only on explicit request (e.g. inserting a suppression comment).
    Manual,
}

/// Replace the bytes `range` of the source with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TextEdit {
    /// Byte range (UTF-8 offsets into the analysed text, end exclusive).
    pub range: Range<usize>,
    /// The new text.
    pub replacement: String,
}

impl TextEdit {
    /// Replaces `range` with `replacement`.
    pub fn replace(range: Range<usize>, replacement: impl Into<String>) -> Self {
        Self {
            range,
            replacement: replacement.into(),
        }
    }

    /// Inserts `text` at byte `offset`.
    pub fn insert(offset: usize, text: impl Into<String>) -> Self {
        Self {
            range: offset..offset,
            replacement: text.into(),
        }
    }
}

/// A code change that resolves a finding. Edits do not overlap and are sorted by start.
///
/// # Deferred fixes
///
/// A fix whose edits are expensive to compute (e.g. "Bound this channel", which follows the
/// channel's sender through the whole file) can be attached *deferred*: [`Fix::deferred`] gives it
/// a title and an applicability but no edits, and the rule computes the edits on demand in
/// [`Rule::resolve_fix`]. `check` then stays cheap on every keystroke; the edits are computed
/// only when someone needs them:
///
/// - the language server, when the user opens the code action (`codeAction/resolve`, or the
///   code-action request itself for clients without resolve support, for the findings under the
///   cursor only), and for `source.fixAll.distlint` (deferred *safe* fixes only);
/// - `distlint check` (every output format lists fixes) and `check --fix`, through
///   [`crate::Analyzer::analyze_with_fixes`] / [`crate::Analyzer::resolve_fixes`];
/// - the fixture harness ([`crate::testing`]), so `check_fix` tests deferred fixes unchanged.
///
/// Code that reads [`Fix::edits`] must resolve first: a deferred fix has no edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Imperative title shown in the editor ("Bound this channel (capacity 1024)").
    pub title: String,
    /// The edits, in byte offsets of the analysed text. Empty while [`Fix::deferred`] is set.
    pub edits: Vec<TextEdit>,
    /// Whether fix-all may apply it.
    pub applicability: Applicability,
    /// `true` when the edits are not computed yet: resolve with
    /// [`crate::Analyzer::resolve_fix`] (which calls the rule's [`Rule::resolve_fix`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferred: bool,
}

impl Fix {
    /// A fix with the given title, safety and edits (sorted here by start offset).
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<TextEdit>,
    ) -> Self {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Self {
            title: title.into(),
            edits,
            applicability,
            deferred: false,
        }
    }

    /// A fix whose edits the rule computes later, in [`Rule::resolve_fix`] (see "Deferred fixes"
    /// above). `title` is what the editor lists before resolving; the resolved fix may refine it
    /// (e.g. append "constructor only: ..."), and keeps `applicability`.
    pub fn deferred(title: impl Into<String>, applicability: Applicability) -> Self {
        Self {
            title: title.into(),
            edits: Vec::new(),
            applicability,
            deferred: true,
        }
    }

    /// Whether the edits still have to be computed ([`Fix::deferred`]).
    pub fn is_deferred(&self) -> bool {
        self.deferred
    }
}

/// One problem found by a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's stable id (kebab-case), e.g. `unbounded-channel`.
    pub rule: &'static str,
    /// Byte range of the construct a reviewer would point at (UTF-8 offsets, end exclusive).
    pub range: Range<usize>,
    /// One line naming the failure.
    pub message: String,
    /// Effective severity (the rule's default unless configuration overrides it).
    pub severity: Severity,
    /// Fixes, most preferred first. May be empty.
    pub fixes: Vec<Fix>,
}

impl Finding {
    /// A finding for `meta`'s rule at `range` with the rule's default severity.
    pub fn new(meta: &RuleMeta, range: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            rule: meta.id,
            range,
            message: message.into(),
            severity: meta.severity,
            fixes: Vec::new(),
        }
    }

    /// Adds a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
}

/// What a check sees: the whole file, its resolved imports, its [`FileFacts`](crate::facts::FileFacts) and the
/// configuration. Build it with [`Context::new`].
pub struct Context<'a> {
    /// The full source text.
    pub source: &'a str,
    /// The file's language.
    pub language: Language,
    /// The root node of the file. A [`Scope::Unit`] rule must not walk it: what it needs from
    /// outside its unit comes from [`Context::imports`] and [`Context::facts`].
    pub root: Node<'a>,
    /// Names the file brings into scope (`use` declarations / Go imports).
    pub imports: &'a Imports,
    /// Effective configuration.
    pub config: &'a Config,
    /// The file path, when known.
    pub path: Option<&'a std::path::Path>,
    /// Facts about the rest of the file; read through [`Context::facts`].
    file_facts: FactsSource<'a>,
    /// The [`FactKinds`] read since the engine last called [`Context::take_reads`].
    reads: AtomicU32,
    /// Per-file values computed once per analysis by [`Context::file_memo`], keyed by type.
    memo: std::sync::Mutex<
        Vec<(
            std::any::TypeId,
            std::sync::Arc<dyn std::any::Any + Send + Sync>,
        )>,
    >,
}

impl<'a> Context<'a> {
    /// A context for checking `root` (a parsed file of `language` with text `source`), its
    /// imports and facts (both collected from the same tree: a [`FileFacts`](crate::facts::FileFacts) collected up
    /// front, or a [`crate::facts::LazyFacts`] that collects each kind on first read), under
    /// `config`.
    pub fn new(
        source: &'a str,
        language: Language,
        root: Node<'a>,
        imports: &'a Imports,
        file_facts: impl Into<FactsSource<'a>>,
        config: &'a Config,
        path: Option<&'a std::path::Path>,
    ) -> Self {
        Self {
            source,
            language,
            root,
            imports,
            config,
            path,
            file_facts: file_facts.into(),
            reads: AtomicU32::new(0),
            memo: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// A per-file summary of type `T`, computed by `compute` the first time any unit asks for it
    /// during this analysis (this `Context`) and shared by every later unit: a rule that must
    /// read the whole file does it once per analysis, O(file), instead of once per unit,
    /// O(units × file). The value is keyed by its type, so each rule uses a private type.
    ///
    /// It is *not* an incremental fact: a [`Scope::Unit`] rule that depends on it reads outside
    /// its unit and must declare [`FileReads::Anything`] (or call [`FactsView::whole_file`]), so
    /// the incremental engine re-runs it. `compute` runs without the lock held (it may itself
    /// call `file_memo` for another type); if two threads race, the first stored value wins.
    pub fn file_memo<T: std::any::Any + Send + Sync>(
        &self,
        compute: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        let id = std::any::TypeId::of::<T>();
        let lookup = |memo: &[(
            std::any::TypeId,
            std::sync::Arc<dyn std::any::Any + Send + Sync>,
        )]| {
            memo.iter()
                .find(|(t, _)| *t == id)
                .and_then(|(_, v)| v.clone().downcast::<T>().ok())
        };
        if let Some(v) = lookup(&self.memo.lock().unwrap_or_else(|e| e.into_inner())) {
            return v;
        }
        let value = std::sync::Arc::new(compute());
        let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = lookup(&memo) {
            return v;
        }
        memo.push((id, value.clone()));
        value
    }

    /// The source text of `node`.
    pub fn text(&self, node: Node<'_>) -> &'a str {
        &self.source[node.byte_range()]
    }

    /// The node of kind `kind` whose byte range is exactly `range` (of the nodes sharing that
    /// range, the innermost of that kind). For [`Rule::resolve_fix`]: finds the node a finding
    /// was reported on again from [`Finding::range`]. `None` when no such node exists (the text
    /// changed since the finding was computed).
    pub fn node_at(&self, range: std::ops::Range<usize>, kind: &str) -> Option<Node<'a>> {
        if range.start > range.end || range.end > self.source.len() {
            return None;
        }
        let mut node = self
            .root
            .descendant_for_byte_range(range.start, range.end)?;
        // `descendant_for_byte_range` gives the smallest node spanning the range; nodes with the
        // same range are its ancestors. Bounded by the tree depth, no recursion.
        loop {
            if node.byte_range() != range {
                return None;
            }
            if node.kind() == kind {
                return Some(node);
            }
            node = node.parent()?;
        }
    }

    /// The file's facts (struct field types, statics, aliases, ...: see [`crate::facts`]).
    /// Each read is recorded, so the incremental engine re-runs this check on this unit when
    /// what it read changes.
    pub fn facts(&self) -> FactsView<'_> {
        FactsView::new(self.file_facts, &self.reads)
    }

    /// The kinds of fact read since the last call (the engine calls it around each check).
    pub fn take_reads(&self) -> FactKinds {
        FactKinds(self.reads.swap(0, Ordering::Relaxed))
    }
}

/// What a [`Scope::Unit`] rule reads outside the unit it is given, besides [`Context::imports`],
/// [`Context::facts`] (reads of facts are tracked per unit by the engine), the configuration, the
/// language and the path. The incremental engine (`crate::engine::incremental`)
/// uses it to decide which cached findings of *unedited* units are still valid after an edit
/// elsewhere; a wrong declaration makes editor findings differ from `distlint check` (the
/// differential test `tests/incremental_differential.rs` catches that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileReads {
    /// Nothing: the findings are a function of the unit's subtree and text. The default, and the
    /// cheapest: only edited units are re-run.
    Nothing,
    /// *Whether* a unit has findings depends only on the unit, but their messages and fixes read
    /// the rest of the file (e.g. a fix that follows a channel's sender through the file). After
    /// every edit the rule is re-run on the units where it has findings.
    ForFindings,
    /// Anything in the file may decide the findings (e.g. a struct field's declared type decides
    /// whether `self.state.lock()` is a blocking lock). A unit that the literal prefilter rules
    /// out ([`Rule::literals`], see [`crate::engine::prefilter`]) never gets a finding, whatever the rest
    /// of the file says; after every edit the rule is re-run on every unit the prefilter lets
    /// through. With no literals declared: on every unit, which costs as much as [`Scope::File`].
    Anything,
}

/// A distlint rule. Implementations are stateless and shared across threads.
pub trait Rule: Send + Sync + 'static {
    /// Static metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Appends the findings in `node` (an analysis unit, or the root for [`Scope::File`]) to `out`.
    /// Must not recurse on the syntax tree (use [`crate::syntax::Walk`]): input can nest thousands deep.
    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>);
    /// For [`Scope::Unit`] rules: what the check reads outside the unit (see [`FileReads`]).
    /// Default [`FileReads::Nothing`]; override when the check looks at `ctx.root`, parents
    /// beyond the unit, or other items of the file.
    fn file_reads(&self) -> FileReads {
        FileReads::Nothing
    }
    /// Computes the edits of `fix`, a [`Fix::deferred`] that this rule's [`Rule::check`] attached
    /// to `finding`, on the same text `ctx` (the finding's byte ranges are offsets into
    /// `ctx.source`). Returns the complete fix, with its edits and with `deferred == false`; the
    /// title may be refined, the applicability is kept from `fix` by the caller. `None` when the
    /// fix no longer applies (the caller then drops it).
    ///
    /// Find the node again with [`Context::node_at`]`(finding.range.clone(), "<kind>")` and run
    /// the same function `check` used to run eagerly. Called through
    /// [`crate::Analyzer::resolve_fix`], which catches panics. Rules without deferred fixes keep
    /// the default, which returns `None`.
    ///
    /// A rule whose only reads outside the unit were for its fixes can declare
    /// [`FileReads::Nothing`] once those fixes are deferred: the finding no longer depends on the
    /// rest of the file.
    fn resolve_fix(&self, ctx: &Context<'_>, finding: &Finding, fix: &Fix) -> Option<Fix> {
        let _ = (ctx, finding, fix);
        None
    }
    /// The literal prefilter's necessary condition (see [`crate::engine::prefilter`]): groups of
    /// literals such that the text of a unit (of the file, for [`Scope::File`]) must contain,
    /// ASCII case-insensitively, at least one literal of *every* group, or an imported name whose
    /// path contains one, for the check to possibly report anything there. The engine skips the
    /// check where it cannot fire. Default: no groups (always run).
    ///
    /// Must be exact: a literal that the check could do without hides findings (the proof tests
    /// compare every fixture and the real corpus with and without the prefilter). Good literals
    /// are method names and the last segments of resolved paths the check compares against.
    fn literals(&self) -> &'static [&'static [&'static str]] {
        &[]
    }
}
