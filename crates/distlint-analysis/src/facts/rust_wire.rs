//! Rust wire-decoding facts, for `strict-wire-decoding`: the type names decoded from the wire
//! ([`FactKinds::WIRE_DECODES`]) and whether a `#[serde(deny_unknown_fields)]` exists
//! ([`FactKinds::SERDE_DENY`]).

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::{squash, text, Walk};
use crate::vocabulary::rust::{WIRE_DECODE_FNS, WIRE_EXTRACTORS};

/// The identifiers (`identifier`, `field_identifier`, `type_identifier`) in `node`'s subtree, in
/// pre-order.
fn type_idents<'s, 't>(
    source: &'s str,
    node: Node<'t>,
) -> impl Iterator<Item = &'s str> + use<'s, 't> {
    Walk::new(node)
        .filter(|n| {
            matches!(
                n.kind(),
                "identifier" | "field_identifier" | "type_identifier"
            )
        })
        .map(move |n| text(source, n))
}

impl FileFacts {
    /// An `attribute_item`: sets the serde fact when it is `#[serde(...)]` with
    /// `deny_unknown_fields` (whitespace removed).
    pub(super) fn collect_serde_attribute(&mut self, source: &str, n: Node<'_>) {
        let t = squash(text(source, n));
        self.serde_deny = t.starts_with("#[serde(") && t.contains("deny_unknown_fields");
    }

    /// `Json<T>` / `Form<T>`: the identifiers of the type arguments.
    pub(super) fn collect_wire_extractor(&mut self, source: &str, n: Node<'_>) {
        let Some(t) = n.child_by_field_name("type") else {
            return;
        };
        let raw = text(source, t);
        if !WIRE_EXTRACTORS.iter().any(|e| raw.ends_with(e)) {
            return;
        }
        let name = squash(raw);
        let last = name.rsplit("::").next().unwrap_or(&name);
        if !WIRE_EXTRACTORS.contains(&last) {
            return;
        }
        if let Some(args) = n.child_by_field_name("type_arguments") {
            for i in type_idents(source, args) {
                self.wire_decodes.insert((None, i.to_string()));
            }
        }
    }

    /// A `.json()` call or a call whose path ends in a decode function: the identifiers of its
    /// turbofish and of the type of the `let` it initialises (through `?` and `.await`).
    pub(super) fn collect_wire_call(&mut self, source: &str, n: Node<'_>) {
        let Some(f) = n.child_by_field_name("function") else {
            return;
        };
        let (callee, turbofish) = if f.kind() == "generic_function" {
            let Some(inner) = f.child_by_field_name("function") else {
                return;
            };
            (inner, f.child_by_field_name("type_arguments"))
        } else {
            (f, None)
        };
        let path = match callee.kind() {
            // A method call: only `.json()` decodes (as the Rust helpers' `method_call` sees it: a
            // receiver, a name and arguments).
            "field_expression" => {
                let json = callee.child_by_field_name("value").is_some()
                    && n.child_by_field_name("arguments").is_some()
                    && callee
                        .child_by_field_name("field")
                        .is_some_and(|m| text(source, m) == "json");
                if !json {
                    return;
                }
                None
            }
            "identifier" | "scoped_identifier" => {
                let raw = text(source, callee);
                if !WIRE_DECODE_FNS.iter().any(|d| raw.ends_with(d)) {
                    return;
                }
                let path = squash(raw);
                let last = path.rsplit("::").next().unwrap_or(&path);
                if !WIRE_DECODE_FNS.contains(&last) {
                    return;
                }
                Some(path)
            }
            _ => return,
        };
        let mut idents: Vec<&str> = Vec::new();
        if let Some(ta) = turbofish {
            idents.extend(type_idents(source, ta));
        }
        // `let x: T = serde_json::from_slice(..)?;`
        if let Some(t) = crate::syntax::let_declared_type(n) {
            idents.extend(type_idents(source, t));
        }
        for i in idents {
            self.wire_decodes.insert((path.clone(), i.to_string()));
        }
    }
}

impl<'a> FactsView<'a> {
    /// Rust: whether the file has a `#[serde(...)]` attribute containing
    /// `deny_unknown_fields` (whitespace removed). Marks [`FactKinds::SERDE_DENY`].
    pub fn serde_deny_unknown_fields(&self) -> bool {
        self.read(FactKinds::SERDE_DENY).serde_deny
    }

    /// Rust: `(callee path, type name)` for the type names the file decodes from the wire, as
    /// collected (see [`FileFacts`]' `wire_decodes`): path `None` for `Json<T>`/`Form<T>` and
    /// `.json()` calls, else the unresolved path of a call whose last segment is one of
    /// [`WIRE_DECODE_FNS`]. Marks [`FactKinds::WIRE_DECODES`].
    pub fn wire_decodes(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> {
        self.read(FactKinds::WIRE_DECODES)
            .wire_decodes
            .iter()
            .map(|(p, t)| (p.as_deref(), t.as_str()))
    }
}
