//! Resolving fixes: a deferred fix ([`Fix::deferred`]) gets its edits from its rule's
//! [`Rule::resolve_fix`] on the document the finding was computed on, through the one rule
//! [`Context`] built from a document ([`Context::for_document`]).

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::Analyzer;
use crate::config::Config;
use crate::document::Document;
use crate::facts::{FactsSource, LazyFacts};
use crate::resolve::Imports;
use crate::rule::{Context, Finding, Fix, Rule};
use crate::rules;

impl<'a> Context<'a> {
    /// The rule context of `doc` (its text, language, syntax tree and path) with `imports` and
    /// `facts` collected from that same tree (or merged from its parts, by the incremental
    /// engine), under `config`. Every analysis and fix resolution builds its context here.
    pub(crate) fn for_document(
        doc: &'a Document,
        imports: &'a Imports,
        facts: impl Into<FactsSource<'a>>,
        config: &'a Config,
    ) -> Self {
        Context::new(
            doc.text(),
            doc.language(),
            doc.tree().root_node(),
            imports,
            facts,
            config,
            doc.path(),
        )
    }
}

/// Runs `f` with the rule context of `doc` under `config`, its imports resolved and its facts
/// collected lazily (each kind on first read).
fn with_document_context<R>(
    doc: &Document,
    config: &Config,
    f: impl FnOnce(&Context<'_>) -> R,
) -> R {
    let root = doc.tree().root_node();
    let imports = Imports::collect(doc.language(), doc.text(), root);
    let facts = LazyFacts::new(doc.language(), doc.text(), root);
    f(&Context::for_document(doc, &imports, &facts, config))
}

impl Analyzer {
    /// [`Analyzer::analyze`] followed by [`Analyzer::resolve_fixes`]: every fix has its edits.
    /// What batch consumers use (`distlint check` and its output formats, `check --fix`, the
    /// fixture harness); the language server resolves only the fixes a user asks for.
    pub fn analyze_with_fixes(&self, doc: &Document) -> Vec<Finding> {
        let mut findings = self.analyze(doc);
        self.resolve_fixes(doc, &mut findings);
        findings
    }

    /// Computes the edits of every deferred fix ([`Fix::deferred`]) in `findings`, which must
    /// have been computed on `doc`'s text (byte ranges into it). A deferred fix whose rule
    /// returns `None` or panics is removed. Builds the rule [`Context`] once for all findings.
    pub fn resolve_fixes(&self, doc: &Document, findings: &mut [Finding]) {
        if !findings
            .iter()
            .any(|f| f.fixes.iter().any(Fix::is_deferred))
        {
            return;
        }
        with_document_context(doc, &self.config, |ctx| {
            resolve_all(ctx, findings, rules::by_id)
        });
    }

    /// The fix `finding.fixes[index]` with its edits: a clone when it is not deferred, else the
    /// rule's [`Rule::resolve_fix`] on `doc`, whose text must be the one `finding` was computed
    /// on. `None` when there is no such fix, the rule is unknown, or the rule returns `None` or
    /// panics (logged). The language server's `codeAction/resolve` and the CLI's `--fix` both
    /// come through here (via [`Analyzer::resolve_fixes`] for the CLI).
    pub fn resolve_fix(&self, doc: &Document, finding: &Finding, index: usize) -> Option<Fix> {
        self.resolve_fixes_at(doc, std::slice::from_ref(finding), &[(0, index)])
            .pop()
            .flatten()
    }

    /// [`Analyzer::resolve_fix`] for several fixes at once: `wanted` lists
    /// `(index into findings, index into that finding's fixes)`; the result has one entry per
    /// `wanted` entry, in order. The rule [`Context`] (import resolution) is built once, and only
    /// if some wanted fix is deferred.
    pub fn resolve_fixes_at(
        &self,
        doc: &Document,
        findings: &[Finding],
        wanted: &[(usize, usize)],
    ) -> Vec<Option<Fix>> {
        let fix_of = |&(i, j): &(usize, usize)| findings.get(i).and_then(|f| f.fixes.get(j));
        if !wanted
            .iter()
            .any(|w| fix_of(w).is_some_and(Fix::is_deferred))
        {
            return wanted.iter().map(|w| fix_of(w).cloned()).collect();
        }
        with_document_context(doc, &self.config, |ctx| {
            wanted
                .iter()
                .map(|w| {
                    let fix = fix_of(w)?;
                    if !fix.is_deferred() {
                        return Some(fix.clone());
                    }
                    resolve_with_rule(ctx, &findings[w.0], fix)
                })
                .collect()
        })
    }
}

/// Replaces every deferred fix in `findings` by its resolution (dropping those that resolve to
/// `None`), looking rules up with `lookup`.
fn resolve_all(
    ctx: &Context<'_>,
    findings: &mut [Finding],
    lookup: impl Fn(&str) -> Option<&'static dyn Rule>,
) {
    for finding in findings.iter_mut() {
        if !finding.fixes.iter().any(Fix::is_deferred) {
            continue;
        }
        let rule = lookup(finding.rule);
        let fixes = std::mem::take(&mut finding.fixes);
        finding.fixes = fixes
            .into_iter()
            .filter_map(|fix| {
                if fix.is_deferred() {
                    resolve_deferred(rule?, ctx, finding, &fix)
                } else {
                    Some(fix)
                }
            })
            .collect();
    }
}

/// Resolves one deferred `fix` of `finding` with the rule that reported it (looked up by id).
fn resolve_with_rule(ctx: &Context<'_>, finding: &Finding, fix: &Fix) -> Option<Fix> {
    let rule = rules::by_id(finding.rule)?;
    resolve_deferred(rule, ctx, finding, fix)
}

/// Calls `rule.resolve_fix`, catching a panic (logged, `None`), and normalises the result: edits
/// sorted by start, not deferred, the deferred fix's applicability (a rule cannot make a fix
/// safer when it resolves it).
pub(crate) fn resolve_deferred(
    rule: &dyn Rule,
    ctx: &Context<'_>,
    finding: &Finding,
    fix: &Fix,
) -> Option<Fix> {
    let resolved = catch_unwind(AssertUnwindSafe(|| rule.resolve_fix(ctx, finding, fix)));
    match resolved {
        Ok(Some(mut r)) => {
            r.deferred = false;
            r.applicability = fix.applicability;
            r.edits.sort_by_key(|e| (e.range.start, e.range.end));
            Some(r)
        }
        Ok(None) => None,
        Err(_) => {
            tracing::error!(rule = finding.rule, path = ?ctx.path, title = fix.title, "resolving a fix panicked; the fix is dropped");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::units::analysis_units;
    use crate::facts::FileFacts;
    use crate::language::Language;
    use crate::rule::{Applicability, RuleMeta, TextEdit};
    use crate::testing::test_meta;
    use tree_sitter::Node;

    /// `Context::file_memo` computes a per-file value once per context, whatever the number of
    /// callers, and keeps values of different types apart.
    #[test]
    fn file_memo_computes_once_per_context() {
        let source = "fn a() {}\nfn b() {}\n";
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_rust::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(source, None).unwrap();
        let imports = Imports::collect(Language::Rust, source, tree.root_node());
        let facts = FileFacts::collect(Language::Rust, source, tree.root_node());
        let config = Config::default();
        let ctx = Context::new(
            source,
            Language::Rust,
            tree.root_node(),
            &imports,
            &facts,
            &config,
            None,
        );
        struct Count(usize);
        struct Other(&'static str);
        let calls = std::cell::Cell::new(0);
        for _ in 0..3 {
            let v = ctx.file_memo(|| {
                calls.set(calls.get() + 1);
                Count(source.matches("fn ").count())
            });
            assert_eq!(v.0, 2);
        }
        assert_eq!(calls.get(), 1);
        assert_eq!(ctx.file_memo(|| Other("x")).0, "x");
        assert_eq!(ctx.file_memo(|| Count(99)).0, 2);
    }

    /// A rule with a deferred fix: flags `slow_fix()` calls; the fix renames them to
    /// `fast_fix()` and, to show the resolution reads the whole file, counts the calls in the
    /// file into the title. `boom()` calls get a deferred fix whose resolution panics.
    struct Deferring;
    static DEFERRING: Deferring = Deferring;
    static META: RuleMeta = test_meta("test-deferring");

    fn callee<'t>(ctx: &Context<'t>, call: Node<'_>) -> &'t str {
        call.child_by_field_name("function")
            .map(|f| ctx.text(f))
            .unwrap_or("")
    }

    impl Rule for Deferring {
        fn meta(&self) -> &'static RuleMeta {
            &META
        }
        fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
            for n in crate::syntax::Walk::new(node) {
                if n.kind() == "call_expression" && matches!(callee(ctx, n), "slow_fix" | "boom") {
                    out.push(
                        Finding::new(&META, n.byte_range(), "m")
                            .with_fix(Fix::deferred("Rename", Applicability::Safe)),
                    );
                }
            }
        }
        fn resolve_fix(&self, ctx: &Context<'_>, finding: &Finding, _fix: &Fix) -> Option<Fix> {
            let call = ctx.node_at(finding.range.clone(), "call_expression")?;
            let f = call.child_by_field_name("function")?;
            if ctx.text(f) == "boom" {
                panic!("resolution exploded");
            }
            let calls = crate::syntax::Walk::new(ctx.root)
                .filter(|n| n.kind() == "call_expression")
                .count();
            Some(Fix::new(
                format!("Rename ({calls} calls in the file)"),
                // Claims a different safety: the engine keeps the deferred fix's.
                Applicability::Unsafe,
                vec![TextEdit::replace(f.byte_range(), "fast_fix")],
            ))
        }
    }

    fn lookup(id: &str) -> Option<&'static dyn Rule> {
        (id == META.id).then_some(&DEFERRING as &'static dyn Rule)
    }

    #[test]
    fn deferred_fixes_are_resolved_from_the_finding_range() {
        let src = "fn a() { slow_fix(); }\nfn b() { let x = (slow_fix()); boom(); other(); }\n";
        let doc = Document::new(Language::Rust, src, 0);
        let analyzer = Analyzer::default();
        let root = doc.tree().root_node();
        let imports = Imports::collect(Language::Rust, src, root);
        let config = Config::default();
        let facts = FileFacts::collect(Language::Rust, src, root);
        let ctx = Context::for_document(&doc, &imports, &facts, &config);
        let units = analysis_units(Language::Rust, src, root, true);
        let mut findings = analyzer.run_rule(&DEFERRING, &ctx, &units);
        assert_eq!(findings.len(), 3);
        assert!(findings
            .iter()
            .all(|f| f.fixes[0].is_deferred() && f.fixes[0].edits.is_empty()));
        resolve_all(&ctx, &mut findings, lookup);
        // The two `slow_fix()` calls resolve (the parenthesised one too: `node_at` finds the
        // call, not the parenthesised expression); `boom()` panicked and lost its fix.
        let edits: Vec<_> = findings.iter().map(|f| f.fixes.clone()).collect();
        assert_eq!(edits[2], vec![]);
        for (f, fixes) in findings.iter().zip(&edits).take(2) {
            assert_eq!(fixes.len(), 1);
            let fix = &fixes[0];
            assert!(!fix.is_deferred());
            assert_eq!(fix.title, "Rename (4 calls in the file)");
            assert_eq!(fix.applicability, Applicability::Safe);
            assert_eq!(
                fix.edits,
                vec![TextEdit::replace(
                    f.range.start..f.range.start + 8,
                    "fast_fix"
                )]
            );
        }
        let fixed = crate::testing::apply_fix(src, &findings[0].fixes[0]);
        assert!(fixed.starts_with("fn a() { fast_fix(); }"), "{fixed}");
    }

    #[test]
    fn node_at_needs_the_exact_range() {
        let src = "fn a() { let x = (slow_fix()); }\n";
        let doc = Document::new(Language::Rust, src, 0);
        let root = doc.tree().root_node();
        let imports = Imports::collect(Language::Rust, src, root);
        let config = Config::default();
        let facts = FileFacts::collect(Language::Rust, src, root);
        let ctx = Context::new(src, Language::Rust, root, &imports, &facts, &config, None);
        let start = src.find("slow_fix").unwrap();
        let call = start..start + "slow_fix()".len();
        assert_eq!(
            ctx.node_at(call.clone(), "call_expression")
                .map(|n| n.byte_range()),
            Some(call.clone())
        );
        assert!(ctx
            .node_at(call.start..call.end - 1, "call_expression")
            .is_none());
        assert!(ctx.node_at(call.clone(), "let_declaration").is_none());
        assert!(ctx
            .node_at(call.start..src.len() + 5, "call_expression")
            .is_none());
        let paren = start - 1..call.end + 1;
        assert_eq!(
            ctx.node_at(paren.clone(), "parenthesized_expression")
                .map(|n| n.byte_range()),
            Some(paren)
        );
    }

    #[test]
    fn analyzer_resolve_fix_clones_ready_fixes() {
        let src = "fn f() {\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n}\n";
        let doc = Document::new(Language::Rust, src, 0);
        let analyzer = Analyzer::default();
        let findings = analyzer.analyze(&doc);
        let f = findings
            .iter()
            .find(|f| f.rule == "unbounded-channel")
            .unwrap();
        let fix = analyzer.resolve_fix(&doc, f, 0).unwrap();
        if !f.fixes[0].is_deferred() {
            assert_eq!(fix, f.fixes[0]);
        }
        assert!(!fix.edits.is_empty() && !fix.is_deferred());
        assert!(analyzer.resolve_fix(&doc, f, 99).is_none());
        let i = findings.iter().position(|g| g.rule == f.rule).unwrap();
        let many = analyzer.resolve_fixes_at(&doc, &findings, &[(i, 0), (i, 99), (99, 0)]);
        assert_eq!(many, vec![Some(fix.clone()), None, None]);
        assert_eq!(analyzer.analyze_with_fixes(&doc).len(), findings.len());
    }
}
