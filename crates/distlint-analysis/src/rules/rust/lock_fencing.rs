//! `lock-without-fencing-token` (category `lock-fencing`): a distributed lock whose holder writes
//! with no fencing token.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{squash, Walk};
use crate::vocabulary::rust::{
    CONSUL_FENCING_WORDS, FENCING_TOKEN_WORDS, GUARDED_WRITE_METHODS, LOCK_NAME_WORDS,
};

use super::helpers::{
    args_of, call_target, code_has, file_uses_crate, find_binding, functions, handle_name,
    method_call, name_has, own_nodes, pattern_bindings, str_lit,
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
etcd `lock(name, LockOptions…)`, and Consul session locks: rs-consul `get_lock(LockRequest { \
.. }, value)` and `create_or_update_key(CreateOrUpdateKeyRequest { acquire: &session, .. }, \
value)`, consulrs `kv::set(.., Some(SetKeyRequest::builder().acquire(session)))` (also through \
a builder variable), and the `consul` crate's `KV::acquire(&pair, opts)`. Writes recognised \
after the acquisition: `execute`, `insert*`, `update*`, `upsert`, `save`, `put`, `post`, \
`patch`, `write_all`, `set*`/`hset` on other keys, and Consul KV writes (rs-consul \
`create_or_update_key`, consulrs `kv::set`/`set_json`) that carry neither the session \
(`acquire`: Consul refuses the write once the session is gone, so it is checked like a fenced \
write) nor a `release`. A fencing token is assumed present when the function mentions \
`fence`/`fencing`, `epoch`, `generation`, `revision` or `version`, increments a counter \
(`INCR`/`incr`), mentions Consul's lock sequencer or a check-and-set (`lock_index`/`LockIndex`, \
`modify_index`/`ModifyIndex`, `check_and_set`, `.cas(..)`, `cas: Some(..)`), or uses the index \
that rs-consul returns with the acquisition (`let (ok, index) = consul.create_or_update_key(..)`, \
`index` used afterwards).",
        why: "A lock with a lease (Redis `PX`, an etcd lease) does not stop a paused holder from \
writing (Kleppmann, \"How to do distributed locking\", 2016):\n\n\
1. Worker A takes the lock with a 30 s lease and starts writing the report.\n\
2. A stops for 40 s: a GC pause, a stalled disk, a VM migration, a slow network call.\n\
3. The lease expires; worker B takes the lock and writes its version.\n\
4. A wakes up still believing it holds the lock and finishes its write over B's: the shared \
resource now mixes two writers' data, and nothing reports an error.\n\n\
A fencing token — a number that increases with every acquisition (an `INCR` counter, the etcd \
revision of the lock key, the Consul key's `LockIndex` or the index returned by the acquiring \
write) — passed with each write and checked by the storage (`WHERE \
fence_token < $1`) makes the late write from A fail instead of corrupting B's.",
        known_problems: "- Writes done in a helper called after the acquisition are not seen; \
the rule then stays silent.\n\
- The token check is by name; a variable named `version` that is not checked by the storage \
keeps the rule silent.\n\
- A `SET NX` used as a lock but with a key that does not say so (no lock/mutex/leader/lease in \
the key, the code or the function name) is not recognised, to keep idempotency markers \
(`SET processed:<id> 1 NX`) out.\n\
- Consul: a session lock is recognised only when the acquiring request is visible in the \
function (an inline request, or a `let`/builder variable of the same function); a request built \
in a helper is not. `KV::acquire` of the `consul` crate is recognised by name in files that \
use that crate (or when its argument mentions `KVPair`). The Rust corpus holds no Consul \
client code, so the Consul forms rest on fixtures written from the crates' sources \
(rs-consul 0.15, consulrs 0.1, consul 0.4), not on a precision trial.\n\
- Any use of the index rs-consul returns with the acquisition counts as a fencing token, even \
if the write does not pass it to the store.\n\
- redsync-style crates are not recognised.",
        example: "let ok: bool = redis::cmd(\"SET\").arg(\"lock:report\").arg(&me).arg(\"NX\").arg(\"PX\").arg(30_000)\n    .query_async(&mut con).await?;\nif ok {\n    sqlx::query(\"UPDATE reports SET body = $1 WHERE id = $2\").bind(&body).bind(id).execute(&pool).await?;\n}",
        use_instead: "let ok: bool = redis::cmd(\"SET\").arg(\"lock:report\").arg(&me).arg(\"NX\").arg(\"PX\").arg(30_000)\n    .query_async(&mut con).await?;\nif ok {\n    let fence: i64 = con.incr(\"lock:report:fence\", 1).await?;\n    sqlx::query(\"UPDATE reports SET body = $1, fence = $2 WHERE id = $3 AND fence < $2\")\n        .bind(&body).bind(fence).bind(id).execute(&pool).await?;\n}",
        fix: "",
    },
};

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

/// The code a Consul KV request is made of, whitespace removed and lower-cased: the call's
/// arguments, the `let` values of identifiers used in them, and calls made on those identifiers
/// before `call` in `f` (`opts.acquire(&id);` on a consulrs `SetKeyRequestBuilder`).
fn request_code(ctx: &Context<'_>, f: Node<'_>, call: Node<'_>) -> String {
    let Some(args) = call.child_by_field_name("arguments") else {
        return String::new();
    };
    let mut code = squash(ctx.text(args));
    let mut seen: Vec<&str> = Vec::new();
    for id in Walk::new(args).filter(|n| n.kind() == "identifier") {
        let name = ctx.text(id);
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if let Some(b) = find_binding(ctx.source, f, name, call.start_byte()) {
            if let Some(v) = b.child_by_field_name("value") {
                code.push_str(&squash(ctx.text(v)));
            }
        }
        for n in own_nodes(f) {
            if n.start_byte() >= call.start_byte() {
                break;
            }
            if let Some(m) = method_call(n) {
                if handle_name(ctx, m.receiver) == Some(name) {
                    code.push_str(&squash(ctx.text(n)));
                }
            }
        }
    }
    code.to_ascii_lowercase()
}

/// Whether a Consul KV request's code (see [`request_code`]) takes or re-checks the lock with a
/// session (`acquire: &session.id` in rs-consul, `.acquire(id)` in consulrs).
fn consul_acquires(code: &str) -> bool {
    code.contains("acquire:") || code.contains(".acquire(")
}

/// Whether a Consul KV request's code releases a lock (`release: &session.id`, `.release(id)`).
fn consul_releases(code: &str) -> bool {
    code.contains("release:") || code.contains(".release(")
}

/// For a plain call, `Some(true)` when it is consulrs `kv::set`/`kv::set_json` (resolved through
/// the file's imports, or written `kv::set` in a file that uses consulrs), else `None`.
fn consulrs_kv_set(ctx: &Context<'_>, call: Node<'_>) -> Option<bool> {
    let target = call_target(ctx, call)?;
    let is_set = matches!(
        target.as_str(),
        "consulrs::kv::set" | "consulrs::kv::set_json"
    ) || ((target == "kv::set" || target == "kv::set_json")
        && file_uses_crate(ctx, &["consulrs"]));
    is_set.then_some(true)
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
        if is_lock && (name_has(chain_text, LOCK_NAME_WORDS) || name_has(fname, LOCK_NAME_WORDS)) {
            return Some(call.start_byte()..top.end_byte());
        }
        return None;
    }
    if consulrs_kv_set(ctx, call).is_some() {
        // consulrs: `kv::set(&client, key, value, Some(SetKeyRequest::builder().acquire(id)))`.
        let code = request_code(ctx, f, call);
        return consul_acquires(&code).then(|| call.byte_range());
    }
    let m = method_call(call)?;
    let name = ctx.text(m.name);
    let args = args_of(m.args);
    let lockish = |a: &[Node<'_>]| {
        a.first()
            .is_some_and(|k| name_has(ctx.text(*k), LOCK_NAME_WORDS))
            || name_has(fname, LOCK_NAME_WORDS)
    };
    match name {
        "set_nx" if args.len() == 2 && lockish(&args) => Some(call.byte_range()),
        "set_options" if args.len() == 3 && ctx.text(args[2]).contains("NX") && lockish(&args) => {
            Some(call.byte_range())
        }
        "lock" if args.len() == 2 && ctx.text(args[1]).contains("LockOptions") => {
            Some(call.byte_range())
        }
        // rs-consul: `consul.get_lock(LockRequest { key, timeout, .. }, value)` creates a session
        // and acquires the key with it.
        "get_lock"
            if args.len() == 2
                && (ctx.text(args[0]).contains("LockRequest")
                    || file_uses_crate(ctx, &["rs_consul"])) =>
        {
            Some(call.byte_range())
        }
        // rs-consul: `create_or_update_key(CreateOrUpdateKeyRequest { acquire: &session, .. }, v)`.
        "create_or_update_key" | "create_or_update_key_sync"
            if args.len() == 2 && consul_acquires(&request_code(ctx, f, call)) =>
        {
            Some(call.byte_range())
        }
        // consul (0.4): `client.acquire(&KVPair { Session: Some(id), .. }, None)`.
        "acquire"
            if args.len() == 2
                && (file_uses_crate(ctx, &["consul"]) || ctx.text(args[0]).contains("KVPair")) =>
        {
            Some(call.byte_range())
        }
        _ => None,
    }
}

/// Whether `call` (after the acquisition) writes to a shared resource.
fn is_write(ctx: &Context<'_>, f: Node<'_>, call: Node<'_>) -> bool {
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
    let consul_kv = consulrs_kv_set(ctx, call).is_some()
        || method_call(call).is_some_and(|m| {
            matches!(
                ctx.text(m.name),
                "create_or_update_key" | "create_or_update_key_sync"
            )
        });
    if consul_kv {
        // A Consul write that carries the session (`acquire`) is refused by Consul once the
        // session is gone: it is checked by the store, like a fenced write. A `release` is not
        // a data write.
        let code = request_code(ctx, f, call);
        return !consul_acquires(&code) && !consul_releases(&code);
    }
    method_call(call).is_some_and(|m| {
        let n = ctx.text(m.name);
        GUARDED_WRITE_METHODS.contains(&n) && !args_of(m.args).is_empty()
    })
}

/// rs-consul: `let (acquired, index) = consul.create_or_update_key(..)` — the second binding is
/// the write's Consul index, a fencing token when it is used after the acquisition.
fn consul_index_used(ctx: &Context<'_>, f: Node<'_>, call: Node<'_>) -> bool {
    let Some(m) = method_call(call) else {
        return false;
    };
    if !matches!(
        ctx.text(m.name),
        "create_or_update_key" | "create_or_update_key_sync"
    ) {
        return false;
    }
    let Some(l) = super::helpers::outer_value(call)
        .parent()
        .filter(|p| p.kind() == "let_declaration")
    else {
        return false;
    };
    let Some(p) = l
        .child_by_field_name("pattern")
        .filter(|p| p.kind() == "tuple_pattern")
    else {
        return false;
    };
    let binds = pattern_bindings(ctx.source, p);
    let Some((index, _)) = binds.get(1).filter(|(n, _)| !n.starts_with('_')) else {
        return false;
    };
    own_nodes(f).iter().any(|n| {
        n.kind() == "identifier" && n.start_byte() >= l.end_byte() && ctx.text(*n) == index
    })
}

impl Rule for LockFencing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs an acquisition: `redis::cmd`, `set_nx`, `set_options` or `lock`.
        // Consul: `get_lock` (contains `lock`), a KV write that `acquire`s.
        &[&["cmd", "set_nx", "set_options", "lock", "acquire"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for f in functions(node) {
            let nodes = own_nodes(f);
            let Some((range, call)) = nodes
                .iter()
                .filter(|n| n.kind() == "call_expression")
                .find_map(|c| acquisition(ctx, f, *c).map(|r| (r, *c)))
            else {
                continue;
            };
            if code_has(ctx, f, FENCING_TOKEN_WORDS)
                || code_has(ctx, f, CONSUL_FENCING_WORDS)
                || consul_index_used(ctx, f, call)
            {
                continue;
            }
            let writes_after = nodes.iter().any(|n| {
                n.kind() == "call_expression" && n.start_byte() >= range.end && is_write(ctx, f, *n)
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

    #[test]
    fn flags_consul_session_locks_followed_by_unfenced_writes() {
        check(
            "lock-without-fencing-token",
            r#"
use rs_consul::{Consul, CreateOrUpdateKeyRequest, LockRequest};
async fn rebuild(consul: &Consul, pool: &PgPool) -> anyhow::Result<()> {
    let _lock = consul.get_lock(LockRequest { key: "locks/report", timeout: Duration::from_secs(10), ..Default::default() }, b"me").await?;
              //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-without-fencing-token
    sqlx::query("UPDATE reports SET body = $1").bind(build()).execute(pool).await?;
    Ok(())
}
async fn by_session(consul: &Consul, session_id: &str) -> anyhow::Result<()> {
    let req = CreateOrUpdateKeyRequest { key: "service/leader", acquire: session_id, ..Default::default() };
    let (acquired, _) = consul.create_or_update_key(req, b"me".to_vec()).await?;
                      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-without-fencing-token
    if acquired {
        let cfg = CreateOrUpdateKeyRequest { key: "service/config", ..Default::default() };
        consul.create_or_update_key(cfg, render()).await?;
    }
    Ok(())
}
"#,
        );
        check(
            "lock-without-fencing-token",
            r#"
use consulrs::api::kv::requests::SetKeyRequest;
use consulrs::client::ConsulClient;
use consulrs::kv;
async fn elect(client: &ConsulClient, session: &str, store: &Store) {
    let won = kv::set(client, "service/leader", b"me", Some(SetKeyRequest::builder().acquire(session))).await.unwrap();
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-without-fencing-token
    if won.response {
        store.put("jobs/plan", plan()).await.unwrap();
    }
}
"#,
        );
        check(
            "lock-without-fencing-token",
            r#"
use consul::kv::{KVPair, KV};
fn lead(client: &consul::Client, id: String) {
    let pair = KVPair { Key: "service/leader".into(), Session: Some(id), ..Default::default() };
    let (ok, _) = client.acquire(&pair, None).unwrap();
                //^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-without-fencing-token
    if ok {
        let data = KVPair { Key: "service/state".into(), Value: state(), ..Default::default() };
        client.put(&data, None).unwrap();
    }
}
"#,
        );
    }

    #[test]
    fn silent_on_fenced_or_session_checked_consul_writes() {
        check(
            "lock-without-fencing-token",
            r#"
use rs_consul::{Consul, CreateOrUpdateKeyRequest, LockRequest, ReadKeyRequest};
async fn lock_index_checked(consul: &Consul, pool: &PgPool) -> anyhow::Result<()> {
    let _lock = consul.get_lock(LockRequest { key: "locks/report", ..Default::default() }, b"me").await?;
    let key = consul.read_key(ReadKeyRequest { key: "locks/report", ..Default::default() }).await?;
    let token = key.response[0].lock_index;
    sqlx::query("UPDATE reports SET body = $1, token = $2 WHERE token < $2").bind(build()).bind(token).execute(pool).await?;
    Ok(())
}
async fn index_passed(consul: &Consul, session_id: &str, db: &Db) -> anyhow::Result<()> {
    let req = CreateOrUpdateKeyRequest { key: "service/leader", acquire: session_id, ..Default::default() };
    let (acquired, index) = consul.create_or_update_key(req, b"me".to_vec()).await?;
    if acquired {
        db.insert_fenced(row(), index).await?;
    }
    Ok(())
}
async fn writes_with_the_session(consul: &Consul, session_id: &str) -> anyhow::Result<()> {
    let req = CreateOrUpdateKeyRequest { key: "service/leader", acquire: session_id, ..Default::default() };
    let (acquired, _) = consul.create_or_update_key(req, b"me".to_vec()).await?;
    if acquired {
        let update = CreateOrUpdateKeyRequest { key: "service/leader", acquire: session_id, ..Default::default() };
        consul.create_or_update_key(update, b"me, still".to_vec()).await?;
        let done = CreateOrUpdateKeyRequest { key: "service/leader", release: session_id, ..Default::default() };
        consul.create_or_update_key(done, Vec::new()).await?;
    }
    Ok(())
}
async fn plain_kv_write(consul: &Consul) -> anyhow::Result<()> {
    let req = CreateOrUpdateKeyRequest { key: "service/config", ..Default::default() };
    consul.create_or_update_key(req, render()).await?;
    consul.create_or_update_key(CreateOrUpdateKeyRequest { key: "b", ..Default::default() }, v()).await?;
    Ok(())
}
"#,
        );
        check(
            "lock-without-fencing-token",
            r#"
use consulrs::api::kv::requests::SetKeyRequest;
use consulrs::client::ConsulClient;
use consulrs::kv;
async fn cas_write(client: &ConsulClient, session: &str) {
    let won = kv::set(client, "service/leader", b"me", Some(SetKeyRequest::builder().acquire(session))).await.unwrap();
    let cur = kv::read(client, "service/state", None).await.unwrap();
    kv::set(client, "service/state", b"x", Some(SetKeyRequest::builder().cas(cur.response[0].modify_index))).await.unwrap();
}
async fn builder_variable(client: &ConsulClient, session: &str) {
    let mut opts = SetKeyRequest::builder();
    opts.acquire(session);
    kv::set(client, "service/leader", b"me", Some(&mut opts)).await.unwrap();
    let mut again = SetKeyRequest::builder();
    again.acquire(session);
    kv::set(client, "service/leader", b"me, still", Some(&mut again)).await.unwrap();
}
async fn no_lock(client: &ConsulClient, db: &Db) {
    kv::set(client, "service/config", b"x", None).await.unwrap();
    db.insert(row()).await.unwrap();
}
"#,
        );
        check(
            "lock-without-fencing-token",
            r#"
use consul::kv::{KVPair, KV};
fn lead_fenced(client: &consul::Client, id: String, db: &Db) {
    let pair = KVPair { Key: "service/leader".into(), Session: Some(id), ..Default::default() };
    let (ok, _) = client.acquire(&pair, None).unwrap();
    let (current, _) = client.get("service/leader", None).unwrap();
    let seq = current.unwrap().LockIndex;
    db.insert_with_token(row(), seq).unwrap();
}
fn release_only(client: &consul::Client, id: String) {
    let pair = KVPair { Key: "service/leader".into(), Session: Some(id), ..Default::default() };
    client.acquire(&pair, None).unwrap();
    client.release(&pair, None).unwrap();
}
"#,
        );
        check(
            "lock-without-fencing-token",
            r#"
async fn pool_acquire(pool: &Pool, db: &Db, key: &str) {
    let conn = pool.acquire(key, Duration::from_secs(1)).await.unwrap();
    db.insert(row()).await.unwrap();
}
fn local_lock_table(locks: &LockTable, db: &Db, id: u64) {
    let g = locks.get_lock(&id, true);
    db.insert(row());
}
"#,
        );
    }
}
