//! Go file-level declaration facts: a `func main` ([`FactKinds::MAIN`]), the names of
//! file-level `const`s ([`FactKinds::CONSTS`]) and the build-ignore line before the package clause
//! ([`FactKinds::BUILD_IGNORED`], a text fact).

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::{ancestors, text};

/// True for Go files excluded from every build (`//go:build ignore`, `// +build ignore` before
/// the `package` line): generators and manual test harnesses run with `go run`.
pub(super) fn go_build_ignored(source: &str) -> bool {
    source
        .lines()
        .take_while(|l| !l.trim_start().starts_with("package "))
        .any(|l| {
            let l = l.trim();
            (l.starts_with("//go:build") || l.starts_with("// +build"))
                && l.split_whitespace().any(|w| w == "ignore")
        })
}

impl FileFacts {
    /// A `function_declaration`: sets the main fact when it is a file-level `func main`.
    pub(super) fn collect_main(&mut self, source: &str, n: Node<'_>) {
        self.has_main = n.parent().is_some_and(|p| p.kind() == "source_file")
            && n.child_by_field_name("name")
                .is_some_and(|x| text(source, x) == "main");
    }

    /// A `const_spec`: its names, when its declaration is file-level.
    pub(super) fn collect_const(&mut self, source: &str, n: Node<'_>) {
        let top = ancestors(n)
            .find(|a| a.kind() == "const_declaration")
            .and_then(|d| d.parent())
            .is_some_and(|p| p.kind() == "source_file");
        if !top {
            return;
        }
        if let Some(first) = n.child_by_field_name("name") {
            self.first_consts.insert(text(source, first).to_string());
        }
        let mut c = n.walk();
        for name in n.children_by_field_name("name", &mut c) {
            self.consts.insert(text(source, name).to_string());
        }
    }
}

impl<'a> FactsView<'a> {
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

    /// Go: whether the file declares a file-level `func main`. Marks [`FactKinds::MAIN`].
    pub fn has_main(&self) -> bool {
        self.read(FactKinds::MAIN).has_main
    }

    /// Go: whether a `//go:build ignore` / `// +build ignore` line precedes the package
    /// clause. Marks [`FactKinds::BUILD_IGNORED`].
    pub fn build_ignored(&self) -> bool {
        self.read(FactKinds::BUILD_IGNORED).build_ignored
    }
}
