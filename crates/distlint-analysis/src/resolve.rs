//! Name resolution through a file's imports: Rust `use` declarations and Go import specs.
//!
//! Rules ask "does this call path name `tokio::sync::mpsc::unbounded_channel`?" and get the answer
//! the compiler would give for the common cases:
//! `tokio::sync::mpsc::unbounded_channel()`, `mpsc::unbounded_channel()` after
//! `use tokio::sync::mpsc;`, and `unbounded_channel()` after
//! `use tokio::sync::mpsc::unbounded_channel;` all resolve to the same path, while a local
//! `fn unbounded_channel()` (with no such import) resolves to `crate::unbounded_channel`.
//! In Go, `nethttp.Get` after `import nethttp "net/http"` resolves to `net/http.Get`.
//!
//! Limits: imports are collected file-wide (a `use` inside one function is treated as visible in
//! all of them); macros and re-exports through other crates are not followed.

use tree_sitter::Node;

use crate::language::Language;
use crate::syntax::{squash, text, Walk};

/// Names a file brings into scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Imports {
    /// Local name → full path (Rust: `mpsc` → `tokio::sync::mpsc`; Go: `nethttp` → `net/http`).
    pub names: std::collections::BTreeMap<String, String>,
    /// Rust glob imports (`use a::b::*;` → `a::b`); Go dot imports (`. "strings"` → `strings`).
    pub globs: Vec<String>,
    /// Rust: names of functions, structs, enums, and modules defined in the file (these shadow
    /// glob imports and make a bare name local).
    pub local_items: std::collections::BTreeSet<String>,
}

impl Imports {
    /// Collects the imports of a parsed file.
    pub fn collect(language: Language, source: &str, root: Node<'_>) -> Self {
        match language {
            Language::Rust => collect_rust(source, root),
            Language::Go => collect_go(source, root),
        }
    }

    /// Rust: the full path a path expression (as written, whitespace-free, no turbofish) names.
    ///
    /// - `crate::x`, `self::x`, `super::x` stay as written (local);
    /// - a first segment imported by `use` is replaced by its full path;
    /// - a bare name defined in the file becomes `crate::name`;
    /// - a bare name not imported, with one glob import in the file, resolves through the glob;
    /// - anything else is returned as written (an absolute path such as `std::sync::mpsc::channel`).
    pub fn resolve_rust(&self, path: &str) -> String {
        let path = path.strip_prefix("::").unwrap_or(path);
        let (first, rest) = match path.split_once("::") {
            Some((f, r)) => (f, Some(r)),
            None => (path, None),
        };
        if let Some(full) = self.names.get(first) {
            return match rest {
                Some(r) => format!("{full}::{r}"),
                None => full.clone(),
            };
        }
        if rest.is_none() {
            if self.local_items.contains(first) {
                return format!("crate::{first}");
            }
            if self.globs.len() == 1 {
                return format!("{}::{first}", self.globs[0]);
            }
        }
        path.to_string()
    }

    /// Rust: true when `path` resolves to one of `targets` (full paths).
    pub fn rust_path_is(&self, path: &str, targets: &[&str]) -> bool {
        let full = self.resolve_rust(path);
        targets.iter().any(|t| *t == full)
    }

    /// Go: the import path bound to local package name `pkg` (`nethttp` → `net/http`), if any.
    pub fn go_package(&self, pkg: &str) -> Option<&str> {
        self.names.get(pkg).map(String::as_str)
    }

    /// Go: the local name under which `import_path` is imported, if it is (`net/http` → `http`).
    pub fn go_local_name(&self, import_path: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(_, p)| p.as_str() == import_path)
            .map(|(n, _)| n.as_str())
    }

    /// Go: true when `pkg.member` (a selector's operand and field) names `import_path.member`.
    pub fn go_is(&self, pkg: &str, member: &str, import_path: &str, members: &[&str]) -> bool {
        self.go_package(pkg) == Some(import_path) && members.contains(&member)
    }
}

fn collect_rust(source: &str, root: Node<'_>) -> Imports {
    let mut imports = Imports::default();
    let mut walk = Walk::new(root);
    while let Some(node) = walk.next() {
        match node.kind() {
            "use_declaration" => {
                if let Some(arg) = node.child_by_field_name("argument") {
                    collect_use_tree(source, arg, &mut imports);
                }
                walk.skip_subtree();
            }
            "function_item" | "struct_item" | "enum_item" | "mod_item" | "union_item"
            | "type_item" | "trait_item" | "const_item" | "static_item" => {
                // Only items at file level or inside modules shadow imports file-wide.
                let top = walk
                    .parent()
                    .map(|p| p.kind() == "source_file" || p.kind() == "declaration_list")
                    .unwrap_or(false);
                if let Some(name) = node.child_by_field_name("name") {
                    if top {
                        imports.local_items.insert(text(source, name).to_string());
                    }
                }
                // A module-level item contributes nothing more unless its text can hold a
                // `use` declaration or a `declaration_list` (whose items count as top-level):
                // skip walking it (function bodies are most of a file's nodes; struct, enum,
                // const and static bodies can be large tables) after a cheap text check.
                // Nested items are walked with their (checked) outer item. (`mod`/`trait`
                // items always pass the check: their own keyword is in their text.)
                if top && !may_declare(declaring_text(source, node)) {
                    walk.skip_subtree();
                }
            }
            // Token trees (macro arguments and `macro_rules!` bodies) and comments (a third of
            // the nodes outside function bodies: each is a comment, its marker and doc-comment
            // nodes) hold no `use` declaration or item.
            "macro_invocation" | "macro_definition" | "token_tree" | "line_comment"
            | "block_comment" => walk.skip_subtree(),
            // `#[a = expr]` holds an expression, which could hold a block: walked only when
            // its text has a keyword, like an item.
            "attribute_item" | "inner_attribute_item" if !may_declare(text(source, node)) => {
                walk.skip_subtree()
            }
            _ => {}
        }
    }
    imports
}

/// The text of `item` that [`may_declare`] must check: for a function whose signature has no
/// `{` (no block, so no statement or item can be in it), only its body — `impl Trait` in a
/// signature is common and would send the walk through the whole body; otherwise the item's
/// whole text.
fn declaring_text<'s>(source: &'s str, item: Node<'_>) -> &'s str {
    let whole = text(source, item);
    if item.kind() == "function_item" {
        if let Some(body) = item.child_by_field_name("body") {
            let signature = &source[item.start_byte()..body.start_byte()];
            if !signature.contains('{') {
                return text(source, body);
            }
        }
    }
    whole
}

/// Whether `text` contains one of the keywords that can put something into [`Imports`] from
/// inside a function body, as a whole word: `use` (a `use_declaration`), or `mod`, `impl`,
/// `trait`, `extern` (the items whose bodies are a `declaration_list`, whose items count as
/// module-level). A necessary condition checked on text (comments and strings may give false
/// positives, which only cost a walk); one pass with an Aho-Corasick automaton.
fn may_declare(text: &str) -> bool {
    static KEYWORDS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let ac = KEYWORDS.get_or_init(|| {
        aho_corasick::AhoCorasick::new(["use", "mod", "impl", "trait", "extern"])
            .expect("static keyword automaton")
    });
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    // Keywords consist of identifier characters only, so a match that overlaps a whole-word
    // occurrence from the left would have to contain a non-identifier byte: non-overlapping
    // search finds every whole-word occurrence.
    ac.find_iter(text).any(|m| {
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

fn join(prefix: &str, tail: &str) -> String {
    if prefix.is_empty() {
        tail.to_string()
    } else {
        format!("{prefix}::{tail}")
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

fn collect_use_tree(source: &str, tree: Node<'_>, imports: &mut Imports) {
    let mut stack: Vec<(String, Node<'_>)> = vec![(String::new(), tree)];
    while let Some((prefix, node)) = stack.pop() {
        match node.kind() {
            "identifier" | "scoped_identifier" | "crate" | "super" | "self" | "metavariable" => {
                let path = squash(text(source, node));
                let path = path.strip_prefix("::").unwrap_or(&path).to_string();
                let full = join(&prefix, &path);
                if last_segment(&path) == "self" {
                    // `use a::b::{self}` binds `b`.
                    let module = full.trim_end_matches("::self").to_string();
                    let name = last_segment(&module).to_string();
                    imports.names.insert(name, module);
                } else {
                    let name = last_segment(&full).to_string();
                    imports.names.insert(name, full);
                }
            }
            "use_as_clause" => {
                let (Some(path), Some(alias)) = (
                    node.child_by_field_name("path"),
                    node.child_by_field_name("alias"),
                ) else {
                    continue;
                };
                let path_text = squash(text(source, path));
                let full = join(&prefix, path_text.trim_start_matches("::"));
                let full = full
                    .strip_suffix("::self")
                    .map(str::to_string)
                    .unwrap_or(full);
                let alias = text(source, alias).to_string();
                if alias != "_" {
                    imports.names.insert(alias, full);
                }
            }
            "scoped_use_list" => {
                let new_prefix = match node.child_by_field_name("path") {
                    Some(p) => join(&prefix, squash(text(source, p)).trim_start_matches("::")),
                    None => prefix.clone(),
                };
                if let Some(list) = node.child_by_field_name("list") {
                    stack.push((new_prefix, list));
                }
            }
            "use_list" => {
                let mut c = node.walk();
                for child in node.named_children(&mut c) {
                    stack.push((prefix.clone(), child));
                }
            }
            "use_wildcard" => {
                let t = squash(text(source, node));
                let base = t
                    .trim_end_matches('*')
                    .trim_end_matches("::")
                    .trim_start_matches("::");
                imports.globs.push(join(&prefix, base));
            }
            _ => {}
        }
    }
}

/// Go's default package name for an import path: the last element, skipping a `/vN` major-version
/// suffix and a `.vN` gopkg.in suffix (`github.com/redis/go-redis/v9` → `redis`, by convention of
/// the `go-` prefix; `gopkg.in/yaml.v3` → `yaml`).
pub fn go_default_package_name(import_path: &str) -> String {
    let mut parts: Vec<&str> = import_path.split('/').collect();
    if parts.len() > 1 {
        let last = parts[parts.len() - 1];
        if last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit())
        {
            parts.pop();
        }
    }
    let mut name = parts.last().copied().unwrap_or(import_path).to_string();
    if let Some(idx) = name.find(".v") {
        if name[idx + 2..].chars().all(|c| c.is_ascii_digit()) {
            name.truncate(idx);
        }
    }
    for prefix in ["go-", "go_"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if !rest.is_empty() {
                name = rest.to_string();
            }
        }
    }
    // `github.com/segmentio/kafka-go` declares `package kafka`, `github.com/nats-io/nats.go`
    // declares `package nats`: the same convention as the `go-` prefix, at the other end.
    for suffix in ["-go", ".go", "_go"] {
        if let Some(rest) = name.strip_suffix(suffix) {
            if !rest.is_empty() {
                name = rest.to_string();
            }
        }
    }
    name.replace(['-', '.'], "_")
}

fn collect_go(source: &str, root: Node<'_>) -> Imports {
    let mut imports = Imports::default();
    let mut c = root.walk();
    for decl in root.named_children(&mut c) {
        add_go_declaration(&mut imports, source, decl);
    }
    imports
}

impl Imports {
    /// Go: the imports of one top-level declaration `decl` (empty unless it is an
    /// `import_declaration`). Folding every top-level declaration's imports in source order with
    /// later names replacing earlier ones and globs appended (as the incremental engine merges
    /// them) gives [`Imports::collect`] of the file.
    pub fn collect_go_declaration(source: &str, decl: Node<'_>) -> Imports {
        let mut imports = Imports::default();
        add_go_declaration(&mut imports, source, decl);
        imports
    }
}

/// Adds the import specs of `decl`, when it is an `import_declaration`, to `imports`.
fn add_go_declaration(imports: &mut Imports, source: &str, decl: Node<'_>) {
    if decl.kind() != "import_declaration" {
        return;
    }
    for spec in Walk::new(decl) {
        if spec.kind() != "import_spec" {
            continue;
        }
        let Some(path_node) = spec.child_by_field_name("path") else {
            continue;
        };
        let path = text(source, path_node)
            .trim_matches(|c| c == '"' || c == '`')
            .to_string();
        match spec.child_by_field_name("name") {
            Some(n) if n.kind() == "dot" => imports.globs.push(path),
            Some(n) if n.kind() == "blank_identifier" => {}
            Some(n) => {
                imports.names.insert(text(source, n).to_string(), path);
            }
            None => {
                imports.names.insert(go_default_package_name(&path), path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    fn rust(src: &str) -> Imports {
        let doc = Document::new(Language::Rust, src, 0);
        Imports::collect(Language::Rust, src, doc.tree().root_node())
    }

    /// Items whose text has no `use`/`mod`/`impl`/`trait`/`extern` are not walked, the others
    /// are: a `use` inside a `const` block or an `impl` inside a `static`'s block still counts.
    #[test]
    fn rust_uses_inside_non_function_items_are_found() {
        let i = rust(
            "struct S { a: [u8; 4] }
             const C: u32 = { use std::sync::mpsc::channel as ch; 1 };
             static T: u8 = { struct L; impl L { const K: u8 = 1; } 0 };
             enum E { A { x: u8 } }
             macro_rules! m { () => { use x::y; } }
",
        );
        assert_eq!(i.resolve_rust("ch"), "std::sync::mpsc::channel");
        assert!(i.local_items.contains("K"), "{:?}", i.local_items);
        assert!(i.local_items.contains("S") && i.local_items.contains("E"));
        // Tokens of a macro body are not a `use` declaration.
        assert_eq!(i.resolve_rust("y"), "y");
    }

    #[test]
    fn rust_use_forms_resolve_to_the_same_path() {
        let i = rust("use tokio::sync::mpsc;\nuse tokio::sync::mpsc::unbounded_channel;\nuse std::sync::{Mutex as StdMutex, mpsc::{self as smpsc}};\n");
        assert_eq!(
            i.resolve_rust("mpsc::unbounded_channel"),
            "tokio::sync::mpsc::unbounded_channel"
        );
        assert_eq!(
            i.resolve_rust("unbounded_channel"),
            "tokio::sync::mpsc::unbounded_channel"
        );
        assert_eq!(
            i.resolve_rust("tokio::sync::mpsc::unbounded_channel"),
            "tokio::sync::mpsc::unbounded_channel"
        );
        assert_eq!(i.resolve_rust("StdMutex::new"), "std::sync::Mutex::new");
        assert_eq!(i.resolve_rust("smpsc::channel"), "std::sync::mpsc::channel");
    }

    /// The walk before function bodies were skipped: every node of the file.
    fn collect_rust_every_node(source: &str, root: Node<'_>) -> Imports {
        let mut imports = Imports::default();
        let mut walk = Walk::new(root);
        while let Some(node) = walk.next() {
            match node.kind() {
                "use_declaration" => {
                    if let Some(arg) = node.child_by_field_name("argument") {
                        collect_use_tree(source, arg, &mut imports);
                    }
                    walk.skip_subtree();
                }
                "function_item" | "struct_item" | "enum_item" | "mod_item" | "union_item"
                | "type_item" | "trait_item" | "const_item" | "static_item" => {
                    if let Some(name) = node.child_by_field_name("name") {
                        let top = node.parent().is_some_and(|p| {
                            matches!(p.kind(), "source_file" | "declaration_list")
                        });
                        if top {
                            imports.local_items.insert(text(source, name).to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        imports
    }

    #[test]
    fn skipping_function_bodies_changes_no_import() {
        // Bodies that do contribute: nested `use` (also `use{..}`), and items of `mod`, `impl`,
        // `trait` and `extern` blocks inside a body (they count as module-level items).
        let cases = [
            "fn f() { use tokio::sync::mpsc::unbounded_channel as uc; let _ = uc::<u8>(); }",
            "fn f() { use{std::sync::mpsc::channel}; }",
            "fn f() { mod inner { pub fn helper() {} } }",
            "fn f() { struct S; impl S { fn method(&self) {} } }",
            "fn f() { trait T { fn g(); } }",
            "fn f() { extern \"C\" { fn abs(x: i32) -> i32; } }",
            "impl X { fn m(&self) { use std::time::SystemTime as Clock; } }",
            "mod m { fn a() { let user = 1; let reuse = 2; let module_ = 3; } }",
            "fn outer() { fn inner() { use a::b; } }",
        ];
        for src in cases {
            let doc = Document::new(Language::Rust, src, 0);
            let root = doc.tree().root_node();
            assert_eq!(
                Imports::collect(Language::Rust, src, root),
                collect_rust_every_node(src, root),
                "{src}"
            );
        }
        assert!(!may_declare(
            "fn a() { let user = reuse + module + implement; }"
        ));
        assert!(may_declare("fn a() {\n    use x::y;\n}"));
        // Every Rust source in the repository (real-code fixtures, examples, our own crates).
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        // `DISTLINT_IMPORTS_EXTRA=dir1:dir2` adds directories (e.g. `tests/corpus/rust.sh`'s).
        let mut stack = vec![repo.join("crates"), repo.join("tests")];
        if let Some(extra) = std::env::var_os("DISTLINT_IMPORTS_EXTRA") {
            stack.extend(std::env::split_paths(&extra));
        }
        let mut files = 0;
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if p.is_dir() {
                    if name != "target" && !name.starts_with('.') {
                        stack.push(p);
                    }
                } else if name.ends_with(".rs") {
                    let Ok(src) = std::fs::read_to_string(&p) else {
                        continue;
                    };
                    let doc = Document::new(Language::Rust, src.as_str(), 0);
                    let root = doc.tree().root_node();
                    assert_eq!(
                        Imports::collect(Language::Rust, &src, root),
                        collect_rust_every_node(&src, root),
                        "{}",
                        p.display()
                    );
                    files += 1;
                }
            }
        }
        assert!(files > 50, "{files}");
    }

    #[test]
    fn local_function_is_not_the_library_one() {
        let i = rust("use tokio::sync::mpsc::*;\nfn unbounded_channel() {}\n");
        assert_eq!(
            i.resolve_rust("unbounded_channel"),
            "crate::unbounded_channel"
        );
        let g = rust("use tokio::sync::mpsc::*;\n");
        assert_eq!(
            g.resolve_rust("unbounded_channel"),
            "tokio::sync::mpsc::unbounded_channel"
        );
    }

    #[test]
    fn go_aliases_and_default_names() {
        let src = "package x\nimport (\n\tnethttp \"net/http\"\n\t\"github.com/redis/go-redis/v9\"\n\t\"gopkg.in/yaml.v3\"\n\t_ \"embed\"\n)\nimport \"context\"\n";
        let doc = Document::new(Language::Go, src, 0);
        let i = Imports::collect(Language::Go, src, doc.tree().root_node());
        assert_eq!(i.go_package("nethttp"), Some("net/http"));
        assert_eq!(i.go_package("http"), None);
        assert_eq!(i.go_package("redis"), Some("github.com/redis/go-redis/v9"));
        assert_eq!(i.go_package("yaml"), Some("gopkg.in/yaml.v3"));
        assert_eq!(i.go_package("context"), Some("context"));
        assert_eq!(i.go_local_name("net/http"), Some("nethttp"));
        assert_eq!(
            go_default_package_name("github.com/segmentio/kafka-go"),
            "kafka"
        );
        assert_eq!(
            go_default_package_name("github.com/nats-io/nats.go"),
            "nats"
        );
        assert_eq!(
            go_default_package_name("github.com/rabbitmq/amqp091-go"),
            "amqp091"
        );
    }
}
