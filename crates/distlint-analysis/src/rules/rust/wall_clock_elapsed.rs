//! `wall-clock-elapsed` (category `clock-ordering`): wall-clock time (`SystemTime::now()`,
//! `chrono::Utc::now()`) used to measure elapsed time, decide expiry, or order writes.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{rust_call_path, rust_method_call, squash, Walk};
use crate::vocabulary::rust::{EXPIRY_WORDS, ORDERING_FIELDS, WALL_CLOCK_NOW_FNS};

use super::helpers::{enclosing_fn, find_binding, is_test_code};

/// The rule.
pub struct WallClockElapsed;

/// Registered instance.
pub static RULE: WallClockElapsed = WallClockElapsed;

static META: RuleMeta = RuleMeta {
    id: "wall-clock-elapsed",
    language: Language::Rust,
    category: "clock-ordering",
    severity: Severity::Major,
    title: "Wall-clock time used for durations, expiry or ordering",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `std::time::SystemTime::now()`, `chrono::Utc::now()` and \
`chrono::Local::now()` readings used:\n\n\
- to measure elapsed time: `start.elapsed()` on a `SystemTime`, \
`SystemTime::now().duration_since(start)` / `Utc::now() - start` / \
`.signed_duration_since(start)` where `start` is another wall-clock reading in the function;\n\
- to decide expiry: compared (`<`, `>`, ...) with something named like a lease, expiry, \
deadline, TTL or timeout;\n\
- to order writes (last-write-wins): stored in a `timestamp`/`updated_at`-like field that the \
same file compares between two records.\n\n\
The finding is on the `now()` call. Readings that are only logged, displayed, serialised or \
sent as informational timestamps, and `duration_since(UNIX_EPOCH)` (a timestamp, not a \
duration) are not flagged.",
        why: "The wall clock is not monotonic: NTP steps it, an operator fixes it, a VM resumes \
from a pause, and two machines never agree exactly:\n\n\
1. A node measures a request's latency, or a lease's age, as `now - start` on the wall clock.\n\
2. NTP steps the clock back 3 s (or a VM is live-migrated): `duration_since` fails or reports \
zero, a lease looks younger than it is, so a lock holder keeps writing after its lease expired \
elsewhere — two writers.\n\
3. Stepped forward, every lease looks expired at once and all are taken over together.\n\
4. For last-write-wins, two replicas stamp writes with their own clocks; a replica whose clock \
runs 200 ms fast wins every conflict, and a later write from the other replica is silently \
discarded. Use `Instant` (monotonic) for durations and timeouts, and logical clocks, versions or \
a single sequencer for ordering.",
        known_problems: "- Expiry is recognised by names (`lease`, `expir`, `deadline`, `ttl`, \
`timeout`, `valid_until`); comparisons with other names are not flagged.\n\
- Timestamps that must be wall-clock because they cross machines (a JWT `exp`, an HTTP \
`Expires`, a TTL stored in a database) are flagged when compared with the local clock for \
expiry; if the peer and the local clock are both trusted, suppress with the reason.\n\
- Values passed to other functions are not followed.",
        example: "let start = std::time::SystemTime::now();\nlet resp = client.call().await?;\nmetrics.observe(start.elapsed().unwrap());",
        use_instead: "let start = std::time::Instant::now();\nlet resp = client.call().await?;\nmetrics.observe(start.elapsed());",
        fix: "**Use a monotonic clock** (safe) for std elapsed-time measurements whose reading does \
not escape the function: `let start = SystemTime::now();` becomes `Instant::now()` and each \
`start.elapsed().unwrap()` (or `.expect(..)`, `.unwrap_or_default()`, `?`, or \
`SystemTime::now().duration_since(start)` with those) becomes `start.elapsed()` — the same \
`Duration`. Offered only when every use of the reading is such a measurement; no fix for chrono \
or for expiry and ordering (they need a design change).",
    },
};

fn is_wall_now(ctx: &Context<'_>, call: Node<'_>) -> Option<bool> {
    let p = rust_call_path(ctx.source, call)?;
    let full = ctx.imports.resolve_rust(&p);
    WALL_CLOCK_NOW_FNS
        .contains(&full.as_str())
        .then(|| full.starts_with("std::"))
}

/// The outermost expression denoting the reading (through parentheses).
fn reading_top(call: Node<'_>) -> Node<'_> {
    let mut n = call;
    while let Some(p) = n
        .parent()
        .filter(|p| p.kind() == "parenthesized_expression")
    {
        n = p;
    }
    n
}

/// How one use of a wall-clock reading behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Use {
    /// An elapsed-time measurement; `Some(node)` when it is a std measurement the fix can
    /// rewrite to `var.elapsed()` (the node to replace).
    Elapsed(Option<(usize, usize)>),
    /// An expiry decision.
    Expiry,
    /// Anything else (logged, stored, sent).
    Other,
}

/// Climbs `.unwrap()`, `.expect(..)`, `.unwrap_or_default()` and `?` above `n`.
fn unwrapped<'t>(ctx: &Context<'_>, n: Node<'t>) -> Option<Node<'t>> {
    let p = n.parent()?;
    if p.kind() == "try_expression" {
        return Some(p);
    }
    if p.kind() == "field_expression" {
        let name = p.child_by_field_name("field")?;
        let call = p.parent().filter(|c| c.kind() == "call_expression")?;
        if matches!(ctx.text(name), "unwrap" | "expect" | "unwrap_or_default") {
            return Some(call);
        }
    }
    None
}

fn mentions_expiry(ctx: &Context<'_>, n: Node<'_>) -> bool {
    Walk::new(n).any(|x| {
        matches!(x.kind(), "identifier" | "field_identifier") && {
            let t = ctx.text(x).to_ascii_lowercase();
            EXPIRY_WORDS.iter().any(|h| t.contains(h))
        }
    })
}

/// Classifies a use of the reading at node `r` (the reading expression or a variable naming it).
/// `other_reading` tells whether a node is another wall-clock reading.
fn classify_use(ctx: &Context<'_>, r: Node<'_>, var: Option<&str>) -> Use {
    let Some(p) = r.parent() else {
        return Use::Other;
    };
    // `r.elapsed()` / `r.duration_since(x)` / `x.duration_since(r)` / `x - r`.
    if p.kind() == "field_expression"
        && p.child_by_field_name("value").map(|v| v.id()) == Some(r.id())
    {
        let name = p
            .child_by_field_name("field")
            .map(|f| ctx.text(f))
            .unwrap_or("");
        let call = p.parent().filter(|c| c.kind() == "call_expression");
        if name == "elapsed" {
            if let (Some(call), Some(v)) = (call, var) {
                let outer = unwrapped(ctx, call).unwrap_or(call);
                let _ = v;
                return Use::Elapsed(Some((outer.start_byte(), outer.end_byte())));
            }
            return Use::Elapsed(None);
        }
        if name == "duration_since" || name == "signed_duration_since" {
            let arg = call
                .and_then(|c| c.child_by_field_name("arguments"))
                .and_then(|a| a.named_child(0));
            if arg.is_some_and(|a| is_reading_expr(ctx, a)) {
                return Use::Elapsed(None);
            }
            return Use::Other;
        }
    }
    if p.kind() == "arguments" {
        // `SystemTime::now().duration_since(r)`.
        if let Some(call) = p.parent() {
            if let Some((recv, m)) = rust_method_call(call) {
                let n = ctx.text(m);
                if (n == "duration_since" || n == "signed_duration_since")
                    && is_reading_expr(ctx, recv)
                {
                    let outer = unwrapped(ctx, call).unwrap_or(call);
                    let fixable = n == "duration_since"
                        && var.is_some()
                        && outer.id() != call.id()
                        && is_std_now_call(ctx, recv);
                    return Use::Elapsed(fixable.then(|| (outer.start_byte(), outer.end_byte())));
                }
            }
        }
    }
    if p.kind() == "binary_expression" {
        let op = p
            .child_by_field_name("operator")
            .map(|o| ctx.text(o))
            .unwrap_or("");
        let left = p.child_by_field_name("left");
        let right = p.child_by_field_name("right");
        let other = if left.map(|l| l.id()) == Some(r.id()) {
            right
        } else {
            left
        };
        if op == "-" && other.is_some_and(|o| is_reading_expr(ctx, o)) {
            return Use::Elapsed(None);
        }
        if matches!(op, "<" | "<=" | ">" | ">=") && other.is_some_and(|o| mentions_expiry(ctx, o)) {
            return Use::Expiry;
        }
    }
    Use::Other
}

fn is_std_now_call(ctx: &Context<'_>, n: Node<'_>) -> bool {
    n.kind() == "call_expression" && is_wall_now(ctx, n) == Some(true)
}

/// Is `n` a wall-clock reading: a `now()` call, or a variable bound to one in this function?
fn is_reading_expr(ctx: &Context<'_>, n: Node<'_>) -> bool {
    let n = if n.kind() == "reference_expression" {
        n.named_child(0).unwrap_or(n)
    } else {
        n
    };
    if n.kind() == "call_expression" {
        return is_wall_now(ctx, n).is_some();
    }
    if n.kind() != "identifier" {
        return false;
    }
    let Some(f) = enclosing_fn(n) else {
        return false;
    };
    let Some(b) = find_binding(ctx.source, f, ctx.text(n), n.start_byte()) else {
        return false;
    };
    b.kind() == "let_declaration"
        && b.child_by_field_name("value")
            .is_some_and(|v| v.kind() == "call_expression" && is_wall_now(ctx, v).is_some())
}

/// Whether `field` is a timestamp-like field compared between two records in this file
/// (`a.updated_at > b.updated_at`): a last-write-wins order. From the file facts.
fn lww_field(ctx: &Context<'_>, field: &str) -> bool {
    ORDERING_FIELDS.contains(&field) && ctx.facts().field_compared(field)
}

impl Rule for WallClockElapsed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs the type segment of a wall-clock `now()` path.
        &[&["SystemTime", "Utc", "Local"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            let Some(is_std) = is_wall_now(ctx, call) else {
                continue;
            };
            let top = reading_top(call);
            // A direct use of the reading.
            // A direct reading inside a measurement (`Utc::now() - start`) is the measurement's
            // end; the finding goes on the start reading (the variable), once.
            let direct = match classify_use(ctx, top, None) {
                Use::Elapsed(_) => Use::Other,
                u => u,
            };
            let mut uses = vec![direct];
            let mut var_name = None;
            let mut let_decl = None;
            if let Some(l) = top.parent().filter(|p| p.kind() == "let_declaration") {
                if let Some(pat) = l
                    .child_by_field_name("pattern")
                    .filter(|p| p.kind() == "identifier")
                {
                    let name = ctx.text(pat).to_string();
                    let scope = l.parent();
                    uses.clear();
                    if let Some(scope) = scope {
                        for id in Walk::new(scope) {
                            if id.start_byte() <= l.end_byte()
                                || id.kind() != "identifier"
                                || ctx.text(id) != name
                            {
                                continue;
                            }
                            uses.push(classify_use(ctx, id, Some(&name)));
                        }
                    }
                    var_name = Some(name);
                    let_decl = Some(l);
                }
            }
            let elapsed = uses.iter().any(|u| matches!(u, Use::Elapsed(_)));
            let expiry = uses.iter().any(|u| *u == Use::Expiry);
            // Last-write-wins: stored into a field the file compares between records.
            let stored_field = stored_into_field(ctx, top);
            let lww_hit = stored_field.is_some_and(|f| lww_field(ctx, &f));
            if !elapsed && !expiry && !lww_hit {
                continue;
            }
            let message = if elapsed {
                "wall-clock time used to measure elapsed time: an NTP step or VM pause makes the duration wrong or negative; use `Instant`"
            } else if expiry {
                "wall-clock time used to decide expiry: a clock step makes a lease look valid after it expired (two holders) or expire early; use `Instant` or a fencing token"
            } else {
                "wall-clock timestamp used to order writes (last-write-wins): clock skew between nodes silently discards newer writes"
            };
            let mut f = Finding::new(&META, call.byte_range(), message);
            // The fix: every use is a std elapsed measurement the fix can rewrite.
            if is_std && elapsed && !expiry && !lww_hit {
                if let (Some(name), Some(l)) = (&var_name, let_decl) {
                    let all_fixable = !uses.is_empty()
                        && uses.iter().all(|u| matches!(u, Use::Elapsed(Some(_))))
                        && l.child_by_field_name("type").is_none();
                    if all_fixable {
                        let instant = if ctx.imports.resolve_rust("Instant") == "std::time::Instant"
                        {
                            "Instant::now()".to_string()
                        } else {
                            "std::time::Instant::now()".to_string()
                        };
                        let mut edits = vec![TextEdit::replace(call.byte_range(), instant)];
                        for u in &uses {
                            if let Use::Elapsed(Some((s, e))) = u {
                                edits.push(TextEdit::replace(*s..*e, format!("{name}.elapsed()")));
                            }
                        }
                        edits.sort_by_key(|e| e.range.start);
                        edits.dedup_by(|a, b| a.range == b.range);
                        f = f.with_fix(Fix::new(
                            "Use a monotonic clock (`Instant`)",
                            Applicability::Safe,
                            edits,
                        ));
                    }
                }
            }
            out.push(f);
        }
    }
}

/// If the reading at `top` is stored into a struct field (`T { updated_at: now(), .. }` or
/// `x.updated_at = now()`), the field name.
fn stored_into_field<'s>(ctx: &Context<'s>, top: Node<'_>) -> Option<&'s str> {
    let mut n = top;
    // Look through conversions: `.into()`, `.timestamp_millis()`, `.duration_since(UNIX_EPOCH)?.as_millis()`.
    for _ in 0..8 {
        let p = n.parent()?;
        match p.kind() {
            "field_initializer" => {
                return p.child_by_field_name("field").map(|f| ctx.text(f));
            }
            "assignment_expression" => {
                let left = p.child_by_field_name("left")?;
                if left.kind() == "field_expression" {
                    return left.child_by_field_name("field").map(|f| ctx.text(f));
                }
                return None;
            }
            "field_expression"
            | "call_expression"
            | "try_expression"
            | "arguments"
            | "type_cast_expression" => n = p,
            _ => return None,
        }
    }
    let _ = squash;
    None
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_elapsed_expiry_and_lww() {
        check(
            "wall-clock-elapsed",
            r#"
use std::time::{SystemTime, UNIX_EPOCH};
use chrono::Utc;

async fn timed(client: &Client) {
    let start = SystemTime::now();
              //^^^^^^^^^^^^^^^^^ wall-clock-elapsed
    client.call().await;
    metrics::histogram!("latency").record(start.elapsed().unwrap().as_secs_f64());
}

fn between() -> i64 {
    let t0 = Utc::now();
           //^^^^^^^^^^ wall-clock-elapsed
    work();
    (Utc::now() - t0).num_milliseconds()
}

fn lease_valid(lease: &Lease) -> bool {
    SystemTime::now() < lease.expires_at
  //^^^^^^^^^^^^^^^^^ wall-clock-elapsed
}

struct Record { value: String, updated_at: u128 }

fn stamp(v: String) -> Record {
    Record { value: v, updated_at: SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() }
                                 //^^^^^^^^^^^^^^^^^ wall-clock-elapsed
}

fn merge(a: Record, b: Record) -> Record {
    if a.updated_at >= b.updated_at { a } else { b }
}
"#,
        );
    }

    #[test]
    fn silent_on_informational_timestamps_and_instant() {
        check(
            "wall-clock-elapsed",
            r#"
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn log_it() {
    let now = SystemTime::now();
    tracing::info!(?now, "started");
    let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    send_event(Event { created: chrono::Utc::now(), ts });
    println!("{}", chrono::Local::now().format("%H:%M"));
}

async fn timed(client: &Client) {
    let start = Instant::now();
    client.call().await;
    record(start.elapsed());
}

fn is_late(t: SystemTime) -> bool {
    SystemTime::now() > t
}
"#,
        );
    }

    #[test]
    fn fix_switches_to_instant() {
        check_fix(
            "wall-clock-elapsed",
            "Use a monotonic clock",
            "use std::time::SystemTime;\nfn f() -> u128 {\n    let start = SystemTime::now();\n    work();\n    let d = SystemTime::now().duration_since(start).unwrap();\n    d.as_millis() + start.elapsed().expect(\"clock\").as_millis()\n}\n",
            "use std::time::SystemTime;\nfn f() -> u128 {\n    let start = std::time::Instant::now();\n    work();\n    let d = start.elapsed();\n    d.as_millis() + start.elapsed().as_millis()\n}\n",
        );
    }
}
