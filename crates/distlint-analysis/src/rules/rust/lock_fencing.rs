//! `lock-without-fencing-token` (category `lock-fencing`): a distributed lock whose holder writes
//! with no fencing token.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};

use super::common::{
    args_of, call_target, code_has, functions, method_call, name_has, own_nodes, str_lit,
};

/// The rule.
pub struct LockFencing;

/// Registered instance.
pub static RULE: LockFencing = LockFencing;

static META: RuleMeta = RuleMeta {
    id: "lock-without-fencing-token",
    language: Language::Rust,
    category: "lock-fencing",
    severity: Severity::Blocker,
    title: "Distributed lock without a fencing token",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a distributed lock acquired in a function that then writes to a shared \
resource, when nothing in the function looks like a fencing token. Locks recognised: Redis \
`redis::cmd(\"SET\")…arg(\"NX\")…` and `redis::cmd(\"SETNX\")`, `set_nx(..)`, `set_options(.., \
SetOptions…NX…)` (when the key, the code or the function name says lock, mutex, leader or lease), \
and etcd `lock(name, LockOptions…)`. Writes recognised after the acquisition: `execute`, \
`insert*`, `update*`, `upsert`, `save`, `put`, `post`, `patch`, `write_all`, `set*`/`hset` on \
other keys. A fencing token is assumed present when the function mentions `fence`/`fencing`, \
`epoch`, `generation`, `revision` or `version`, or increments a counter (`INCR`/`incr`).",
        why: "A lock with a lease (Redis `PX`, an etcd lease) does not stop a paused holder from \
writing (Kleppmann, \"How to do distributed locking\", 2016):\n\n\
1. Worker A takes the lock with a 30 s lease and starts writing the report.\n\
2. A stops for 40 s: a GC pause, a stalled disk, a VM migration, a slow network call.\n\
3. The lease expires; worker B takes the lock and writes its version.\n\
4. A wakes up still believing it holds the lock and finishes its write over B's: the shared \
resource now mixes two writers' data, and nothing reports an error.\n\n\
A fencing token — a number that increases with every acquisition (an `INCR` counter, the etcd \
revision of the lock key) — passed with each write and checked by the storage (`WHERE \
fence_token < $1`) makes the late write from A fail instead of corrupting B's.",
        known_problems: "- Writes done in a helper called after the acquisition are not seen; \
the rule then stays silent.\n\
- The token check is by name; a variable named `version` that is not checked by the storage \
keeps the rule silent.\n\
- A `SET NX` used as a lock but with a key that does not say so (no lock/mutex/leader/lease in \
the key, the code or the function name) is not recognised, to keep idempotency markers \
(`SET processed:<id> 1 NX`) out.\n\
- Consul sessions and redsync-style crates are not recognised.",
        example: "let ok: bool = redis::cmd(\"SET\").arg(\"lock:report\").arg(&me).arg(\"NX\").arg(\"PX\").arg(30_000)\n    .query_async(&mut con).await?;\nif ok {\n    sqlx::query(\"UPDATE reports SET body = $1 WHERE id = $2\").bind(&body).bind(id).execute(&pool).await?;\n}",
        use_instead: "let ok: bool = redis::cmd(\"SET\").arg(\"lock:report\").arg(&me).arg(\"NX\").arg(\"PX\").arg(30_000)\n    .query_async(&mut con).await?;\nif ok {\n    let fence: i64 = con.incr(\"lock:report:fence\", 1).await?;\n    sqlx::query(\"UPDATE reports SET body = $1, fence = $2 WHERE id = $3 AND fence < $2\")\n        .bind(&body).bind(fence).bind(id).execute(&pool).await?;\n}",
        fix: "",
    },
};

const LOCKISH: &[&str] = &["lock", "mutex", "leader", "lease"];
const TOKENISH: &[&str] = &[
    "fenc",
    "epoch",
    "generation",
    "revision",
    "version",
    "\"incr\"",
    ".incr(",
    "incr_by",
];
const WRITES: &[&str] = &[
    "execute",
    "insert",
    "insert_one",
    "insert_many",
    "update",
    "update_one",
    "update_many",
    "upsert",
    "save",
    "put",
    "post",
    "patch",
    "write_all",
    "set",
    "set_ex",
    "hset",
    "hset_multiple",
    "put_object",
];

/// The outermost call of the method chain that `call` starts (through `.await` and `?`).
fn chain_top(call: Node<'_>) -> Node<'_> {
    let mut n = call;
    loop {
        let Some(p) = n.parent() else { return n };
        match p.kind() {
            "await_expression" | "try_expression" => n = p,
            "field_expression" if p.child_by_field_name("value") == Some(n) => match p.parent() {
                Some(c) if c.kind() == "call_expression" => n = c,
                _ => return n,
            },
            _ => return n,
        }
    }
}

/// If `call` acquires a lock, the byte range to report.
fn acquisition(ctx: &Context<'_>, f: Node<'_>, call: Node<'_>) -> Option<std::ops::Range<usize>> {
    let fname = f
        .child_by_field_name("name")
        .map(|n| ctx.text(n))
        .unwrap_or("");
    if call_target(ctx, call).as_deref() == Some("redis::cmd") {
        let args = call.child_by_field_name("arguments").map(args_of)?;
        let cmd = str_lit(ctx, *args.first()?)?.to_ascii_uppercase();
        let top = chain_top(call);
        let chain_text = ctx.text(top);
        let nx = chain_text.contains("\"NX\"") || chain_text.contains("\"nx\"");
        let is_lock = (cmd == "SET" && nx) || cmd == "SETNX";
        if is_lock && (name_has(chain_text, LOCKISH) || name_has(fname, LOCKISH)) {
            return Some(call.start_byte()..top.end_byte());
        }
        return None;
    }
    let m = method_call(call)?;
    let name = ctx.text(m.name);
    let args = args_of(m.args);
    let lockish = |a: &[Node<'_>]| {
        a.first().is_some_and(|k| name_has(ctx.text(*k), LOCKISH)) || name_has(fname, LOCKISH)
    };
    match name {
        "set_nx" if args.len() == 2 && lockish(&args) => Some(call.byte_range()),
        "set_options" if args.len() == 3 && ctx.text(args[2]).contains("NX") && lockish(&args) => {
            Some(call.byte_range())
        }
        "lock" if args.len() == 2 && ctx.text(args[1]).contains("LockOptions") => {
            Some(call.byte_range())
        }
        _ => None,
    }
}

/// Whether `call` (after the acquisition) writes to a shared resource.
fn is_write(ctx: &Context<'_>, call: Node<'_>) -> bool {
    if call_target(ctx, call).as_deref() == Some("redis::cmd") {
        let cmd = call
            .child_by_field_name("arguments")
            .map(args_of)
            .and_then(|a| a.first().and_then(|x| str_lit(ctx, *x)))
            .unwrap_or("")
            .to_ascii_uppercase();
        return matches!(cmd.as_str(), "SET" | "HSET" | "LPUSH" | "RPUSH" | "XADD")
            && !ctx.text(chain_top(call)).contains("\"NX\"");
    }
    method_call(call).is_some_and(|m| {
        let n = ctx.text(m.name);
        WRITES.contains(&n) && !args_of(m.args).is_empty()
    })
}

impl Rule for LockFencing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs an acquisition: `redis::cmd`, `set_nx`, `set_options` or `lock`.
        &[&["cmd", "set_nx", "set_options", "lock"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::common::skip_test_file(ctx) {
            return;
        }
        for f in functions(node) {
            let nodes = own_nodes(f);
            let Some((range, _)) = nodes
                .iter()
                .filter(|n| n.kind() == "call_expression")
                .find_map(|c| acquisition(ctx, f, *c).map(|r| (r, *c)))
            else {
                continue;
            };
            if code_has(ctx, f, TOKENISH) {
                continue;
            }
            let writes_after = nodes.iter().any(|n| {
                n.kind() == "call_expression" && n.start_byte() >= range.end && is_write(ctx, *n)
            });
            if writes_after {
                out.push(Finding::new(
                    &META,
                    range,
                    "lock acquired without a fencing token: a holder paused past its lease still writes over the next holder's data",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_redis_and_etcd_locks_followed_by_unfenced_writes() {
        check(
            "lock-without-fencing-token",
            r#"
use redis::AsyncCommands;
async fn rebuild_report(con: &mut redis::aio::MultiplexedConnection, pool: &PgPool, me: &str) -> anyhow::Result<()> {
    let ok: bool = redis::cmd("SET").arg("lock:report").arg(me).arg("NX").arg("PX").arg(30_000).query_async(con).await?;
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-without-fencing-token
    if ok {
        sqlx::query("UPDATE reports SET body = $1").bind(build()).execute(pool).await?;
    }
    Ok(())
}
async fn with_set_nx(con: &mut Conn, store: &Store) {
    if con.set_nx("lock:invoice:42", "me").await.unwrap() {
     //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-without-fencing-token
        store.put("invoice/42", body).await.unwrap();
    }
}
async fn with_etcd(client: &mut etcd_client::Client, db: &Db) {
    let lease = client.lease_grant(10, None).await.unwrap();
    let resp = client.lock("jobs", Some(LockOptions::new().with_lease(lease.id()))).await.unwrap();
             //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-without-fencing-token
    db.insert(job_row()).await.unwrap();
}
"#,
        );
    }

    #[test]
    fn silent_with_fencing_tokens_and_non_locks() {
        check(
            "lock-without-fencing-token",
            r#"
async fn fenced(con: &mut Conn, pool: &PgPool) -> anyhow::Result<()> {
    let ok: bool = redis::cmd("SET").arg("lock:report").arg("me").arg("NX").arg("PX").arg(30_000).query_async(con).await?;
    if ok {
        let fence: i64 = con.incr("lock:report:fence", 1).await?;
        sqlx::query("UPDATE reports SET body = $1, fence = $2 WHERE fence < $2").bind(b).bind(fence).execute(pool).await?;
    }
    Ok(())
}
async fn etcd_revision(client: &mut Client, db: &Db) {
    let resp = client.lock("jobs", Some(LockOptions::new())).await.unwrap();
    let revision = resp.header().unwrap().revision();
    db.insert_fenced(job_row(), revision).await.unwrap();
    db.insert(job_row()).await.unwrap();
}
async fn dedup_marker(con: &mut Conn, db: &Db, id: &str) {
    let first: bool = redis::cmd("SET").arg(format!("processed:{id}")).arg(1).arg("NX").arg("EX").arg(86400).query_async(con).await.unwrap();
    if first { db.insert(row()).await.unwrap(); }
}
async fn try_lock_only(con: &mut Conn) -> bool {
    redis::cmd("SET").arg("lock:x").arg("me").arg("NX").arg("PX").arg(1000).query_async(con).await.unwrap()
}
fn local_mutex(m: &std::sync::Mutex<Vec<u8>>, db: &Db) {
    let g = m.lock().unwrap();
    db.insert(g.clone());
}
"#,
        );
    }
}
