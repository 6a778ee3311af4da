//! `replication-lag-go` (category `replication-lag`): a write through a primary database handle
//! followed, in the same function, by a read through a replica handle.

use tree_sitter::Node;

use super::helpers::{arg, callee, functions, has_word, own_nodes};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::vocabulary::go::{
    DB_NAME_WORDS, DB_READ_METHODS, DB_WRITE_METHODS, PRIMARY_STRONG, PRIMARY_WEAK, REPLICA_STRONG,
    REPLICA_WEAK,
};

/// The rule.
pub struct ReplicationLag;

/// Registered instance.
pub static RULE: ReplicationLag = ReplicationLag;

static META: RuleMeta = RuleMeta {
    id: "replication-lag-go",
    language: Language::Go,
    category: "replication-lag",
    severity: Severity::Major,
    title: "Read from a replica right after writing to the primary",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a function that writes through a primary database handle (`Exec`, \
`ExecContext`, `NamedExec`, `Begin`/`BeginTx`, or a `Query*` whose SQL starts with \
`INSERT`/`UPDATE`/`DELETE`) and afterwards reads (`Query*`, `QueryRow*`, sqlx `Get`/`Select`) \
through a replica handle. Handles are recognised by name: `primary`, `master`, `leader` (or \
`writer`/`write`/`rw` next to `db`/`sql`/`conn`/`pool`) for writes; `replica`, `slave`, \
`secondary`, `follower`, `standby` (or `reader`/`read`/`ro` next to `db`/`sql`/`conn`/`pool`) \
for reads. The finding sits on the replica read.",
        why: "Replicas apply the primary's changes asynchronously, typically tens of \
milliseconds behind and seconds to minutes behind under load or during a long migration:\n\n\
1. `CreateOrder` inserts the order through `primaryDB` and commits.\n\
2. It then loads the order back (to render the response, or to compute a total) through \
`replicaDB`.\n\
3. The replica has not applied the insert yet: the query returns `sql.ErrNoRows` or the old \
row.\n\
4. The handler answers 404 or stale data for a write it just acknowledged; clients retry the \
create (a duplicate order) or act on the old state.\n\n\
The bug only appears under replication lag, so it passes every test against a single database.",
        known_problems: "- Handles are recognised by name only; a replica pool called `db2` is \
missed, and a struct whose `reader` field is not a database would need `db`/`sql`/`conn`/`pool` \
in its name to be reported.\n\
- A read that deliberately tolerates staleness (a list page after an unrelated write) is \
reported too; suppress with a reason.\n\
- Read-your-writes mechanisms outside the function (a proxy that pins a session to the primary \
after a write, `synchronous_commit = remote_apply`) are not visible.",
        example: "func (s *Store) CreateOrder(ctx context.Context, o Order) (Order, error) {\n\
\tif _, err := s.primary.ExecContext(ctx, `INSERT INTO orders (id, total) VALUES ($1, $2)`, o.ID, o.Total); err != nil {\n\
\t\treturn Order{}, err\n\t}\n\
\trow := s.replica.QueryRowContext(ctx, `SELECT id, total, created_at FROM orders WHERE id = $1`, o.ID)\n\
\treturn scanOrder(row)\n}",
        use_instead: "func (s *Store) CreateOrder(ctx context.Context, o Order) (Order, error) {\n\
\t// Read your own write from the primary (or use INSERT ... RETURNING).\n\
\trow := s.primary.QueryRowContext(ctx, `INSERT INTO orders (id, total) VALUES ($1, $2) RETURNING id, total, created_at`, o.ID, o.Total)\n\
\treturn scanOrder(row)\n}",
        fix: "",
    },
};

fn role(recv: &str, strong: &[&str], weak: &[&str]) -> bool {
    has_word(recv, strong) || (has_word(recv, weak) && has_word(recv, DB_NAME_WORDS))
}

/// The first argument that is a string literal, trimmed and upper-cased (the SQL text).
fn sql_text(ctx: &Context<'_>, call: Node<'_>) -> Option<String> {
    (0..3).filter_map(|i| arg(call, i)).find_map(|a| {
        matches!(
            a.kind(),
            "interpreted_string_literal" | "raw_string_literal"
        )
        .then(|| {
            ctx.text(a)
                .trim_matches(|c| c == '"' || c == '`')
                .trim_start()
                .to_ascii_uppercase()
        })
    })
}

fn is_write_sql(sql: &str) -> bool {
    ["INSERT", "UPDATE", "DELETE", "UPSERT", "MERGE", "REPLACE"]
        .iter()
        .any(|k| sql.starts_with(k))
}

impl Rule for ReplicationLag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a read method (`DB_READ_METHODS`) and, before it, a write through a
        // receiver with a primary word (`PRIMARY_STRONG` or `PRIMARY_WEAK`: a lower-cased
        // word of the receiver's text, so that text contains it ASCII case-insensitively).
        &[
            DB_READ_METHODS,
            &["primary", "master", "leader", "writer", "write", "rw"],
        ]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for func in functions(node) {
            let mut write: Option<(Node<'_>, String)> = None;
            for call in own_nodes(func) {
                if call.kind() != "call_expression" {
                    continue;
                }
                let Some((Some(recv), name)) = callee(ctx.source, call) else {
                    continue;
                };
                let recv_text = ctx.text(recv);
                let sql = sql_text(ctx, call);
                let writes = DB_WRITE_METHODS.contains(&name)
                    || (DB_READ_METHODS.contains(&name)
                        && sql.as_deref().is_some_and(is_write_sql));
                if writes && role(recv_text, PRIMARY_STRONG, PRIMARY_WEAK) {
                    if write.is_none() {
                        write = Some((call, recv_text.to_string()));
                    }
                    continue;
                }
                let reads =
                    DB_READ_METHODS.contains(&name) && !sql.as_deref().is_some_and(is_write_sql);
                if !reads || !role(recv_text, REPLICA_STRONG, REPLICA_WEAK) {
                    continue;
                }
                if let Some((_, primary)) = &write {
                    if primary == recv_text {
                        continue;
                    }
                    out.push(Finding::new(
                        &META,
                        call.byte_range(),
                        format!("read through replica `{recv_text}` after writing through `{primary}` in the same function: under replication lag it misses the write it follows"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rule::Rule;
    use crate::testing::check;

    /// The prefilter's second group must hold every primary word, or a receiver named with a
    /// word missing from it would be skipped.
    #[test]
    fn literals_cover_every_primary_word() {
        let groups = super::RULE.literals();
        for w in super::PRIMARY_STRONG.iter().chain(super::PRIMARY_WEAK) {
            assert!(groups[1].contains(w), "{w} missing from the literals");
        }
        assert_eq!(groups[0], super::DB_READ_METHODS);
    }

    #[test]
    fn flags_replica_read_after_primary_write() {
        check(
            "replication-lag-go",
            r#"
package orders

func (s *Store) Create(ctx context.Context, o Order) (Order, error) {
    if _, err := s.primary.ExecContext(ctx, `INSERT INTO orders (id) VALUES ($1)`, o.ID); err != nil {
        return Order{}, err
    }
    row := s.replica.QueryRowContext(ctx, `SELECT id, total FROM orders WHERE id = $1`, o.ID)
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ replication-lag-go
    return scan(row)
}

func (r *Repo) Rename(id int, name string) (User, error) {
    tx, err := r.writerDB.Begin()
    if err != nil {
        return User{}, err
    }
    tx.Exec("UPDATE users SET name = ? WHERE id = ?", name, id)
    tx.Commit()
    var u User
    err = r.readerDB.Get(&u, "SELECT * FROM users WHERE id = ?", id)
        //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ replication-lag-go
    return u, err
}

func audit(masterDB, slaveDB *sql.DB) {
    masterDB.QueryRow("UPDATE counters SET n = n + 1 RETURNING n")
    rows, _ := slaveDB.Query("SELECT n FROM counters")
             //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ replication-lag-go
    _ = rows
}
"#,
        );
    }

    #[test]
    fn silent_on_same_handle_read_before_write_and_non_db_readers() {
        check(
            "replication-lag-go",
            r#"
package orders

func (s *Store) Create(ctx context.Context, o Order) (Order, error) {
    s.primary.ExecContext(ctx, `INSERT INTO orders (id) VALUES ($1)`, o.ID)
    row := s.primary.QueryRowContext(ctx, `SELECT id FROM orders WHERE id = $1`, o.ID)
    return scan(row)
}

func (s *Store) List(ctx context.Context) ([]Order, error) {
    rows, err := s.replica.QueryContext(ctx, `SELECT id FROM orders`)
    s.primary.ExecContext(ctx, `UPDATE stats SET views = views + 1`)
    return collect(rows), err
}

func (s *Store) Other(ctx context.Context) {
    s.primary.ExecContext(ctx, `DELETE FROM sessions`)
    go func() {
        s.replica.QueryContext(ctx, `SELECT 1`)
    }()
    s.reader.Get("key")
    s.kafkaReader.Select(1)
    s.replica.QueryContext(ctx, `DELETE FROM sessions WHERE old`)
}

func (s *Store) Sync(ctx context.Context) {
    s.leader.Query("SELECT state FROM raft")
    s.follower.Query("SELECT state FROM raft")
}
"#,
        );
    }
}
