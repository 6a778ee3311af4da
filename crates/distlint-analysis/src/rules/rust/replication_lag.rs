//! `read-after-write-replica` (category `replication-lag`): a write to the primary followed by a
//! read from a replica in the same function.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};

use crate::facts::{TypeRef, TypeToken};
use crate::syntax::Walk;
use crate::vocabulary::rust::{
    DB_READ_METHODS, DB_WRITE_METHODS, PRIMARY_NAMES, REPLICA_NAMES, TYPE_DB_WORDS,
    TYPE_PRIMARY_STRONG, TYPE_PRIMARY_WEAK, TYPE_REPLICA_STRONG, TYPE_REPLICA_WEAK,
};

use super::helpers::{
    args_of, functions, handle_name, method_call, own_nodes, peel, simple_pattern_name,
};

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
`load`. A handle whose name says neither side is recognised by its declared type: a parameter's \
(`db: &PrimaryPool`), an annotated `let`'s (`let w: Arc<WriterDb> = ..`), or for `self.x` the \
type of the struct fields named `x` in the file (`ro: ReadReplica`; all fields of that name must \
say the same side). A type name says the primary with `Primary`, the replica with `Replica` or \
`ReadOnly`; `Writer`/`Write`/`Master`/`Leader`/`Rw` and `Reader`/`Read`/`Ro`/`Follower`/\
`Secondary`/`Standby`/`Slave` count only next to a database word in the same name (`Db`, \
`Database`, `Pool`, `Conn`, `Client`, `Pg`, `Sql`, `Store`, `Repo`, `Executor`), so `BufReader`, \
`IndexWriter` or a raft `Leader` say nothing. The finding is on the read.",
        why: "Replicas apply the primary's changes asynchronously:\n\n\
1. The handler inserts the new order through the primary and commits.\n\
2. It immediately reads the order back through the replica pool to build the response.\n\
3. Under normal load the replica is 5 ms behind and the read usually works; during a batch job \
or a vacuum it is 10 s behind.\n\
4. The read returns nothing (`404 Not Found` for the order just created) or the old row (the \
user's old address on the confirmation page); clients retry the create and place the order twice.\n\n\
Read your own writes from the primary (or use the value you wrote, or wait for the replica to \
reach the write's LSN/GTID).",
        known_problems: "- Handles are recognised by name or declared type; a replica pool \
named `pool2` of type `PgPool` is not recognised, and a variable *named* `reader` that is not a \
database handle is, if the same function also writes through a `writer` (names are trusted \
before types).\n\
- Types are read where they are written in the file: a `let` without an annotation \
(`let ro = state.replica_pool();`), a field of a struct declared in another file and a type \
alias that hides the role (`type Pool2 = ReplicaPool;` used as `Pool2`) are not followed. \
A struct field is matched by name across all structs of the file, not by the struct the \
`impl` is for.\n\
- Writes and reads through helpers called from the function are not followed.\n\
- A read that deliberately tolerates staleness (an eventually consistent listing) is reported; \
suppress it with the reason.",
        example: "sqlx::query(\"INSERT INTO orders (id, total) VALUES ($1, $2)\").bind(id).bind(total)\n    .execute(&self.primary).await?;\nlet order = sqlx::query_as::<_, Order>(\"SELECT * FROM orders WHERE id = $1\").bind(id)\n    .fetch_one(&self.replica).await?;",
        use_instead: "sqlx::query(\"INSERT INTO orders (id, total) VALUES ($1, $2)\").bind(id).bind(total)\n    .execute(&self.primary).await?;\nlet order = sqlx::query_as::<_, Order>(\"SELECT * FROM orders WHERE id = $1\").bind(id)\n    .fetch_one(&self.primary).await?; // read your own write from the primary",
        fix: "",
    },
};

fn is_role(name: &str, role: &[&str]) -> bool {
    let l = name.to_ascii_lowercase();
    role.iter().any(|r| l.contains(r))
}

/// Which side of a primary/replica pair a handle is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Primary,
    Replica,
}

/// The lower-cased words of a `CamelCase` / `snake_case` type name (`ReadOnlyPgPool` → `read`,
/// `only`, `pg`, `pool`; runs of capitals stay one word: `PGPool` → `pgpool`).
fn type_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The role one type name says (`PrimaryPool`, `ReadReplica`, `WriterDb`), if any.
fn type_name_role(name: &str) -> Option<Role> {
    let words = type_words(name);
    let has = |set: &[&str]| words.iter().any(|w| set.contains(&w.as_str()));
    // `ReadOnly` is one role word spread over two.
    let read_only = words.windows(2).any(|w| w[0] == "read" && w[1] == "only");
    let db = has(TYPE_DB_WORDS);
    let primary = has(TYPE_PRIMARY_STRONG) || (db && has(TYPE_PRIMARY_WEAK));
    let replica = has(TYPE_REPLICA_STRONG) || read_only || (db && has(TYPE_REPLICA_WEAK));
    match (primary, replica) {
        (true, false) => Some(Role::Primary),
        (false, true) => Some(Role::Replica),
        _ => None,
    }
}

/// The role a declared type says: the one role its type names agree on (`Arc<WriterDb>` →
/// primary), `None` when they say none or both.
fn type_role(ty: &TypeRef) -> Option<Role> {
    let mut role = None;
    for t in &ty.tokens {
        let name = match t {
            TypeToken::Path(p) => p.rsplit("::").next().unwrap_or(p),
            TypeToken::Name(n) => n.as_str(),
        };
        if let Some(r) = type_name_role(name) {
            if role.is_some_and(|x| x != r) {
                return None;
            }
            role = Some(r);
        }
    }
    role
}

/// The role of a name: from the name itself (`primary`, `read_pool`), else `None`.
fn name_role(name: &str) -> Option<Role> {
    match (is_role(name, PRIMARY_NAMES), is_role(name, REPLICA_NAMES)) {
        (true, false) => Some(Role::Primary),
        (false, true) => Some(Role::Replica),
        _ => None,
    }
}

/// The declared types of a function's variables: parameters and `let`s with a type annotation,
/// as `(name, start byte of the binding, role the type says)`, in source order. Collected once
/// per function (one walk of its own nodes).
fn typed_bindings<'s>(
    ctx: &Context<'s>,
    f: Node<'_>,
    nodes: &[Node<'_>],
) -> Vec<(&'s str, usize, Option<Role>)> {
    let mut out = Vec::new();
    let params = f
        .child_by_field_name("parameters")
        .map(|p| {
            Walk::new(p)
                .filter(|n| n.kind() == "parameter")
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for b in params.into_iter().chain(
        nodes
            .iter()
            .copied()
            .filter(|n| n.kind() == "let_declaration"),
    ) {
        let (Some(p), Some(ty)) = (
            b.child_by_field_name("pattern"),
            b.child_by_field_name("type"),
        ) else {
            continue;
        };
        let Some(name) = simple_pattern_name(ctx, p) else {
            continue;
        };
        out.push((
            name,
            b.start_byte(),
            type_role(&TypeRef::of(ctx.source, ty)),
        ));
    }
    out
}

/// The role of the handle `expr` (a receiver or an executor argument), by its name or, when the
/// name says nothing, by its declared type: a parameter's or annotated `let`'s type in `typed`,
/// or for `self.field`/`x.field` the declared types of struct fields named `field` in the file
/// (all of them must say the same role).
fn handle_role(
    ctx: &Context<'_>,
    expr: Node<'_>,
    typed: &[(&str, usize, Option<Role>)],
) -> Option<Role> {
    let e = peel(ctx, expr);
    let name = handle_name(ctx, e)?;
    if let Some(r) = name_role(name) {
        return Some(r);
    }
    match e.kind() {
        "identifier" => typed
            .iter()
            .rev()
            .find(|(n, at, _)| *n == name && *at < e.start_byte())
            .and_then(|(_, _, r)| *r),
        "field_expression" => {
            let types = ctx.facts().field_types(name);
            let mut role = None;
            for t in types {
                let r = type_role(t)?;
                if role.is_some_and(|x| x != r) {
                    return None;
                }
                role = Some(r);
            }
            role
        }
        _ => None,
    }
}

/// The roles of the handles an operation goes through: its receiver and its first argument.
fn roles(
    ctx: &Context<'_>,
    m: &super::helpers::MethodCall<'_>,
    typed: &[(&str, usize, Option<Role>)],
) -> Vec<Role> {
    let mut v = Vec::new();
    if let Some(r) = handle_role(ctx, m.receiver, typed) {
        v.push(r);
    }
    if let Some(a) = args_of(m.args).first() {
        if let Some(r) = handle_role(ctx, *a, typed) {
            v.push(r);
        }
    }
    v
}

impl Rule for ReplicationLag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a write (`execute`, `insert*`, `update*`, `delete*`, `upsert`,
        // `save`, `exec*`, `batch_execute`) and a read (`fetch*`, `query*`, `get*`, `find*`,
        // `first`, `load`, `all`, `one`). The roles cannot be literals: a handle's role may come
        // from a struct field's type declared in another item.
        &[
            &["exec", "insert", "update", "delete", "upsert", "save"],
            &[
                "fetch", "query", "get", "find", "first", "load", "all", "one",
            ],
        ]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for f in functions(node) {
            let mut first_write: Option<usize> = None;
            let nodes = own_nodes(f);
            let mut typed = None;
            for &n in &nodes {
                let Some(m) = method_call(n) else { continue };
                let name = ctx.text(m.name);
                let is_write = DB_WRITE_METHODS.contains(&name);
                let is_read = DB_READ_METHODS.contains(&name)
                    && first_write.is_some_and(|w| n.start_byte() >= w);
                if !is_write && !is_read {
                    continue;
                }
                let typed = typed.get_or_insert_with(|| typed_bindings(ctx, f, &nodes));
                let rs = roles(ctx, &m, typed);
                if is_write && rs.contains(&Role::Primary) {
                    first_write.get_or_insert(n.end_byte());
                    continue;
                }
                if is_read && rs.contains(&Role::Replica) {
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

    #[test]
    fn flags_handles_typed_as_primary_and_replica() {
        check(
            "read-after-write-replica",
            r#"
struct Repo {
    db: PrimaryPool,
    ro: ReadReplica,
}
impl Repo {
    async fn create(&self, id: i64) -> anyhow::Result<Order> {
        sqlx::query("INSERT INTO orders (id) VALUES ($1)").bind(id).execute(&self.db).await?;
        let o = sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE id = $1").bind(id).fetch_one(&self.ro).await?;
                                                                                        //^^^^^^^^^^^^^^^^^^^ read-after-write-replica
        Ok(o)
    }
}
async fn by_params(db: &PrimaryPool, pool: Arc<ReaderPool>, id: i64) {
    sqlx::query("UPDATE users SET seen = now() WHERE id = $1").bind(id).execute(db).await.unwrap();
    let row = sqlx::query("SELECT seen FROM users WHERE id = $1").bind(id).fetch_optional(&*pool).await.unwrap();
                                                                         //^^^^^^^^^^^^^^^^^^^^^^ read-after-write-replica
}
async fn by_lets(state: &AppState, id: i64) {
    let w: Arc<WriterDb> = state.pools.write();
    let r: ReadOnlyPgPool = state.pools.read();
    w.execute("DELETE FROM carts WHERE id = $1", &[&id]).await.unwrap();
    let left = r.query_opt("SELECT 1 FROM carts WHERE id = $1", &[&id]).await.unwrap();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ read-after-write-replica
}
"#,
        );
    }

    #[test]
    fn silent_on_non_database_reader_types_and_ambiguous_fields() {
        check(
            "read-after-write-replica",
            r#"
struct Search {
    idx: IndexWriter,
    snap: IndexReader,
}
impl Search {
    fn reindex(&mut self, term: Term, key: &str) {
        self.idx.delete(term);
        let doc = self.snap.get(key);
    }
}
fn raft(l: &mut RaftLeader, f: &RaftFollower, entry: Entry) {
    l.insert(entry);
    let e = f.get(7);
}
fn io(out: &mut BufWriter<File>, input: &mut BufReader<File>) {
    out.update(b"x");
    let line = input.get(0);
}
struct A { db: PrimaryPool }
struct B { db: ReplicaPool }
impl A {
    async fn same_name_two_types(&self) {
        sqlx::query("INSERT INTO t VALUES (1)").execute(&self.db).await.unwrap();
        sqlx::query("SELECT 1").fetch_one(&self.db).await.unwrap();
    }
}
async fn reads_the_primary(db: &PrimaryPool, ro: &ReadReplica, id: i64) {
    let before = sqlx::query("SELECT 1").fetch_one(ro).await.unwrap();
    sqlx::query("INSERT INTO t VALUES ($1)").bind(id).execute(db).await.unwrap();
    let after = sqlx::query("SELECT 1").fetch_one(db).await.unwrap();
}
async fn untyped(a: &PgPool, b: PgPool) {
    sqlx::query("INSERT INTO t VALUES (1)").execute(a).await.unwrap();
    sqlx::query("SELECT 1").fetch_one(&b).await.unwrap();
}
"#,
        );
    }
}
