//! `strict-decode-go` (category `schema-evolution`): `DisallowUnknownFields` on decoders of
//! messages written by other services.

use tree_sitter::Node;

use super::helpers::{
    arg, assigned_to, call_name, callee, enclosing_function, imports_any, pkg_call, unparen,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::go::CONSUMER_BROKER_IMPORTS;

/// The rule.
pub struct StrictDecode;

/// Registered instance.
pub static RULE: StrictDecode = StrictDecode;

static META: RuleMeta = RuleMeta {
    id: "strict-decode-go",
    language: Language::Go,
    category: "schema-evolution",
    severity: Severity::Major,
    title: "Strict decoding of another service's messages",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `dec.DisallowUnknownFields()` on an `encoding/json` decoder \
(`dec := json.NewDecoder(src)`) whose source is written by another service: the `Body` of an \
HTTP response (`resp` from `Do`/`Get`/`Post`/`Head`/`PostForm`, or a parameter of type \
`*http.Response`), or a broker message payload (`bytes.NewReader(m.Value)`, `msg.Data`, \
`d.Body`) in a file that imports a broker client. Strict decoding of requests your own API \
receives is a validation choice and is not reported. The finding sits on the \
`DisallowUnknownFields` call.",
        why: "Additive change is how services evolve without lock-step deploys — and strict \
decoding turns it into an outage:\n\n\
1. The inventory service adds a field `warehouse` to its response (or the order producer adds \
`currency` to its events). For every tolerant reader this is a compatible change.\n\
2. This client decodes with `DisallowUnknownFields`, so every response now fails with \
`json: unknown field \"warehouse\"`.\n\
3. Every call fails (or every message becomes a poison message) until this service is changed \
and redeployed — the producer's deploy broke a consumer it does not know about, and rolling it \
back may not be possible once new events are in the topic.\n\n\
Readers of other teams' data should ignore unknown fields (the default) and validate the \
fields they need.",
        known_problems: "- The decoder's source is followed only through a local variable in the \
same function; a decoder built in a helper is not reported.\n\
- `protojson`/`proto` options are not examined (protobuf ignores unknown fields by default).",
        example: "resp, err := client.Do(req)\n// ...\ndec := json.NewDecoder(resp.Body)\ndec.DisallowUnknownFields()\nerr = dec.Decode(&stock)",
        use_instead: "resp, err := client.Do(req)\n// ...\nif err := json.NewDecoder(resp.Body).Decode(&stock); err != nil {\n\treturn err\n}\nif stock.SKU == \"\" {\n\treturn errors.New(\"inventory: missing sku\")\n}",
        fix: "",
    },
};

/// Where the decoder's bytes come from, when they come from another service.
fn foreign_source(ctx: &Context<'_>, src: Node<'_>, func: Node<'_>) -> Option<&'static str> {
    let src = unparen(src);
    match src.kind() {
        "selector_expression" => {
            let operand = src.child_by_field_name("operand")?;
            let field = ctx.text(src.child_by_field_name("field")?);
            if field != "Body" || operand.kind() != "identifier" {
                return None;
            }
            let var = ctx.text(operand);
            // `resp, err := client.Do(req)` earlier in the function.
            let from_call = Walk::new(func).any(|n| {
                n.kind() == "call_expression"
                    && n.end_byte() <= src.start_byte()
                    && call_name(ctx.source, n)
                        .is_some_and(|m| matches!(m, "Do" | "Get" | "Post" | "PostForm" | "Head"))
                    && assigned_to(n).is_some_and(|v| ctx.text(v) == var)
            });
            // A parameter `resp *http.Response`.
            let from_param = Walk::new(func).any(|n| {
                n.kind() == "parameter_declaration"
                    && n.child_by_field_name("type")
                        .is_some_and(|t| ctx.text(t).replace(' ', "").ends_with("http.Response"))
                    && Walk::new(n).any(|i| i.kind() == "identifier" && ctx.text(i) == var)
            });
            (from_call || from_param).then_some("an HTTP response from another service")
        }
        "call_expression" => {
            if !imports_any(ctx, CONSUMER_BROKER_IMPORTS) {
                return None;
            }
            let (path, member) = pkg_call(ctx, src)?;
            if !matches!(
                (path, member),
                ("bytes", "NewReader" | "NewBuffer") | ("strings", "NewReader")
            ) {
                return None;
            }
            let payload = unparen(arg(src, 0)?);
            let payload = if payload.kind() == "call_expression" {
                // `strings.NewReader(string(m.Value))`
                unparen(arg(payload, 0)?)
            } else {
                payload
            };
            if payload.kind() != "selector_expression" {
                return None;
            }
            let field = ctx.text(payload.child_by_field_name("field")?);
            matches!(field, "Value" | "Data" | "Body")
                .then_some("a message published by another service")
        }
        _ => None,
    }
}

impl Rule for StrictDecode {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `DisallowUnknownFields()` call.
        &[&["DisallowUnknownFields"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            let Some((Some(recv), "DisallowUnknownFields")) = callee(ctx.source, call) else {
                continue;
            };
            if recv.kind() != "identifier" {
                continue;
            }
            let var = ctx.text(recv);
            let Some(func) = enclosing_function(call) else {
                continue;
            };
            // `dec := json.NewDecoder(src)` before the call.
            let decoder = Walk::new(func).find(|n| {
                n.kind() == "call_expression"
                    && n.end_byte() <= call.start_byte()
                    && matches!(pkg_call(ctx, *n), Some(("encoding/json", "NewDecoder")))
                    && assigned_to(*n).is_some_and(|v| ctx.text(v) == var)
            });
            let Some(src) = decoder.and_then(|d| arg(d, 0)) else {
                continue;
            };
            if let Some(what) = foreign_source(ctx, src, func) {
                out.push(Finding::new(
                    &META,
                    call.byte_range(),
                    format!("`DisallowUnknownFields` on {what}: when its writer adds a field (a compatible change), every decode here fails until this service is redeployed"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_strict_decoding_of_responses_and_messages() {
        check(
            "strict-decode-go",
            r#"
package inventory

import (
    "bytes"
    "encoding/json"
    "net/http"

    "github.com/segmentio/kafka-go"
)

func stock(client *http.Client, req *http.Request) (Stock, error) {
    resp, err := client.Do(req)
    if err != nil {
        return Stock{}, err
    }
    defer resp.Body.Close()
    dec := json.NewDecoder(resp.Body)
    dec.DisallowUnknownFields()
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^ strict-decode-go
    var s Stock
    return s, dec.Decode(&s)
}

func handle(m kafka.Message) error {
    d := json.NewDecoder(bytes.NewReader(m.Value))
    d.DisallowUnknownFields()
  //^^^^^^^^^^^^^^^^^^^^^^^^^ strict-decode-go
    var e Event
    return d.Decode(&e)
}

func parse(resp *http.Response, out any) error {
    dec := json.NewDecoder(resp.Body)
    dec.DisallowUnknownFields()
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^ strict-decode-go
    return dec.Decode(out)
}
"#,
        );
    }

    #[test]
    fn silent_for_own_api_requests_config_and_tolerant_decoders() {
        check(
            "strict-decode-go",
            r#"
package inventory

import (
    "encoding/json"
    "net/http"
    "os"
)

func create(w http.ResponseWriter, r *http.Request) {
    dec := json.NewDecoder(r.Body)
    dec.DisallowUnknownFields()
    var in CreateRequest
    dec.Decode(&in)
}

func config(path string) (Config, error) {
    f, _ := os.Open(path)
    dec := json.NewDecoder(f)
    dec.DisallowUnknownFields()
    var c Config
    return c, dec.Decode(&c)
}

func stock(client *http.Client, req *http.Request) (Stock, error) {
    resp, err := client.Do(req)
    if err != nil {
        return Stock{}, err
    }
    var s Stock
    return s, json.NewDecoder(resp.Body).Decode(&s)
}
"#,
        );
    }
}
