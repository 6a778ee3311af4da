//! Edits for fixes: import insertion and removal, a field added to a composite literal, line
//! positions.

use tree_sitter::Node;

use crate::resolve::go_default_package_name;
use crate::rule::{Context, TextEdit};
use crate::syntax::{named_children, Walk};

/// Leading whitespace of the line holding byte `offset`.
pub fn line_indent(source: &str, offset: usize) -> &str {
    let start = source[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = &source[start..];
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

/// Byte offset of the start of the line holding `offset`.
pub fn line_start(source: &str, offset: usize) -> usize {
    source[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

fn line_end(source: &str, offset: usize) -> usize {
    source[offset..]
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(source.len())
}

/// The local name under which `import_path` can be used, plus the edit that adds the import when
/// the file lacks it. The new import goes into the file's first parenthesised import block (in
/// sorted position among standard-library paths, for a standard-library import) or as a new
/// `import "path"` line after the last import declaration (after the package clause when there is
/// none). When the default name is taken by another import (`math/rand` vs `crypto/rand`), an
/// alias is used (`crand "crypto/rand"`).
pub fn ensure_import(ctx: &Context<'_>, import_path: &str) -> (String, Option<TextEdit>) {
    if let Some(name) = ctx.imports.go_local_name(import_path) {
        return (name.to_string(), None);
    }
    let default = go_default_package_name(import_path);
    let (name, spec) = if ctx.imports.go_package(&default).is_some() {
        let base = import_path.rsplit('/').nth(1).unwrap_or("x");
        let alias = format!("{}{}", &base[..1.min(base.len())], default);
        (alias.clone(), format!("{alias} \"{import_path}\""))
    } else {
        (default.clone(), format!("\"{import_path}\""))
    };
    let std = !import_path.split('/').next().unwrap_or("").contains('.');
    // Reads the file's import declarations (positions, indentation): re-run after every edit.
    ctx.facts().whole_file();
    let decls: Vec<Node<'_>> = named_children(ctx.root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
        .collect();
    for decl in &decls {
        let Some(list) = named_children(*decl)
            .into_iter()
            .find(|n| n.kind() == "import_spec_list")
        else {
            continue;
        };
        let specs: Vec<Node<'_>> = named_children(list)
            .into_iter()
            .filter(|n| n.kind() == "import_spec")
            .collect();
        // Sorted position: before the first spec whose path sorts after ours, within the
        // standard-library group (or after the last spec for third-party paths).
        let path_of = |s: Node<'_>| {
            s.child_by_field_name("path")
                .map(|p| ctx.text(p).trim_matches('"').to_string())
                .unwrap_or_default()
        };
        let is_std = |p: &str| !p.split('/').next().unwrap_or("").contains('.');
        let before = specs.iter().find(|s| {
            let p = path_of(**s);
            if std {
                !is_std(&p) || p.as_str() > import_path
            } else {
                !is_std(&p) && p.as_str() > import_path
            }
        });
        if let Some(b) = before {
            if std && !is_std(&path_of(*b)) {
                // Insert after the last std import (keeps the groups) when there is one.
                if let Some(last_std) = specs.iter().rev().find(|s| is_std(&path_of(**s))) {
                    let end = line_end(ctx.source, last_std.end_byte());
                    let indent = line_indent(ctx.source, last_std.start_byte());
                    return (
                        name,
                        Some(TextEdit::insert(end, format!("\n{indent}{spec}"))),
                    );
                }
            }
            let start = line_start(ctx.source, b.start_byte());
            let indent = line_indent(ctx.source, b.start_byte());
            return (
                name,
                Some(TextEdit::insert(start, format!("{indent}{spec}\n"))),
            );
        }
        if let Some(last) = specs.last() {
            let end = line_end(ctx.source, last.end_byte());
            let indent = line_indent(ctx.source, last.start_byte());
            return (
                name,
                Some(TextEdit::insert(end, format!("\n{indent}{spec}"))),
            );
        }
    }
    let anchor = decls.last().copied().or_else(|| {
        named_children(ctx.root)
            .into_iter()
            .find(|n| n.kind() == "package_clause")
    });
    let at = anchor.map(|a| a.end_byte()).unwrap_or(0);
    (name, Some(TextEdit::insert(at, format!("\nimport {spec}"))))
}

/// The edit that adds `field` (e.g. `Timeout: 30 * time.Second`) to a `literal_value` (`{...}`),
/// keeping the literal's layout: `{}` → `{field}`; one line → `, field` after the last element;
/// several lines → a new line `field,` after the last element, with its indentation.
pub fn insert_field(ctx: &Context<'_>, lit: Node<'_>, field: &str) -> Option<TextEdit> {
    if lit.kind() != "literal_value" {
        return None;
    }
    let elements: Vec<Node<'_>> = named_children(lit)
        .into_iter()
        .filter(|n| n.kind() != "comment")
        .collect();
    let Some(last) = elements.last() else {
        let body = ctx.text(lit);
        if body.contains('\n') {
            // `{\n}`: put the field on its own line.
            let indent = line_indent(ctx.source, lit.start_byte());
            return Some(TextEdit::replace(
                lit.byte_range(),
                format!("{{\n{indent}\t{field},\n{indent}}}"),
            ));
        }
        return Some(TextEdit::replace(lit.byte_range(), format!("{{{field}}}")));
    };
    let close = lit.end_byte().saturating_sub(1);
    // A literal with a MISSING `}` (broken input) ends at its last element: no fix.
    let between = ctx.source.get(last.end_byte()..close)?;
    if between.contains('\n') {
        let indent = line_indent(ctx.source, last.start_byte());
        let at = line_end(ctx.source, last.end_byte());
        Some(TextEdit::insert(at, format!("\n{indent}{field},")))
    } else {
        Some(TextEdit::insert(last.end_byte(), format!(", {field}")))
    }
}

/// `N * <time>.Second` for the configured fix timeout, plus the edit adding the `time` import
/// when the file lacks it.
pub fn timeout_expr(ctx: &Context<'_>) -> (String, Option<TextEdit>) {
    let (time, edit) = ensure_import(ctx, "time");
    (
        format!("{} * {time}.Second", ctx.config.fix.timeout_seconds),
        edit,
    )
}

/// Number of references `pkg.X` (in expressions and types) to the package imported as
/// `import_path` in the file.
pub fn package_uses(ctx: &Context<'_>, import_path: &str) -> usize {
    let Some(name) = ctx.imports.go_local_name(import_path) else {
        return 0;
    };
    // Counts over the whole file: the caller (a fix) is re-run after every edit.
    ctx.facts().whole_file();
    Walk::new(ctx.root)
        .filter(|n| match n.kind() {
            "selector_expression" => n
                .child_by_field_name("operand")
                .is_some_and(|o| o.kind() == "identifier" && ctx.text(o) == name),
            "qualified_type" => n
                .child_by_field_name("package")
                .is_some_and(|p| ctx.text(p) == name),
            _ => false,
        })
        .count()
}

/// The edit deleting the import of `import_path` when a fix removes `removed` of its uses and
/// none would remain (Go rejects unused imports). `None` when uses remain or it is not imported.
pub fn remove_import_if_unused(
    ctx: &Context<'_>,
    import_path: &str,
    removed: usize,
) -> Option<TextEdit> {
    if package_uses(ctx, import_path) > removed {
        return None;
    }
    for decl in named_children(ctx.root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
    {
        for spec in Walk::new(decl).filter(|n| n.kind() == "import_spec") {
            let Some(p) = spec.child_by_field_name("path") else {
                continue;
            };
            if ctx.text(p).trim_matches('"') != import_path {
                continue;
            }
            let in_list = spec
                .parent()
                .is_some_and(|l| l.kind() == "import_spec_list");
            let specs_in_decl = Walk::new(decl)
                .filter(|n| n.kind() == "import_spec")
                .count();
            let target = if in_list && specs_in_decl > 1 {
                spec
            } else {
                decl
            };
            let start = line_start(ctx.source, target.start_byte());
            let end = line_end(ctx.source, target.end_byte());
            let end = (end + 1).min(ctx.source.len());
            return Some(TextEdit::replace(start..end, ""));
        }
    }
    None
}

/// Merges insertions at the same offset into one edit, keeping their order (editors and
/// `apply_fix` may order same-offset insertions differently).
pub fn merge_inserts(edits: Vec<TextEdit>) -> Vec<TextEdit> {
    let mut out: Vec<TextEdit> = Vec::new();
    for e in edits {
        if let Some(prev) = out
            .iter_mut()
            .find(|p| p.range.is_empty() && e.range.is_empty() && p.range.start == e.range.start)
        {
            prev.replacement.push_str(&e.replacement);
        } else {
            out.push(e);
        }
    }
    out
}
