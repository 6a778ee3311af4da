//! `strict-wire-decoding` (category `schema-evolution`): `#[serde(deny_unknown_fields)]` on types
//! decoded from the network.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{rust_call_path, squash, Walk};
use crate::vocabulary::rust::{WIRE_DECODE_FNS, WIRE_EXTRACTORS, WIRE_FORMAT_CRATES};

use super::helpers::{idents, method_call};

/// The rule.
pub struct StrictWireDecoding;

/// Registered instance.
pub static RULE: StrictWireDecoding = StrictWireDecoding;

static META: RuleMeta = RuleMeta {
    id: "strict-wire-decoding",
    language: Language::Rust,
    category: "schema-evolution",
    severity: Severity::Major,
    title: "Wire type rejects unknown fields",
    scope: Scope::File,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `#[serde(deny_unknown_fields)]` on a struct or enum that the same file \
decodes from the network: an HTTP body extractor (`Json<T>`, `Form<T>`), a response decode \
(`.json::<T>()`), or a wire format call (`serde_json`, `rmp_serde`, `bincode`, `serde_cbor`, \
`ciborium`, `postcard`, `simd_json` `from_slice`/`from_str`/`from_reader`/`from_value`/`decode`) \
with `T` as the turbofish or the `let` type. Silent for types decoded only from configuration \
(`toml`, `serde_yaml`, `config`, `figment`, `envy`), where rejecting typos is the point.",
        why: "Producers and consumers of a message are deployed at different times:\n\n\
1. The `orders` service adds an optional field `gift_wrap` to the event and deploys first, as \
backward-compatible changes are supposed to allow.\n\
2. Every consumer still running the old code decodes with `deny_unknown_fields` and fails on \
every message from the new producer.\n\
3. Consumers crash-loop or dead-letter all traffic (see `poison-message`); HTTP handlers return \
400 to the newer clients.\n\
4. The \"compatible\" change is now an outage that needs a coordinated rollback.\n\n\
Tolerant readers (serde's default: ignore unknown fields) let writers add fields first.",
        known_problems: "- Only decoding visible in the same file is used as evidence; a type \
decoded from the wire in another file is not reported.\n\
- An API that deliberately rejects unknown request fields (strict validation) is reported; \
suppress it with the reason.",
        example: "#[derive(Deserialize)]\n#[serde(deny_unknown_fields)]\nstruct OrderCreated { id: u64, total: u64 }\n\nlet ev: OrderCreated = serde_json::from_slice(&msg.payload)?;",
        use_instead: "#[derive(Deserialize)]\nstruct OrderCreated { id: u64, total: u64 } // unknown fields are ignored\n\nlet ev: OrderCreated = serde_json::from_slice(&msg.payload)?;",
        fix: "",
    },
};

/// Whether a resolved call path is a wire decode (`serde_json::from_slice`).
fn is_wire_decode(full: &str) -> bool {
    let first = full.split("::").next().unwrap_or("");
    let last = full.rsplit("::").next().unwrap_or("");
    WIRE_FORMAT_CRATES.contains(&first) && WIRE_DECODE_FNS.contains(&last)
}

/// The type names that the file decodes from the wire, from the file facts (no walk): the
/// type arguments of `Json<T>`/`Form<T>`, and the turbofish and `let` type of `.json()` calls
/// and of calls that resolve to a wire crate's decode function.
///
/// The facts record only calls whose path as written ends in a decode function's name; a call
/// can resolve to one under another name only through a `use … as` alias of the function
/// itself (`use serde_json::from_slice as parse;`), so when the imports hold such an alias the
/// file is walked as before.
fn wire_types(ctx: &Context<'_>) -> Vec<String> {
    let renamed =
        ctx.imports.names.iter().any(|(local, full)| {
            !WIRE_DECODE_FNS.contains(&local.as_str()) && is_wire_decode(full)
        });
    if renamed {
        return wire_types_walk(ctx);
    }
    ctx.facts()
        .wire_decodes()
        .filter(|(path, _)| path.is_none_or(|p| is_wire_decode(&ctx.imports.resolve_rust(p))))
        .map(|(_, t)| t.to_string())
        .collect()
}

/// [`wire_types`] by a walk of the whole file (for files that import a decode function under
/// another name).
fn wire_types_walk(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for n in Walk::new(ctx.root) {
        match n.kind() {
            "generic_type" => {
                let Some(t) = n.child_by_field_name("type") else {
                    continue;
                };
                let name = squash(ctx.text(t));
                let last = name.rsplit("::").next().unwrap_or(&name);
                if WIRE_EXTRACTORS.contains(&last) {
                    if let Some(args) = n.child_by_field_name("type_arguments") {
                        out.extend(idents(ctx, args).into_iter().map(String::from));
                    }
                }
            }
            "call_expression" => {
                let f = n.child_by_field_name("function");
                let turbofish = f
                    .filter(|f| f.kind() == "generic_function")
                    .and_then(|f| f.child_by_field_name("type_arguments"));
                let wire = if let Some(m) = method_call(n) {
                    ctx.text(m.name) == "json"
                } else {
                    rust_call_path(ctx.source, n)
                        .is_some_and(|p| is_wire_decode(&ctx.imports.resolve_rust(&p)))
                };
                if !wire {
                    continue;
                }
                if let Some(ta) = turbofish {
                    out.extend(idents(ctx, ta).into_iter().map(String::from));
                }
                // `let x: T = serde_json::from_slice(..)?;`
                if let Some(t) = crate::syntax::let_declared_type(n) {
                    out.extend(idents(ctx, t).into_iter().map(String::from));
                }
            }
            _ => {}
        }
    }
    out
}

/// The attribute the literal `deny_unknown_fields` at byte `at` is written in: the
/// `attribute_item` on the path from the root down to `at`, found with one cursor descent
/// (no parent lookups, which cost O(siblings) at the root of a large file).
fn attribute_at(root: Node<'_>, at: usize) -> Option<Node<'_>> {
    let mut c = root.walk();
    loop {
        let n = c.node();
        if n.kind() == "attribute_item" {
            return Some(n);
        }
        if c.goto_first_child_for_byte(at).is_none() || c.node().start_byte() > at {
            return None;
        }
    }
}

const NEEDLE: &str = "deny_unknown_fields";

impl Rule for StrictWireDecoding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `#[serde(deny_unknown_fields)]` attribute in the file.
        &[&[NEEDLE]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        // A file fact answers "is there any `#[serde(deny_unknown_fields)]`?" without a walk:
        // most files have none, and this rule runs on the whole file after every edit.
        if !ctx.facts().serde_deny_unknown_fields() {
            return;
        }
        // Entry points: the attributes the literal is written in (a SIMD substring search and
        // one descent per occurrence), not a walk of every node: this rule runs on the whole
        // file after every keystroke.
        let mut wire: Option<Vec<String>> = None;
        let mut last: Option<usize> = None;
        let range = node.byte_range();
        for at in memchr::memmem::find_iter(ctx.source[range.clone()].as_bytes(), NEEDLE) {
            let Some(attr) = attribute_at(node, range.start + at) else {
                continue;
            };
            if last == Some(attr.id()) {
                continue;
            }
            last = Some(attr.id());
            let t = squash(ctx.text(attr));
            if !(t.starts_with("#[serde(") && t.contains(NEEDLE)) {
                continue;
            }
            // The item the attribute belongs to: the next sibling that is not an attribute.
            let mut item = attr.next_named_sibling();
            while let Some(i) = item {
                if i.kind() == "attribute_item" || i.kind().ends_with("comment") {
                    item = i.next_named_sibling();
                } else {
                    break;
                }
            }
            let Some(item) = item.filter(|i| matches!(i.kind(), "struct_item" | "enum_item"))
            else {
                continue;
            };
            let Some(name) = item.child_by_field_name("name").map(|n| ctx.text(n)) else {
                continue;
            };
            let wire = wire.get_or_insert_with(|| wire_types(ctx));
            if wire.iter().any(|w| w == name) {
                out.push(Finding::new(
                    &META,
                    attr.byte_range(),
                    format!("`{name}` is decoded from the wire but rejects unknown fields: a newer producer adding one field breaks every message"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_strict_types_decoded_from_the_wire() {
        check(
            "strict-wire-decoding",
            r#"
use axum::Json;
mod wire {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ strict-wire-decoding
    pub struct OrderCreated { id: u64 }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ strict-wire-decoding
    pub struct CreateUser { name: String }
}
async fn consume(msg: &[u8]) -> anyhow::Result<()> {
    let ev: OrderCreated = serde_json::from_slice(msg)?;
    Ok(())
}
async fn create(Json(body): Json<CreateUser>) {}
"#,
        );
    }

    #[test]
    fn silent_on_config_types_and_tolerant_types() {
        check(
            "strict-wire-decoding",
            r#"
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings { port: u16 }
#[derive(Deserialize)]
struct Event { id: u64 }
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Unused { id: u64 }
fn load(s: &str) -> Settings { toml::from_str::<Settings>(s).unwrap() }
fn decode(b: &[u8]) -> Event { serde_json::from_slice::<Event>(b).unwrap() }
"#,
        );
    }
}
