//! `unbounded-channel` (category `unbounded-queue`): channels created without a capacity.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{rust_call_path, Walk};

/// The rule.
pub struct UnboundedChannel;

/// Registered instance.
pub static RULE: UnboundedChannel = UnboundedChannel;

static META: RuleMeta = RuleMeta {
    id: "unbounded-channel",
    language: Language::Rust,
    category: "unbounded-queue",
    severity: Severity::Major,
    title: "Unbounded channel",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds channels created without a capacity: `tokio::sync::mpsc::unbounded_channel`, \
`std::sync::mpsc::channel`, `crossbeam_channel::unbounded`, `flume::unbounded`, \
`async_channel::unbounded` and `futures::channel::mpsc::unbounded`, however the path is imported \
(`use tokio::sync::mpsc;` then `mpsc::unbounded_channel()`, or the function imported by name).",
        why: "An unbounded channel turns a slow consumer into unbounded memory growth instead of \
back-pressure:\n\n\
1. A producer (an HTTP handler, a Kafka poller) pushes a message per request into the channel.\n\
2. The consumer slows down: its database is degraded, or a downstream call now takes 2 s.\n\
3. `send` never waits, so producers keep accepting work at full rate; the queue grows by \
thousands of messages a second.\n\
4. Memory climbs for minutes, latency of every queued message grows with the queue, and the \
process is OOM-killed, losing every message still in the queue. On restart the backlog that \
upstream retries built up arrives at once and the cycle repeats.\n\n\
A bounded channel makes producers wait (or fail fast with `try_send`) when the consumer falls \
behind, so overload shows up as latency or shed load at the edge instead of a crash.",
        known_problems: "- A channel whose producer is itself bounded (a fixed set of tasks that \
each send once, a channel used as a one-shot signal) cannot grow without limit; suppress with a reason.\n\
- Aliased re-exports from other crates (`my_crate::channel()` wrapping `unbounded_channel`) are not followed.\n\
- `use` declarations are collected file-wide, so a `use` inside one function is treated as visible in all of them.",
        example: "use tokio::sync::mpsc;\n\nlet (tx, mut rx) = mpsc::unbounded_channel::<Job>();",
        use_instead: "use tokio::sync::mpsc;\n\n// Producers wait when 1024 jobs are queued.\nlet (tx, mut rx) = mpsc::channel::<Job>(1024);",
        fix: "**Bound this channel** (unsafe: adds back-pressure, so senders now wait or fail when \
the channel is full). For `std::sync::mpsc::channel()` → `sync_channel(N)`, and \
crossbeam/flume/async-channel `unbounded()` → `bounded(N)`, where the swap is like for like. \
N is the configured channel capacity (default 1024).",
    },
};

/// Which library created the channel; decides the bounded replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// `tokio::sync::mpsc::unbounded_channel`
    Tokio,
    /// `std::sync::mpsc::channel`
    Std,
    /// `crossbeam_channel::unbounded`
    Crossbeam,
    /// `flume::unbounded`
    Flume,
    /// `async_channel::unbounded`
    AsyncChannel,
    /// `futures::channel::mpsc::unbounded`
    Futures,
}

/// Full paths of unbounded constructors and their bounded counterparts (same module).
const CONSTRUCTORS: &[(&str, ChannelKind, &str)] = &[
    (
        "tokio::sync::mpsc::unbounded_channel",
        ChannelKind::Tokio,
        "channel",
    ),
    ("std::sync::mpsc::channel", ChannelKind::Std, "sync_channel"),
    (
        "crossbeam_channel::unbounded",
        ChannelKind::Crossbeam,
        "bounded",
    ),
    (
        "crossbeam::channel::unbounded",
        ChannelKind::Crossbeam,
        "bounded",
    ),
    ("flume::unbounded", ChannelKind::Flume, "bounded"),
    (
        "async_channel::unbounded",
        ChannelKind::AsyncChannel,
        "bounded",
    ),
    (
        "futures::channel::mpsc::unbounded",
        ChannelKind::Futures,
        "channel",
    ),
    (
        "futures_channel::mpsc::unbounded",
        ChannelKind::Futures,
        "channel",
    ),
];

/// If `call` creates an unbounded channel, its kind, full path and bounded counterpart's name.
pub fn unbounded_constructor(
    ctx: &Context<'_>,
    call: Node<'_>,
) -> Option<(ChannelKind, &'static str, &'static str)> {
    let path = rust_call_path(ctx.source, call)?;
    let full = ctx.imports.resolve_rust(&path);
    CONSTRUCTORS
        .iter()
        .find(|(p, _, _)| *p == full)
        .map(|(p, k, b)| (*k, *p, *b))
}

impl Rule for UnboundedChannel {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            let Some((kind, full, bounded)) = unbounded_constructor(ctx, call) else {
                continue;
            };
            let message = match kind {
                ChannelKind::Std => "unbounded `std::sync::mpsc::channel`: a slow receiver lets the queue grow until the process runs out of memory",
                _ => "unbounded channel: a slow consumer lets the queue grow until the process runs out of memory",
            };
            let mut finding = Finding::new(&META, call.byte_range(), message);
            if let Some(fix) = like_for_like_fix(ctx, call, kind, full, bounded) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
    }
}

/// The constructor swap for kinds whose bounded form has the same sender/receiver types
/// (crossbeam, flume, async-channel) or differs only in the sender's name (std `SyncSender`).
fn like_for_like_fix(
    ctx: &Context<'_>,
    call: Node<'_>,
    kind: ChannelKind,
    full: &str,
    bounded: &str,
) -> Option<Fix> {
    if matches!(kind, ChannelKind::Tokio | ChannelKind::Futures) {
        return None;
    }
    let mut callee = call.child_by_field_name("function")?;
    if callee.kind() == "generic_function" {
        callee = callee.child_by_field_name("function")?;
    }
    let args = call.child_by_field_name("arguments")?;
    if ctx
        .text(args)
        .chars()
        .any(|c| !c.is_whitespace() && c != '(' && c != ')')
    {
        return None;
    }
    let cap = ctx.config.fix.channel_capacity;
    let name_edit = match callee.kind() {
        // `mpsc::channel` / `flume::unbounded`: swap the last segment only.
        "scoped_identifier" => {
            let name = callee.child_by_field_name("name")?;
            TextEdit::replace(name.byte_range(), bounded)
        }
        // A bare imported name: spell out the full path of the bounded form (no new import needed).
        _ => {
            let module = full.rsplit_once("::")?.0;
            TextEdit::replace(callee.byte_range(), format!("{module}::{bounded}"))
        }
    };
    let args_edit = TextEdit::replace(args.byte_range(), format!("({cap})"));
    Some(Fix::new(
        format!("Bound this channel (capacity {cap})"),
        Applicability::Unsafe,
        vec![name_edit, args_edit],
    ))
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_every_unbounded_constructor_however_imported() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::mpsc;
use flume::unbounded;

async fn run() {
    let (tx, rx) = mpsc::unbounded_channel::<u64>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (a, b) = tokio::sync::mpsc::unbounded_channel();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (c, d) = std::sync::mpsc::channel::<String>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (e, f) = crossbeam_channel::unbounded();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (g, h) = unbounded::<u8>();
               //^^^^^^^^^^^^^^^^^ unbounded-channel
    let (i, j) = async_channel::unbounded();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (k, l) = futures::channel::mpsc::unbounded::<u8>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
}
"#,
        );
    }

    #[test]
    fn function_imported_by_name_is_the_same_call() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::mpsc::unbounded_channel;
fn spawn_worker() {
    let (tx, rx) = unbounded_channel::<u64>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
}
"#,
        );
    }

    #[test]
    fn silent_on_bounded_forms_and_look_alikes() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::mpsc;
mod queue { pub fn unbounded() {} }
fn unbounded_channel() -> u8 { 0 }

async fn run() {
    let (tx, rx) = mpsc::channel::<u64>(1024);
    let (a, b) = std::sync::mpsc::sync_channel::<u8>(16);
    let (c, d) = crossbeam_channel::bounded(8);
    let (e, f) = flume::bounded(8);
    let (g, h) = async_channel::bounded(8);
    let (i, j) = futures::channel::mpsc::channel::<u8>(8);
    let x = unbounded_channel();
    queue::unbounded();
    let (o, p) = tokio::sync::oneshot::channel::<u8>();
    let (q, r) = tokio::sync::broadcast::channel::<u8>(16);
}
"#,
        );
    }

    #[test]
    fn tokio_channel_is_bounded_but_std_channel_is_not() {
        check(
            "unbounded-channel",
            r#"
mod a {
    use tokio::sync::mpsc;
    fn f() { let (tx, rx) = mpsc::channel::<u8>(8); }
}
fn g() {
    use std::sync::mpsc as smpsc;
    let (tx, rx) = smpsc::channel::<u8>();
                 //^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
}
"#,
        );
    }

    #[test]
    fn test_code_is_skipped_by_default() {
        check(
            "unbounded-channel",
            r#"
#[cfg(test)]
mod tests {
    #[test]
    fn t() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>(); }
}
#[tokio::test]
async fn t2() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>(); }
"#,
        );
    }

    #[test]
    fn suppression_comment_on_line_above_or_same_line() {
        check(
            "unbounded-channel",
            r#"
fn f() {
    // distlint:ignore unbounded-channel one message per worker, fixed worker count
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    let (a, b) = std::sync::mpsc::channel::<u8>(); // distlint:ignore unbounded-channel shutdown signal only
    let (c, d) = std::sync::mpsc::channel::<u8>(); // distlint:ignore some-other-rule reason
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
}
"#,
        );
    }

    #[test]
    fn syntax_errors_elsewhere_do_not_hide_findings() {
        check(
            "unbounded-channel",
            r#"
fn broken( {
    let = ;
}
fn ok() {
    let (tx, rx) = flume::unbounded::<u8>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
}
"#,
        );
    }

    #[test]
    fn fix_swaps_std_channel_for_sync_channel() {
        check_fix(
            "unbounded-channel",
            "Bound this channel",
            "use std::sync::mpsc;\nfn f() {\n    let (tx, rx) = mpsc::channel::<u8>();\n}\n",
            "use std::sync::mpsc;\nfn f() {\n    let (tx, rx) = mpsc::sync_channel::<u8>(1024);\n}\n",
        );
    }

    #[test]
    fn fix_spells_out_path_for_bare_imported_name() {
        check_fix(
            "unbounded-channel",
            "Bound this channel",
            "use crossbeam_channel::unbounded;\nfn f() {\n    let (tx, rx) = unbounded::<u8>();\n}\n",
            "use crossbeam_channel::unbounded;\nfn f() {\n    let (tx, rx) = crossbeam_channel::bounded::<u8>(1024);\n}\n",
        );
    }
}
