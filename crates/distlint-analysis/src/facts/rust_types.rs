//! Rust type facts: the declared types of struct/enum-variant/union fields
//! ([`FactKinds::FIELD_TYPES`]), of `static`/`const` items ([`FactKinds::STATICS`]) and of `type`
//! aliases ([`FactKinds::TYPE_ALIASES`]), as tree-independent [`TypeRef`]s.

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::{squash, text, Walk};

/// One name in a type, as the Rust helpers' `type_names` sees it: a path
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

impl FileFacts {
    /// A `field_declaration` (not nested in another one's subtree: the walk checks that):
    /// its declared type under its name.
    pub(super) fn collect_field_type(&mut self, source: &str, n: Node<'_>) {
        if let (Some(name), Some(ty)) =
            (n.child_by_field_name("name"), n.child_by_field_name("type"))
        {
            self.field_types
                .entry(text(source, name).to_string())
                .or_default()
                .push(TypeRef::of(source, ty));
        }
    }

    /// A `static_item` / `const_item` outside function bodies: the first one of a name wins.
    pub(super) fn collect_static(&mut self, source: &str, n: Node<'_>) {
        if let Some(name) = n.child_by_field_name("name") {
            let ty = n
                .child_by_field_name("type")
                .map(|t| TypeRef::of(source, t));
            self.statics
                .entry(text(source, name).to_string())
                .or_insert(ty);
        }
    }

    /// A `type_item` outside function bodies: the first one of a name wins.
    pub(super) fn collect_type_alias(&mut self, source: &str, n: Node<'_>) {
        if let Some(name) = n.child_by_field_name("name") {
            let ty = n
                .child_by_field_name("type")
                .map(|t| TypeRef::of(source, t));
            self.type_aliases
                .entry(text(source, name).to_string())
                .or_insert(ty);
        }
    }
}

impl<'a> FactsView<'a> {
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
}
