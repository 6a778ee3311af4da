//! `read-after-write-replica` (category `replication-lag`): a write to the primary followed by a
//! read from a replica in the same function.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};

use super::common::{args_of, functions, handle_name, method_call, own_nodes};

/// The rule.
pub struct ReplicationLag;

/// Registered instance.
pub static RULE: ReplicationLag = ReplicationLag;

static META: RuleMeta = RuleMeta {
    id: "read-after-write-replica",
    language: Language::Rust,
    category: "replication-lag",
    severity: Severity::Major,
    title: "Read from a replica right after writing to the primary",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a function that writes through a handle named like the primary (`primary`, \
`writer`, `master`, `leader`, `write_pool`, `rw_pool` — as the receiver or the executor argument: \
`query.execute(&self.primary)`, `writer.insert(..)`) and later reads through a handle named like \
a replica (`replica`, `reader`, `read_pool`, `ro_pool`, `follower`, `secondary`, `standby`): \
`fetch_one`, `fetch_optional`, `fetch_all`, `query_one`, `query_opt`, `get`, `find*`, `first`, \
`load`. The finding is on the read.",
        why: "Replicas apply the primary's changes asynchronously:\n\n\
1. The handler inserts the new order through the primary and commits.\n\
2. It immediately reads the order back through the replica pool to build the response.\n\
3. Under normal load the replica is 5 ms behind and the read usually works; during a batch job \
or a vacuum it is 10 s behind.\n\
4. The read returns nothing (`404 Not Found` for the order just created) or the old row (the \
user's old address on the confirmation page); clients retry the create and place the order twice.\n\n\
Read your own writes from the primary (or use the value you wrote, or wait for the replica to \
reach the write's LSN/GTID).",
        known_problems: "- Handles are recognised by name only; a replica pool named `pool2` \
is not recognised, and a variable named `reader` that is not a database handle is, if the same \
function also writes through a `writer`.\n\
- Writes and reads through helpers called from the function are not followed.\n\
- A read that deliberately tolerates staleness (an eventually consistent listing) is reported; \
suppress it with the reason.",
        example: "sqlx::query(\"INSERT INTO orders (id, total) VALUES ($1, $2)\").bind(id).bind(total)\n    .execute(&self.primary).await?;\nlet order = sqlx::query_as::<_, Order>(\"SELECT * FROM orders WHERE id = $1\").bind(id)\n    .fetch_one(&self.replica).await?;",
        use_instead: "sqlx::query(\"INSERT INTO orders (id, total) VALUES ($1, $2)\").bind(id).bind(total)\n    .execute(&self.primary).await?;\nlet order = sqlx::query_as::<_, Order>(\"SELECT * FROM orders WHERE id = $1\").bind(id)\n    .fetch_one(&self.primary).await?; // read your own write from the primary",
        fix: "",
    },
};

const PRIMARY: &[&str] = &[
    "primary",
    "writer",
    "master",
    "leader",
    "write_pool",
    "write_db",
    "rw_pool",
    "rw_db",
];
const REPLICA: &[&str] = &[
    "replica",
    "reader",
    "read_pool",
    "read_db",
    "ro_pool",
    "ro_db",
    "readonly",
    "read_only",
    "follower",
    "secondary",
    "standby",
    "slave",
];
const WRITES: &[&str] = &[
    "execute",
    "execute_many",
    "insert",
    "insert_one",
    "insert_many",
    "update",
    "update_one",
    "update_many",
    "delete",
    "delete_one",
    "delete_many",
    "upsert",
    "save",
    "exec",
    "exec_drop",
    "batch_execute",
];
const READS: &[&str] = &[
    "fetch_one",
    "fetch_optional",
    "fetch_all",
    "fetch",
    "query",
    "query_one",
    "query_opt",
    "query_row",
    "query_first",
    "exec_first",
    "get",
    "get_result",
    "get_results",
    "find",
    "find_one",
    "find_by_id",
    "first",
    "load",
    "all",
    "one",
];

fn is_role(name: &str, role: &[&str]) -> bool {
    let l = name.to_ascii_lowercase();
    role.iter().any(|r| l.contains(r))
}

/// The handles an operation goes through: its receiver and its first argument.
fn handles<'s>(ctx: &Context<'s>, m: &super::common::MethodCall<'_>) -> Vec<&'s str> {
    let mut v = Vec::new();
    if let Some(h) = handle_name(ctx, m.receiver) {
        v.push(h);
    }
    if let Some(a) = args_of(m.args).first() {
        if let Some(h) = handle_name(ctx, *a) {
            v.push(h);
        }
    }
    v
}

impl Rule for ReplicationLag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a handle named like a replica and one named like the primary.
        &[REPLICA, PRIMARY]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::common::skip_test_file(ctx) {
            return;
        }
        for f in functions(node) {
            let mut first_write: Option<usize> = None;
            for n in own_nodes(f) {
                let Some(m) = method_call(n) else { continue };
                let name = ctx.text(m.name);
                let hs = handles(ctx, &m);
                if WRITES.contains(&name) && hs.iter().any(|h| is_role(h, PRIMARY)) {
                    first_write.get_or_insert(n.end_byte());
                    continue;
                }
                if READS.contains(&name)
                    && first_write.is_some_and(|w| n.start_byte() >= w)
                    && hs.iter().any(|h| is_role(h, REPLICA))
                {
                    out.push(Finding::new(
                        &META,
                        m.name.start_byte()..n.end_byte(),
                        "read from a replica right after writing to the primary: replication lag can return the old row or nothing",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_replica_reads_after_primary_writes() {
        check(
            "read-after-write-replica",
            r#"
impl Orders {
    async fn create(&self, id: i64, total: i64) -> anyhow::Result<Order> {
        sqlx::query("INSERT INTO orders (id, total) VALUES ($1, $2)").bind(id).bind(total).execute(&self.primary).await?;
        let order = sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE id = $1").bind(id).fetch_one(&self.replica).await?;
                                                                                            //^^^^^^^^^^^^^^^^^^^^^^^^ read-after-write-replica
        Ok(order)
    }
    async fn rename(&self, writer: &tokio_postgres::Client, reader: &tokio_postgres::Client, id: i64) {
        writer.execute("UPDATE users SET name = $1 WHERE id = $2", &[&"x", &id]).await.unwrap();
        let row = reader.query_one("SELECT name FROM users WHERE id = $1", &[&id]).await.unwrap();
                       //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ read-after-write-replica
    }
}
"#,
        );
    }

    #[test]
    fn silent_when_reading_the_primary_or_reading_first() {
        check(
            "read-after-write-replica",
            r#"
impl Orders {
    async fn create(&self, id: i64) -> anyhow::Result<Order> {
        sqlx::query("INSERT INTO orders (id) VALUES ($1)").bind(id).execute(&self.primary).await?;
        let order = sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE id = $1").bind(id).fetch_one(&self.primary).await?;
        Ok(order)
    }
    async fn list_then_write(&self) {
        let rows = sqlx::query("SELECT 1").fetch_all(&self.replica).await.unwrap();
        sqlx::query("INSERT INTO audit VALUES (1)").execute(&self.primary).await.unwrap();
    }
    fn copy(mut reader: impl std::io::Read, mut writer: impl std::io::Write) {
        writer.write_all(b"x").unwrap();
        let mut buf = Vec::new();
        reader.read_to_end(&mut buf).unwrap();
    }
    async fn same_pool(&self, pool: &PgPool) {
        sqlx::query("INSERT INTO t VALUES (1)").execute(pool).await.unwrap();
        sqlx::query("SELECT 1").fetch_one(pool).await.unwrap();
    }
}
"#,
        );
    }
}
