//! `clock-ordering-go` (category `clock-ordering`): wall-clock integers from `time.Now().Unix*()`
//! used as versions, for last-write-wins, or to check lease and lock expiry.

use tree_sitter::Node;

use super::helpers::{
    arg, assigned_to, call_name, callee, enclosing_function, functions, has_word, has_word_prefix,
    is_time_now, keyed_by, own_nodes, pkg_call, uses_after,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::go::{
    EXPIRY_PREFIXES, LEASE_BODY_WORDS, LEASE_WORDS, ORDERING_WORDS, UNIX_TIME_METHODS,
    VERSION_WORDS,
};

/// The rule.
pub struct ClockOrdering;

/// Registered instance.
pub static RULE: ClockOrdering = ClockOrdering;

static META: RuleMeta = RuleMeta {
    id: "clock-ordering-go",
    language: Language::Go,
    category: "clock-ordering",
    severity: Severity::Major,
    title: "Wall-clock integer used for ordering or expiry",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `time.Now().Unix()` / `UnixNano()` / `UnixMilli()` / `UnixMicro()` values \
(directly, or through a local variable in the same function) that are:\n\
- stored as a version, revision, sequence, generation or epoch (`Version: time.Now().UnixNano()`, \
`rec.Rev = now`, `setVersion(now)`);\n\
- compared with a version, revision or `updated`/`modified` timestamp (last-write-wins);\n\
- compared with a lease, lock or leader expiry (`if now > lease.ExpiresAt`);\n\
- `time.Time` values decoded from another process's message (`json.Unmarshal(b, &evt)`) and then \
compared with the local clock in a decision: `if time.Since(evt.SentAt) > ttl`, \
`time.Now().After(lease.ExpiresAt)` (reported on the `time.Since` call or the `time.Now()` call).\n\
The finding sits on the `time.Now()` call. `time.Since`, `time.Until`, `t.Sub`, `Before`/`After` \
on `time.Time` values (which carry Go's monotonic clock reading) and timestamps that are only \
logged or stored are not reported.",
        why: "`Unix*()` strips the monotonic reading and leaves the wall clock, which differs \
between machines and jumps on one machine:\n\n\
1. Node A's clock runs 300 ms ahead of node B's (NTP keeps clocks within tens to hundreds of \
milliseconds, and a VM pause or a leap-second smear makes it worse).\n\
2. B writes `x = 2` with version `time.Now().UnixNano()`; 100 ms later A's older request writes \
`x = 1` with a version that is 200 ms *larger*.\n\
3. Last-write-wins keeps `x = 1`: the newer write is silently discarded, and every replica agrees \
on the wrong value.\n\n\
For leases the same skew breaks mutual exclusion: a holder whose clock is slow believes its \
lease is still valid after the lock service (or another node, with a faster clock) considers it \
expired and hands it out again — two writers at once. An NTP step backwards on a single machine \
does the same to locally computed expiries.",
        known_problems: "- The destination is recognised by name (`version`, `rev`, `seq`, \
`generation`, `epoch`, `lease`, `lock`, `updated`, ...); a version field called `ts` is missed.\n\
- Expiry comparisons are reported only when the expiry or its function mentions a lease, lock, \
leader or owner: token and certificate expiries (`exp` claims) are wall-clock by specification.\n\
- Decoded `time.Time` values are recognised only when the variable is filled by \
`Unmarshal*`/`Decode` in the same function; a message decoded by a caller is not followed, and \
an age recorded only as a metric or log (`latency.Observe(time.Since(evt.SentAt).Seconds())`) \
is deliberately not reported.\n\
- Variables are followed by name within one function; reassignment is not tracked.",
        example: "rec := Record{Key: k, Value: v, Version: time.Now().UnixNano()}\n\n\
if time.Now().Unix() > lease.ExpiresAt {\n\tacquire()\n}",
        use_instead: "// A version from the store (etcd ModRevision, a DB sequence, a Lamport or hybrid \
logical clock).\nrec := Record{Key: k, Value: v, Version: resp.Header.Revision}\n\n\
// Let the lock service decide expiry (etcd lease, Redis PX) and fence writes with its token;\n\
// locally, measure with the monotonic clock:\nif time.Since(acquiredAt) > leaseTTL-safetyMargin {\n\trenew()\n}",
        fix: "",
    },
};

impl Rule for ClockOrdering {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs `time.Now()`, `time.Since` or `time.Until`, and either a Unix
        // conversion of the wall clock (`UNIX_TIME_METHODS`, all starting with `Unix`) or a value
        // decoded earlier in the function (`Unmarshal*`, `Decode`).
        &[&["Now", "Since", "Until"], &["Unix", "Unmarshal", "Decode"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for now in Walk::new(node) {
            if !is_time_now(ctx, now) {
                continue;
            }
            // `time.Now().Unix()` directly, or `now := time.Now()` and later `now.Unix()`.
            let wall = unix_call(ctx, now).or_else(|| {
                let var = assigned_to(now).filter(|v| v.kind() == "identifier")?;
                let scope = enclosing_function(now).unwrap_or(node);
                uses_after(scope, ctx.source, ctx.text(var), now.end_byte())
                    .into_iter()
                    .filter(|u| *u != var)
                    .find_map(|u| unix_call(ctx, u).filter(|w| sink(ctx, *w).is_some()))
            });
            let Some(wall) = wall else {
                continue;
            };
            let method = call_name(ctx.source, wall).unwrap_or("Unix");
            // The value itself, then every use of the local variable it is stored in.
            let mut reason = sink(ctx, wall);
            if reason.is_none() {
                if let Some(var) = local_variable(ctx, wall) {
                    let scope = enclosing_function(wall).unwrap_or(node);
                    for u in uses_after(scope, ctx.source, ctx.text(var), wall.end_byte()) {
                        if u == var {
                            continue;
                        }
                        if let Some(r) = sink(ctx, u) {
                            reason = Some(format!("`{}` {r}", ctx.text(var)));
                            break;
                        }
                    }
                }
            } else {
                reason = reason.map(|r| format!("the value {r}"));
            }
            if let Some(r) = reason {
                out.push(Finding::new(
                    &META,
                    now.byte_range(),
                    format!("wall-clock `time.Now().{method}()`: {r}; clocks differ between machines and jump, so a later event can get a smaller number"),
                ));
            }
        }
        remote_time_checks(ctx, node, out);
    }
}

/// `time.Time` values decoded from another process's message and compared with the local clock
/// in a decision: `time.Since(evt.SentAt) > ttl`, `time.Now().After(lease.ExpiresAt)`,
/// `lease.ExpiresAt.Before(time.Now())`, where `evt`/`lease` was filled by `Unmarshal`/`Decode`
/// earlier in the same function.
fn remote_time_checks(ctx: &Context<'_>, unit: Node<'_>, out: &mut Vec<Finding>) {
    for func in functions(unit) {
        let nodes = own_nodes(func);
        // Variables filled by a decoder: `json.Unmarshal(b, &v)`, `dec.Decode(&v)`,
        // `proto.Unmarshal(b, msg)`.
        let mut decoded: Vec<(&str, usize)> = Vec::new();
        for n in &nodes {
            if n.kind() != "call_expression" {
                continue;
            }
            let name = call_name(ctx.source, *n).unwrap_or("");
            if !(name.starts_with("Unmarshal") || name == "Decode") {
                continue;
            }
            let Some(args) = n.child_by_field_name("arguments") else {
                continue;
            };
            let last = args.named_child(args.named_child_count().saturating_sub(1));
            let Some(mut target) = last else { continue };
            if target.kind() == "unary_expression" {
                target = match target.child_by_field_name("operand") {
                    Some(o) => o,
                    None => continue,
                };
            }
            if target.kind() == "identifier" {
                decoded.push((ctx.text(target), n.end_byte()));
            }
        }
        if decoded.is_empty() {
            continue;
        }
        let remote = |e: Node<'_>, at: usize| -> Option<String> {
            let e = super::helpers::unparen(e);
            if e.kind() != "selector_expression" {
                return None;
            }
            let mut root = e;
            while root.kind() == "selector_expression" {
                root = root.child_by_field_name("operand")?;
            }
            let var = ctx.text(root);
            decoded
                .iter()
                .any(|(d, after)| *d == var && at > *after)
                .then(|| ctx.text(e).to_string())
        };
        for n in &nodes {
            if n.kind() != "call_expression" {
                continue;
            }
            let (report, field) = match pkg_call(ctx, *n) {
                Some(("time", "Since" | "Until")) => {
                    let Some(a) = arg(*n, 0) else { continue };
                    match remote(a, n.start_byte()) {
                        Some(f) => (*n, f),
                        None => continue,
                    }
                }
                _ => {
                    // `time.Now().After(x)` or `x.Before(time.Now())`.
                    let Some((Some(recv), m)) = callee(ctx.source, *n) else {
                        continue;
                    };
                    if !matches!(m, "After" | "Before" | "Sub" | "Equal" | "Compare") {
                        continue;
                    }
                    let Some(a) = arg(*n, 0) else { continue };
                    if is_time_now(ctx, recv) {
                        match remote(a, n.start_byte()) {
                            Some(f) => (recv, f),
                            None => continue,
                        }
                    } else if is_time_now(ctx, a) {
                        match remote(recv, n.start_byte()) {
                            Some(f) => (a, f),
                            None => continue,
                        }
                    } else {
                        continue;
                    }
                }
            };
            if !in_decision(*n) {
                continue;
            }
            out.push(Finding::new(
                &META,
                report.byte_range(),
                format!("`{field}` was decoded from another process's message and is compared with this machine's clock: clock skew between the two machines shifts every such expiry or age check"),
            ));
        }
    }
}

/// True when `call` decides something: it is (part of) an `if`/`for` condition, a comparison
/// operand, or returned — not a value only logged or recorded as a metric.
fn in_decision(call: Node<'_>) -> bool {
    let mut cur = call;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "binary_expression" => {
                return true;
            }
            "if_statement" | "for_statement" => {
                return p.child_by_field_name("condition") == Some(cur);
            }
            "return_statement" => return true,
            "parenthesized_expression" | "unary_expression" | "expression_list" => cur = p,
            "call_expression" => {
                // `.Seconds()` / `.Milliseconds()` conversions of the duration keep going up.
                let is_method_of_value = p.child_by_field_name("function").is_some_and(|f| {
                    f.kind() == "selector_expression"
                        && f.child_by_field_name("operand") == Some(cur)
                });
                if is_method_of_value {
                    cur = p;
                } else {
                    return false;
                }
            }
            "selector_expression" => cur = p,
            _ => return false,
        }
    }
    false
}

/// `time.Now().Unix*()` around the `time.Now()` call `now`.
/// Also through time arithmetic that keeps a wall-clock instant: `time.Now().Add(d).Unix()`.
fn unix_call<'t>(ctx: &Context<'_>, now: Node<'t>) -> Option<Node<'t>> {
    let mut value = now;
    loop {
        let sel = value.parent()?;
        if sel.kind() != "selector_expression" {
            return None;
        }
        let field = ctx.text(sel.child_by_field_name("field")?);
        let call = sel.parent()?;
        if call.kind() != "call_expression" {
            return None;
        }
        if UNIX_TIME_METHODS.contains(&field) {
            return Some(call);
        }
        if matches!(field, "Add" | "Truncate" | "Round" | "UTC" | "Local") {
            value = call;
            continue;
        }
        return None;
    }
}

/// Climbs arithmetic (`+`, `-`, `*`, `/`), conversions (`uint64(x)`) and parentheses around `e`.
fn widen<'t>(ctx: &Context<'_>, mut e: Node<'t>) -> Node<'t> {
    while let Some(p) = e.parent() {
        match p.kind() {
            "parenthesized_expression" => e = p,
            "binary_expression" => {
                let op = p
                    .child_by_field_name("operator")
                    .map(|o| ctx.text(o))
                    .unwrap_or("");
                if matches!(op, "+" | "-" | "*" | "/") {
                    e = p;
                } else {
                    break;
                }
            }
            "argument_list" => {
                // A conversion such as `uint64(x)` or `int64(x)`: one argument, callee a type name.
                let call = match p.parent() {
                    Some(c) if c.kind() == "call_expression" => c,
                    _ => break,
                };
                let name = call_name(ctx.source, call).unwrap_or("");
                if p.named_child_count() == 1
                    && matches!(
                        name,
                        "int64" | "uint64" | "int" | "uint32" | "int32" | "float64"
                    )
                {
                    e = call;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    e
}

/// Why the wall-clock value at `at` is used for ordering or lease expiry, if it is.
fn sink(ctx: &Context<'_>, at: Node<'_>) -> Option<String> {
    let e = widen(ctx, at);
    if let Some(dest) = assigned_to(e).or_else(|| keyed_by(e)) {
        let name = ctx.text(dest);
        if has_word(name, VERSION_WORDS) {
            return Some(format!("is stored as the version `{name}`"));
        }
        return None;
    }
    let parent = e.parent()?;
    if parent.kind() == "argument_list" {
        let call = parent.parent()?;
        let name = call_name(ctx.source, call)?;
        if has_word(name, VERSION_WORDS) {
            return Some(format!("is passed as a version to `{name}`"));
        }
        return None;
    }
    if parent.kind() == "binary_expression" {
        let op = ctx.text(parent.child_by_field_name("operator")?);
        if !matches!(op, "<" | ">" | "<=" | ">=") {
            return None;
        }
        let left = parent.child_by_field_name("left")?;
        let right = parent.child_by_field_name("right")?;
        let other = if left == e { right } else { left };
        let other_text = ctx.text(other);
        if has_word(other_text, ORDERING_WORDS) {
            return Some(format!(
                "is compared with `{other_text}` to decide ordering or ownership"
            ));
        }
        if has_word_prefix(other_text, EXPIRY_PREFIXES) {
            let func = enclosing_function(parent)?;
            let name = func
                .child_by_field_name("name")
                .map(|n| ctx.text(n))
                .unwrap_or("");
            let receiver = func
                .child_by_field_name("receiver")
                .map(|r| ctx.text(r))
                .unwrap_or("");
            let body = func
                .child_by_field_name("body")
                .map(|b| ctx.text(b))
                .unwrap_or("");
            if has_word(other_text, LEASE_WORDS)
                || has_word(name, LEASE_WORDS)
                || has_word(receiver, LEASE_WORDS)
                || has_word(body, LEASE_BODY_WORDS)
            {
                return Some(format!(
                    "is compared with the lease/lock expiry `{other_text}`"
                ));
            }
        }
    }
    None
}

/// If the wall-clock value is stored in a local variable (`now := time.Now().Unix()`), that
/// variable's identifier.
fn local_variable<'t>(ctx: &Context<'_>, wall: Node<'t>) -> Option<Node<'t>> {
    let e = widen(ctx, wall);
    let dest = assigned_to(e)?;
    (dest.kind() == "identifier" && ctx.text(dest) != "_").then_some(dest)
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_versions_lww_and_lease_expiry() {
        check(
            "clock-ordering-go",
            r#"
package store

import "time"

func put(k, v string) Record {
    return Record{Key: k, Value: v, Version: time.Now().UnixNano()}
                                           //^^^^^^^^^^ clock-ordering-go
}

func (s *Store) apply(in Record) {
    now := time.Now().UnixNano()
         //^^^^^^^^^^ clock-ordering-go
    in.Rev = now
    s.put(in)
}

func (s *Store) merge(in Record) bool {
    if time.Now().Unix() > s.current.UpdatedAt {
     //^^^^^^^^^^ clock-ordering-go
        return true
    }
    return false
}

func (l *Lock) held() bool {
    now := time.Now().UnixMilli()
         //^^^^^^^^^^ clock-ordering-go
    return now < l.expiresAt
}

func tryAcquireLease(kv KV) {
    expiry := kv.Get("lease-expiry")
    if time.Now().Unix()+1 >= expiry {
     //^^^^^^^^^^ clock-ordering-go
        kv.Put("lease-holder", self)
    }
}

func (l *leaseHeap) expired(item *leaseItem) bool {
    now := time.Now()
         //^^^^^^^^^^ clock-ordering-go
    return now.UnixNano() > item.leaseExpiry
}

func grant(l *Lease) Lease {
    return Lease{Generation: time.Now().Add(l.ttl).Unix()}
                           //^^^^^^^^^^ clock-ordering-go
}

func (c *Consumer) handle(data []byte) error {
    var evt Event
    if err := json.Unmarshal(data, &evt); err != nil {
        return err
    }
    if time.Since(evt.SentAt) > c.ttl {
     //^^^^^^^^^^^^^^^^^^^^^^ clock-ordering-go
        return errExpired
    }
    var l Lease
    json.Unmarshal(c.raw, &l)
    if time.Now().After(l.ExpiresAt) {
     //^^^^^^^^^^ clock-ordering-go
        return errExpired
    }
    return nil
}

func bump(r *Row) {
    r.setVersion(uint64(time.Now().UnixNano()))
                      //^^^^^^^^^^ clock-ordering-go
}
"#,
        );
    }

    #[test]
    fn silent_on_monotonic_measurements_logging_and_token_expiry() {
        check(
            "clock-ordering-go",
            r#"
package store

import (
    "log"
    "time"
)

func work(lease *Lease) {
    start := time.Now()
    do()
    if time.Since(start) > time.Second {
        log.Printf("slow")
    }
    deadline := time.Now().Add(5 * time.Second)
    if time.Now().After(deadline) {
        return
    }
    elapsed := time.Now().Sub(start)
    log.Printf("done at %d after %v", time.Now().Unix(), elapsed)
    ts := time.Now().Unix()
    log.Printf("ts=%d", ts)
    created := Row{CreatedAt: time.Now().Unix()}
    _ = created
}

func (a *Account) checkExpiration(claims *ClaimsData) {
    a.mu.Lock()
    defer a.mu.Unlock()
    tn := time.Now().Unix()
    if claims.Expires <= tn {
        a.expired = true
    }
}

func validToken(c Claims) bool {
    return c.ExpiresAt > time.Now().Unix()
}

func (c *Cache) fresh(e entry) bool {
    return time.Now().Unix() < e.expiresAt
}

func (c *Consumer) observe(data []byte) {
    var evt Event
    json.Unmarshal(data, &evt)
    latency.Observe(time.Since(evt.SentAt).Seconds())
    log.Printf("age %v", time.Since(evt.SentAt))
    start := time.Now()
    if time.Since(start) > time.Second {
        log.Printf("slow")
    }
    if time.Since(c.lastSeen) > time.Minute {
        c.reconnect()
    }
}

type fakeClock struct{}

func (fakeClock) Now() int64 { return 0 }

func other(clock fakeClock, r Record) bool {
    return clock.Now() > r.Version
}
"#,
        );
    }

    #[test]
    fn aliased_time_import_is_followed() {
        check(
            "clock-ordering-go",
            r#"
package store

import stdtime "time"

func put(r *Record) {
    r.Version = stdtime.Now().UnixNano()
              //^^^^^^^^^^^^^ clock-ordering-go
}

func notTime(time Clock, r *Record) {
    r.Version = other.Now().UnixNano()
}
"#,
        );
    }
}
