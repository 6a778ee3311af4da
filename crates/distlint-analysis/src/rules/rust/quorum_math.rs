//! `quorum-math` (category `quorum-math`): a majority computed as `n / 2`.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{ancestors, Walk};
use crate::vocabulary::rust::CLUSTER_SIZE_WORDS;
use crate::vocabulary::QUORUM_WORDS;

use super::helpers::{enclosing_fn, idents, name_has, own_nodes};

/// The rule.
pub struct QuorumMath;

/// Registered instance.
pub static RULE: QuorumMath = QuorumMath;

static META: RuleMeta = RuleMeta {
    id: "quorum-math",
    language: Language::Rust,
    category: "quorum-math",
    severity: Severity::Blocker,
    title: "Majority computed as n / 2",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a majority computed with integer division and no `+ 1`:\n\n\
- `n / 2` bound to a name containing `quorum` or `majority` (`let quorum = peers.len() / 2;`, \
a `const QUORUM`, a field `quorum: n / 2`, or the value returned by `fn quorum()`), unless every \
comparison against that name in the function is strict (`acks > quorum`, which is correct);\n\
- a comparison `count >= n / 2` (or `n / 2 <= count`) where `n` names a cluster size (an \
identifier containing node, peer, replica, voter, member, cluster, server, acceptor).",
        why: "A quorum must be a strict majority so that any two quorums overlap in at least one \
member. With `n / 2`:\n\n\
1. A 4-node cluster computes quorum = 4 / 2 = 2.\n\
2. A network partition splits it 2 + 2.\n\
3. Each side gathers 2 acknowledgements, reaches its \"quorum\" and elects a leader (or commits \
a write).\n\
4. Two leaders accept conflicting writes; when the partition heals one side's committed data is \
overwritten: split brain and silent data loss. With odd `n` the same code needs only \
`(n - 1) / 2` acks, one short of a majority, so even a 3-node cluster commits on one node's word.\n\n\
`n / 2 + 1` (or `count > n / 2`) is a majority for every `n`.",
        known_problems: "- Only names are used to decide that a number is a cluster size or a \
quorum; a `quorum` that is deliberately not a majority (e.g. a read quorum R with R + W > N \
computed elsewhere) is reported. Suppress with the reason.\n\
- A quorum returned by `fn quorum()` is reported unless a strict comparison `> x.quorum()` \
appears in the same file; callers in other files are not seen.\n\
- `(n + 1) / 2` (a majority only for odd `n`) is not reported.",
        example: "fn quorum(&self) -> usize {\n    self.peers.len() / 2\n}\n\nif acks >= self.voters.len() / 2 {\n    commit();\n}",
        use_instead: "fn quorum(&self) -> usize {\n    self.peers.len() / 2 + 1\n}\n\nif acks >= self.voters.len() / 2 + 1 {\n    commit();\n}",
        fix: "**Majority** (unsafe: changes how many acknowledgements the code waits for, which is \
the point): `n / 2` → `n / 2 + 1`, parenthesised when the expression is an operand of another \
operator.",
    },
};

/// `node` is `X / 2`.
fn halves(ctx: &Context<'_>, node: Node<'_>) -> bool {
    node.kind() == "binary_expression"
        && node
            .child_by_field_name("operator")
            .is_some_and(|o| ctx.text(o) == "/")
        && node
            .child_by_field_name("right")
            .is_some_and(|r| r.kind() == "integer_literal" && ctx.text(r) == "2")
}

fn op<'s>(ctx: &Context<'s>, bin: Node<'_>) -> &'s str {
    bin.child_by_field_name("operator")
        .map(|o| ctx.text(o))
        .unwrap_or("")
}

/// The expression around `div` once parentheses are stripped, and its parent.
fn outer(div: Node<'_>) -> (Node<'_>, Option<Node<'_>>) {
    let mut n = div;
    while let Some(p) = n.parent() {
        if p.kind() == "parenthesized_expression" || p.kind() == "type_cast_expression" {
            n = p;
        } else {
            return (n, Some(p));
        }
    }
    (n, None)
}

impl Rule for QuorumMath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `/ 2`.
        &[&["2"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for div in Walk::new(node) {
            if !halves(ctx, div) {
                continue;
            }
            let (val, parent) = outer(div);
            let Some(parent) = parent else { continue };
            let Some(left) = div.child_by_field_name("left") else {
                continue;
            };
            let message = match classify(ctx, div, val, parent, left) {
                Some(m) => m,
                None => continue,
            };
            let direct = div.parent().unwrap_or(parent);
            let needs_parens = match direct.kind() {
                "binary_expression" => {
                    !matches!(op(ctx, direct), ">=" | "<=" | ">" | "<" | "==" | "!=")
                }
                "type_cast_expression"
                | "unary_expression"
                | "field_expression"
                | "call_expression"
                | "index_expression"
                | "range_expression" => true,
                _ => false,
            };
            let t = ctx.text(div);
            let replacement = if needs_parens {
                format!("({t} + 1)")
            } else {
                format!("{t} + 1")
            };
            let fix = Fix::new(
                "Majority: use n / 2 + 1",
                Applicability::Unsafe,
                vec![TextEdit::replace(div.byte_range(), replacement)],
            );
            out.push(Finding::new(&META, div.byte_range(), message).with_fix(fix));
        }
    }
}

/// Why `div` (`left / 2`, seen as `val` under `parent`) is a broken majority, if it is one.
fn classify(
    ctx: &Context<'_>,
    div: Node<'_>,
    val: Node<'_>,
    parent: Node<'_>,
    left: Node<'_>,
) -> Option<String> {
    let cluster = idents(ctx, left)
        .iter()
        .any(|i| name_has(i, CLUSTER_SIZE_WORDS));
    match parent.kind() {
        "binary_expression" => {
            let o = op(ctx, parent);
            let on_right = parent.child_by_field_name("right") == Some(val);
            let weak = (o == ">=" && on_right) || (o == "<=" && !on_right);
            if weak && cluster {
                return Some(format!(
                    "`>= {}` is not a majority: with an even cluster two halves both reach it (split brain)",
                    ctx.text(div)
                ));
            }
            None
        }
        "let_declaration" => {
            let name = super::helpers::let_name(ctx, parent)?;
            if !name_has(name, QUORUM_WORDS) {
                return None;
            }
            let f = enclosing_fn(parent)?;
            if strictly_compared(ctx, f, name, parent.end_byte()) {
                return None;
            }
            Some(quorum_message(ctx, div, name))
        }
        "const_item" | "static_item" => {
            let name = ctx.text(parent.child_by_field_name("name")?);
            name_has(name, QUORUM_WORDS).then(|| quorum_message(ctx, div, name))
        }
        "field_initializer" => {
            let name = ctx.text(parent.child_by_field_name("field")?);
            name_has(name, QUORUM_WORDS).then(|| quorum_message(ctx, div, name))
        }
        "block" | "return_expression" => {
            // The value a function returns: its tail expression or `return n / 2`.
            if parent.kind() == "block"
                && parent.named_child(parent.named_child_count() - 1) != Some(val)
            {
                return None;
            }
            let f = ancestors(val)
                .find(|a| matches!(a.kind(), "function_item" | "closure_expression"))?;
            if f.kind() != "function_item" {
                return None;
            }
            if parent.kind() == "block" && f.child_by_field_name("body") != Some(parent) {
                return None;
            }
            let name = ctx.text(f.child_by_field_name("name")?);
            if !name_has(name, QUORUM_WORDS) || strictly_compared_call(ctx, name) {
                return None;
            }
            Some(quorum_message(ctx, div, name))
        }
        _ => None,
    }
}

fn quorum_message(ctx: &Context<'_>, div: Node<'_>, name: &str) -> String {
    format!(
        "`{name}` = `{}` is not a majority: two disjoint halves of the cluster can both reach it (split brain)",
        ctx.text(div)
    )
}

/// Whether `name` is compared strictly (`x > name` / `name < x`) after byte `from` in `f`.
fn strictly_compared(ctx: &Context<'_>, f: Node<'_>, name: &str, from: usize) -> bool {
    own_nodes(f).into_iter().any(|n| {
        if n.kind() != "binary_expression" || n.start_byte() < from {
            return false;
        }
        let o = op(ctx, n);
        let side = match o {
            ">" => n.child_by_field_name("right"),
            "<" => n.child_by_field_name("left"),
            _ => None,
        };
        side.is_some_and(|s| ctx.text(s).trim() == name)
    })
}

/// Whether some `x > ….name()` / `….name() < x` comparison appears in the file (a file fact:
/// comparisons elsewhere are collected once per analysis, not searched per candidate).
fn strictly_compared_call(ctx: &Context<'_>, name: &str) -> bool {
    ctx.facts().strictly_compared_call(name)
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_half_used_as_a_quorum() {
        check(
            "quorum-math",
            r#"
const QUORUM: usize = CLUSTER_SIZE / 2;
                    //^^^^^^^^^^^^^^^^ quorum-math
struct Raft { peers: Vec<u64>, voters: Vec<u64> }
impl Raft {
    fn quorum(&self) -> usize {
        self.peers.len() / 2
      //^^^^^^^^^^^^^^^^^^^^ quorum-math
    }
    fn on_vote(&mut self, votes: usize) -> bool {
        if votes >= self.voters.len() / 2 {
                  //^^^^^^^^^^^^^^^^^^^^^ quorum-math
            return true;
        }
        false
    }
    fn commit(&self, acks: usize, n: usize) -> bool {
        let write_quorum = n / 2;
                         //^^^^^ quorum-math
        acks >= write_quorum
    }
    fn cfg(&self, replicas: usize) -> Config {
        Config { quorum: replicas / 2, name: "x" }
                       //^^^^^^^^^^^^ quorum-math
    }
}
"#,
        );
    }

    #[test]
    fn silent_on_majorities_and_other_halves() {
        check(
            "quorum-math",
            r#"
const QUORUM: usize = CLUSTER_SIZE / 2 + 1;
struct Raft { peers: Vec<u64>, voters: Vec<u64> }
impl Raft {
    fn quorum(&self) -> usize { self.peers.len() / 2 + 1 }
    fn majority(&self) -> usize { (self.peers.len() / 2) + 1 }
    fn on_vote(&mut self, votes: usize) -> bool { votes > self.voters.len() / 2 }
    fn strict(&self, acks: usize, n: usize) -> bool {
        let quorum = n / 2;
        acks > quorum
    }
    fn mid(&self, lo: usize, hi: usize, items: &[u8]) -> usize {
        let half = items.len() / 2;
        let mid = lo + (hi - lo) / 2;
        if lo >= items.len() / 2 { return 0; }
        half + mid
    }
    fn width(&self, width: u32) -> u32 { width / 2 }
}
"#,
        );
    }

    #[test]
    fn fix_adds_one() {
        check_fix(
            "quorum-math",
            "Majority",
            "fn ok(votes: usize, peers: &[u8]) -> bool {\n    votes >= peers.len() / 2\n}\n",
            "fn ok(votes: usize, peers: &[u8]) -> bool {\n    votes >= peers.len() / 2 + 1\n}\n",
        );
    }

    #[test]
    fn fix_parenthesises_inside_a_cast() {
        check_fix(
            "quorum-math",
            "Majority",
            "fn quorum(nodes: usize) -> u64 {\n    let majority = (nodes / 2) as u64;\n    majority\n}\n",
            "fn quorum(nodes: usize) -> u64 {\n    let majority = (nodes / 2 + 1) as u64;\n    majority\n}\n",
        );
    }
}
