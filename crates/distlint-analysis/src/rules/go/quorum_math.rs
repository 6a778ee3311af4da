//! `quorum-math-go` (category `quorum-math`): a majority computed as `n / 2` instead of `n / 2 + 1`.

use tree_sitter::Node;

use super::helpers::{assigned_to, enclosing_function, has_word, keyed_by, unparen};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::Walk;
use crate::vocabulary::go::{CLUSTER_SIZE_WORDS, VOTE_COUNT_WORDS};
use crate::vocabulary::QUORUM_WORDS;

/// The rule.
pub struct QuorumMath;

/// Registered instance.
pub static RULE: QuorumMath = QuorumMath;

static META: RuleMeta = RuleMeta {
    id: "quorum-math-go",
    language: Language::Go,
    category: "quorum-math",
    severity: Severity::Blocker,
    title: "Majority computed as n/2",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds Go code that takes half of a cluster size as a majority without adding one:\n\
- `quorum := len(peers) / 2` (a variable, struct field or function result whose name says \
`quorum` or `majority`);\n\
- `votes >= len(peers)/2` and its negation `votes < len(peers)/2` (a count compared with half \
of a cluster-sized value: `peers`, `members`, `nodes`, `servers`, `voters`, `replicas`, \
`cluster` — or a count named `votes`, `acks`, `granted`, `responses`).\n\
`count > n/2` is a correct strict-majority test and is not reported; neither is `n/2 + 1`.",
        why: "Integer division rounds down, so `n/2` is *at most* half of the cluster, never more:\n\n\
1. A 4-node cluster computes `quorum := 4/2` = 2.\n\
2. A network partition splits it 2 + 2. Each side sees 2 reachable nodes, which meets its quorum.\n\
3. Both sides elect a leader (or both accept a write for the same key): split brain.\n\
4. When the partition heals, one side's committed writes are overwritten or the replicated log \
diverges — acknowledged data is lost.\n\n\
With `votes >= n/2` the same happens for odd sizes: in a 5-node cluster 2 votes (`>= 5/2` = 2) \
are enough, so a 2-node minority and the 3-node majority can both decide. Two majorities must \
intersect; that needs `n/2 + 1` (or `> n/2`).",
        known_problems: "- When the counted set excludes the local node and the local vote is \
added elsewhere (`acks >= len(otherPeers)/2` with the leader counting itself), `n/2` can be \
correct for even `n`; the rule cannot see the self-vote. Suppress with a reason.\n\
- Read quorums in R + W > N schemes and \"half the nodes\" thresholds that are not majorities \
(rebalancing, gossip fan-out) are not reported unless named `quorum`/`majority` or compared with \
a vote/ack count.\n\
- A read quorum named with `read` (`quorumReads = n/2`, paired with writes at `n/2 + 1`) is not \
reported: R + W > N intersects without a majority.\n\
- `(n + 1) / 2` (a majority only for odd `n`) and `n >> 1` are not reported.",
        example: "func (r *Raft) quorumSize() int {\n\treturn len(r.peers) / 2\n}\n\n\
if votes >= len(peers)/2 {\n\tbecomeLeader()\n}",
        use_instead: "func (r *Raft) quorumSize() int {\n\treturn len(r.peers)/2 + 1\n}\n\n\
if votes >= len(peers)/2+1 {\n\tbecomeLeader()\n}",
        fix: "**Majority** (unsafe: changes how many votes or acknowledgements are required, \
which can make a cluster that relied on the wrong count unavailable with fewer nodes up): \
`n / 2` → `n/2 + 1`.",
    },
};

impl Rule for QuorumMath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `/ 2`.
        &[&["2"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        // A finding needs `/ 2` (`is_half`; the `2` possibly parenthesised): exact on a unit
        // without syntax errors (`crate::textscan`), where a `2` is everywhere but `/ 2` rare.
        if !node.has_error() && !crate::textscan::word_preceded_by(ctx.text(node), "2", b"/", b"(")
        {
            return;
        }
        for half in Walk::new(node) {
            if !is_half(ctx, half) {
                continue;
            }
            let Some(message) = majority_use(ctx, half) else {
                continue;
            };
            let fix = Fix::new(
                "Majority: require n/2 + 1",
                Applicability::Unsafe,
                vec![TextEdit::insert(half.end_byte(), " + 1")],
            );
            out.push(Finding::new(&META, half.byte_range(), message).with_fix(fix));
        }
    }
}

/// `X / 2` where `X` is not itself a sum (`(n+1)/2` is left alone).
fn is_half(ctx: &Context<'_>, node: Node<'_>) -> bool {
    if node.kind() != "binary_expression" {
        return false;
    }
    let (Some(op), Some(left), Some(right)) = (
        node.child_by_field_name("operator"),
        node.child_by_field_name("left"),
        node.child_by_field_name("right"),
    ) else {
        return false;
    };
    if ctx.text(op) != "/" || ctx.text(unparen(right)).trim() != "2" {
        return false;
    }
    let left = unparen(left);
    !matches!(
        left.kind(),
        "binary_expression" | "int_literal" | "float_literal"
    )
}

/// Why `half` is used as a majority, or `None` when it is not (or is already `+ 1`).
fn majority_use(ctx: &Context<'_>, half: Node<'_>) -> Option<String> {
    // Climb parentheses.
    let mut expr = half;
    while let Some(p) = expr.parent() {
        if p.kind() == "parenthesized_expression" {
            expr = p;
        } else {
            break;
        }
    }
    let size = ctx.text(unparen(half.child_by_field_name("left")?));
    let parent = expr.parent()?;
    if parent.kind() == "binary_expression" {
        let op = ctx.text(parent.child_by_field_name("operator")?);
        let left = parent.child_by_field_name("left")?;
        let right = parent.child_by_field_name("right")?;
        let (other, half_on_right) = if right == expr {
            (left, true)
        } else {
            (right, false)
        };
        // `>=`/`<` with the half on the right, or mirrored.
        let wrong = matches!(
            (op, half_on_right),
            (">=", true) | ("<", true) | ("<=", false) | (">", false)
        );
        if !wrong {
            return None;
        }
        let cluster = has_word(size, CLUSTER_SIZE_WORDS);
        let counted = has_word(ctx.text(other), VOTE_COUNT_WORDS);
        if !(cluster || counted) {
            return None;
        }
        return Some(format!(
            "`{} {op} {}` is reached by half of the cluster, so two disjoint halves can both decide (split brain); a majority needs `{size}/2 + 1`",
            if half_on_right { ctx.text(other) } else { ctx.text(expr) },
            if half_on_right { ctx.text(expr) } else { ctx.text(other) },
        ));
    }
    let named = assigned_to(expr)
        .or_else(|| keyed_by(expr))
        .map(|n| ctx.text(n).to_string())
        .or_else(|| returned_from(ctx, expr));
    match named {
        // A read quorum (`quorumReads = n/2` with writes at `n/2 + 1`) intersects every write
        // quorum; it is not a majority.
        Some(name) if has_word(&name, QUORUM_WORDS) && !has_word(&name, &["read", "reads"]) => Some(format!(
            "`{name}` = `{}` is half the cluster, not a majority: with an even size two disjoint halves both reach it (split brain); use `{size}/2 + 1`",
            ctx.text(expr)
        )),
        _ => None,
    }
}

/// For `return expr` (the only result), the enclosing function's name.
fn returned_from(ctx: &Context<'_>, expr: Node<'_>) -> Option<String> {
    let list = expr.parent()?;
    let ret = if list.kind() == "expression_list" {
        if list.named_child_count() != 1 {
            return None;
        }
        list.parent()?
    } else {
        list
    };
    if ret.kind() != "return_statement" {
        return None;
    }
    let func = enclosing_function(ret)?;
    let name = func.child_by_field_name("name")?;
    Some(ctx.text(name).to_string())
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_half_used_as_majority() {
        check(
            "quorum-math-go",
            r#"
package raft

func (r *Raft) quorumSize() int {
	return len(r.peers) / 2
      //^^^^^^^^^^^^^^^^ quorum-math-go
}

func elect(peers []string, votes int) bool {
	quorum := len(peers) / 2
         //^^^^^^^^^^^^^^ quorum-math-go
	if votes >= len(peers)/2 {
           //^^^^^^^^^^^^ quorum-math-go
		return true
	}
	if acks < (n / 2) {
          //^^^^^ quorum-math-go
		return false
	}
	cfg := Config{Majority: clusterSize / 2}
                       //^^^^^^^^^^^^^^^ quorum-math-go
	return votes >= quorum
}
"#,
        );
    }

    #[test]
    fn silent_on_correct_majorities_and_other_halves() {
        check(
            "quorum-math-go",
            r#"
package raft

func (r *Raft) quorumSize() int {
	return len(r.peers)/2 + 1
}

func ok(peers []string, votes, n int) bool {
	quorum := len(peers)/2 + 1
	majority := (len(peers) / 2) + 1
	if votes > len(peers)/2 {
		return true
	}
	mid := len(items) / 2
	half := width / 2
	if len(buf) >= cap(buf)/2 {
		grow()
	}
	if offset >= size/2 {
		return false
	}
	fanout := len(members) / 2
	odd := (n + 1) / 2
	return votes >= quorum
}

func middle(xs []int) int {
	return len(xs) / 2
}
"#,
        );
    }

    #[test]
    fn fix_adds_one() {
        check_fix(
            "quorum-math-go",
            "Majority",
            "package raft\n\nfunc q(peers []string) int {\n\tquorum := len(peers) / 2\n\treturn quorum\n}\n",
            "package raft\n\nfunc q(peers []string) int {\n\tquorum := len(peers) / 2 + 1\n\treturn quorum\n}\n",
        );
        check_fix(
            "quorum-math-go",
            "Majority",
            "package raft\n\nfunc won(peers []string, votes int) bool {\n\treturn votes >= len(peers)/2\n}\n",
            "package raft\n\nfunc won(peers []string, votes int) bool {\n\treturn votes >= len(peers)/2 + 1\n}\n",
        );
    }
}
