//! `lock-fencing-go` (category `lock-fencing`): a distributed lock (Redis `SET NX`, redsync, etcd
//! `concurrency.Mutex`) followed by writes that carry no fencing token.

use tree_sitter::Node;

use super::helpers::{
    arg, assigned_to, callee, functions, has_word, has_word_prefix, imports_any, own_nodes,
    pkg_call, selector_in_pkg,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::go::{FENCING_TOKEN_WORDS, GUARDED_WRITE_METHODS, REDIS_IMPORTS};

/// The rule.
pub struct LockFencing;

/// Registered instance.
pub static RULE: LockFencing = LockFencing;

static META: RuleMeta = RuleMeta {
    id: "lock-fencing-go",
    language: Language::Go,
    category: "lock-fencing",
    severity: Severity::Blocker,
    title: "Distributed lock without a fencing token",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a distributed lock taken in a function and followed, in the same function, \
by a write to shared state (`Exec*`, `Put`, `PutObject`, `Set`/`HSet`, `Save`, `Create`, \
`Update*`, `Insert*`, `ReplaceOne`, `Upsert`, `WriteFile`) when nothing in the function obtains \
or checks a fencing token. Locks recognised: go-redis `SetNX` and `SetArgs` with `Mode: \"NX\"`, \
redigo `Do(\"SET\", ..., \"NX\", ...)`, redsync `NewMutex(...).Lock()`, etcd \
`concurrency.NewMutex(...).Lock(ctx)`. A function is considered fenced when it mentions a \
fence/fencing token, a revision (`Revision`, `ModRevision`, `CreateRevision`), an epoch or \
generation, calls `IsOwner()`, or guards a write with an etcd `Txn(...).If(...)`. The finding \
sits on the lock acquisition.",
        why: "A lock with a TTL is a lease: it can expire while its holder still believes it \
holds it (Kleppmann, \"How to do distributed locking\", 2016):\n\n\
1. Worker A takes the lock (`SET lock:invoice-42 A NX PX 30000`).\n\
2. A stops for 40 s: a GC pause, a VM migration, a slow disk, a long network retry.\n\
3. The lock expires; worker B takes it and writes invoice 42.\n\
4. A wakes up, still inside its critical section, and writes invoice 42 with the state it read \
before the pause — overwriting B's write. Both believed they held the lock.\n\n\
No lock timeout or Redlock quorum prevents step 4. The storage must reject A's write: the lock \
service hands out a monotonically increasing token (etcd's revision of the lock key, a Redis \
`INCR` counter taken with the lock) and every write carries it (`UPDATE ... WHERE fence < $token`, \
an etcd `Txn` comparing the lock key's revision), so the stale holder's write fails.",
        known_problems: "- Writes are recognised by method name; a write through a helper \
(`s.saveInvoice(...)`) is not seen, so such functions stay silent.\n\
- Fencing is recognised by words in the function (`fence`, `token`, `revision`, `epoch`, \
`generation`); a token checked under another name, or in a callee, is not seen and the finding \
must be suppressed with a reason.\n\
- When the protected resource is idempotent or the lock only avoids duplicate work (not \
correctness), fencing is unnecessary; suppress with a reason.\n\
- etcd leases used directly as a lock (`Grant` + `Put(..., WithLease)`) are not yet recognised.",
        example: "ok, err := rdb.SetNX(ctx, \"lock:invoice:\"+id, owner, 30*time.Second).Result()\n\
if err != nil || !ok {\n\treturn errLocked\n}\n\
defer rdb.Del(ctx, \"lock:invoice:\"+id)\n\
_, err = db.ExecContext(ctx, `UPDATE invoices SET total = $1 WHERE id = $2`, total, id)",
        use_instead: "m := concurrency.NewMutex(session, \"/locks/invoice/\"+id)\n\
if err := m.Lock(ctx); err != nil {\n\treturn err\n}\n\
// The lock key's creation revision is the fencing token: it only grows.\n\
token := m.Header().Revision\n\
_, err := db.ExecContext(ctx,\n\t`UPDATE invoices SET total = $1, fence = $2 WHERE id = $3 AND fence < $2`, total, token, id)",
        fix: "",
    },
};

/// A lock acquisition: the call to report, and the text of its key argument (to ignore writes
/// to the lock key itself).
struct Acquire<'t> {
    call: Node<'t>,
    key: Option<String>,
    what: &'static str,
}

fn acquisitions<'t>(ctx: &Context<'_>, nodes: &[Node<'t>], func: Node<'t>) -> Vec<Acquire<'t>> {
    let redis = imports_any(ctx, REDIS_IMPORTS);
    let redsync = imports_any(ctx, &["github.com/go-redsync/redsync"]);
    let mut out = Vec::new();
    for &call in nodes {
        if call.kind() != "call_expression" {
            continue;
        }
        let Some((recv, name)) = callee(ctx.source, call) else {
            continue;
        };
        let key_arg = |i: usize| arg(call, i).map(|a| ctx.text(a).to_string());
        match name {
            "SetNX" if redis && recv.is_some() => out.push(Acquire {
                call,
                key: key_arg(1),
                what: "Redis `SETNX` lock",
            }),
            "SetArgs" if redis && recv.is_some() => {
                let nx = arg(call, 3).is_some_and(|a| {
                    Walk::new(a).any(|n| {
                        n.kind() == "keyed_element"
                            && ctx
                                .text(n)
                                .replace(' ', "")
                                .to_ascii_uppercase()
                                .contains("MODE:\"NX\"")
                    })
                });
                if nx {
                    out.push(Acquire {
                        call,
                        key: key_arg(1),
                        what: "Redis `SET NX` lock",
                    });
                }
            }
            "Do" if redis && recv.is_some() => {
                let args: Vec<String> = (0..8)
                    .filter_map(|i| arg(call, i))
                    .map(|a| ctx.text(a).trim_matches('"').to_ascii_uppercase())
                    .collect();
                if args.first().is_some_and(|a| a == "SET") && args.iter().any(|a| a == "NX") {
                    out.push(Acquire {
                        call,
                        key: args.get(1).map(|_| key_arg(1).unwrap_or_default()),
                        what: "Redis `SET NX` lock",
                    });
                }
            }
            "NewMutex" => {
                let etcd = pkg_call(ctx, call)
                    .is_some_and(|(p, _)| p.ends_with("/concurrency") && p.contains("etcd"));
                let rs = redsync && recv.is_some() && !etcd;
                if !(etcd || rs) {
                    continue;
                }
                let what = if etcd {
                    "etcd `concurrency.Mutex`"
                } else {
                    "redsync mutex"
                };
                // Report the `Lock` call on the mutex when there is one in the function.
                let lock_call = assigned_to(call).and_then(|var| {
                    let var = ctx.text(var);
                    Walk::new(func).find(|n| {
                        n.kind() == "call_expression"
                            && n.start_byte() > call.end_byte()
                            && callee(ctx.source, *n).is_some_and(|(r, m)| {
                                matches!(m, "Lock" | "LockContext" | "TryLock" | "TryLockContext")
                                    && r.is_some_and(|r| ctx.text(r) == var)
                            })
                    })
                });
                out.push(Acquire {
                    call: lock_call.unwrap_or(call),
                    key: key_arg(1).or_else(|| key_arg(0)),
                    what,
                });
            }
            _ => {}
        }
    }
    out
}

/// True when the function mentions a fencing token, a revision or an etcd guarded transaction.
fn fenced(ctx: &Context<'_>, func: Node<'_>) -> bool {
    let Some(body) = func.child_by_field_name("body") else {
        return true;
    };
    for n in Walk::new(body) {
        match n.kind() {
            "identifier" | "field_identifier" => {
                let t = ctx.text(n);
                if has_word(t, FENCING_TOKEN_WORDS)
                    || has_word_prefix(t, &["fenc"])
                    || t == "IsOwner"
                {
                    return true;
                }
                if t == "If" {
                    return true;
                }
            }
            "interpreted_string_literal" | "raw_string_literal" => {
                let t = ctx.text(n).to_ascii_lowercase();
                if t.contains("fenc") {
                    return true;
                }
            }
            _ => {}
        }
    }
    // An etcd `clientv3.Compare(...)` anywhere guards the write.
    Walk::new(body).any(|n| {
        n.kind() == "selector_expression"
            && selector_in_pkg(ctx, n, |p| p.contains("etcd")).is_some_and(|m| m == "Compare")
    })
}

impl Rule for LockFencing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs an acquisition (`SetNX`, `SetArgs`, `Do`, `NewMutex`). Every Redis
        // acquisition has `NX` in its text (`SetNX`, `Mode: "NX"`, a `"NX"` argument of `Do`,
        // compared case-insensitively), so a unit without `nx` can only have a `NewMutex` one.
        &[&["SetNX", "SetArgs", "Do", "NewMutex"], &["nx", "NewMutex"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for func in functions(node) {
            let nodes = own_nodes(func);
            let locks = acquisitions(ctx, &nodes, func);
            if locks.is_empty() || fenced(ctx, func) {
                continue;
            }
            for lock in locks {
                let write = nodes.iter().find(|n| {
                    n.kind() == "call_expression"
                        && n.start_byte() > lock.call.end_byte()
                        && callee(ctx.source, **n)
                            .is_some_and(|(r, m)| r.is_some() && GUARDED_WRITE_METHODS.contains(&m))
                        && !touches_key(ctx, **n, lock.key.as_deref())
                });
                let Some(write) = write else { continue };
                let wname = callee(ctx.source, *write)
                    .map(|(_, m)| m)
                    .unwrap_or("write");
                out.push(Finding::new(
                    &META,
                    lock.call.byte_range(),
                    format!(
                        "{} guards a `{wname}` that carries no fencing token: if the lock expires during a pause, a second holder's write is overwritten by the stale one",
                        lock.what
                    ),
                ));
            }
        }
    }
}

/// True when a write's arguments include the lock's key (it renews or releases the lock).
fn touches_key(ctx: &Context<'_>, write: Node<'_>, key: Option<&str>) -> bool {
    let Some(key) = key else { return false };
    (0..3)
        .filter_map(|i| arg(write, i))
        .any(|a| ctx.text(a) == key)
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_locks_followed_by_unfenced_writes() {
        check(
            "lock-fencing-go",
            r#"
package billing

import (
    "github.com/redis/go-redis/v9"
    "go.etcd.io/etcd/client/v3/concurrency"
)

func (s *Service) Recalculate(ctx context.Context, id string) error {
    ok, err := s.rdb.SetNX(ctx, "lock:invoice:"+id, s.owner, 30*time.Second).Result()
             //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-fencing-go
    if err != nil || !ok {
        return errLocked
    }
    defer s.rdb.Del(ctx, "lock:invoice:"+id)
    _, err = s.db.ExecContext(ctx, `UPDATE invoices SET total = $1 WHERE id = $2`, 10, id)
    return err
}

func (s *Service) Leader(ctx context.Context, sess *concurrency.Session) error {
    m := concurrency.NewMutex(sess, "/locks/leader")
    if err := m.Lock(ctx); err != nil {
            //^^^^^^^^^^^ lock-fencing-go
        return err
    }
    defer m.Unlock(ctx)
    _, err := s.kv.Put(ctx, "/config/active", s.name)
    return err
}

func (s *Service) Args(ctx context.Context, k string) {
    s.rdb.SetArgs(ctx, k, "me", redis.SetArgs{Mode: "NX", TTL: time.Minute})
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ lock-fencing-go
    s.store.Save(doc)
}
"#,
        );
    }

    #[test]
    fn silent_with_fencing_tokens_and_look_alikes() {
        check(
            "lock-fencing-go",
            r#"
package billing

import (
    "github.com/redis/go-redis/v9"
    clientv3 "go.etcd.io/etcd/client/v3"
    "go.etcd.io/etcd/client/v3/concurrency"
)

func (s *Service) Fenced(ctx context.Context, sess *concurrency.Session, id string) error {
    m := concurrency.NewMutex(sess, "/locks/invoice/"+id)
    if err := m.Lock(ctx); err != nil {
        return err
    }
    token := m.Header().Revision
    _, err := s.db.ExecContext(ctx, `UPDATE invoices SET fence = $1 WHERE id = $2 AND fence < $1`, token, id)
    return err
}

func (s *Service) Guarded(ctx context.Context, sess *concurrency.Session) error {
    m := concurrency.NewMutex(sess, "/locks/leader")
    m.Lock(ctx)
    _, err := s.cli.Txn(ctx).If(m.IsOwner()).Then(clientv3.OpPut("/config", "x")).Commit()
    return err
}

func (s *Service) RenewOnly(ctx context.Context, key string) {
    s.rdb.SetNX(ctx, key, s.owner, time.Minute)
    s.rdb.Set(ctx, key, s.owner, time.Minute)
}

func (s *Service) DedupOnly(ctx context.Context, id string) bool {
    ok, _ := s.rdb.SetNX(ctx, "seen:"+id, 1, time.Hour).Result()
    return ok
}

func (s *Service) Plain(ctx context.Context) {
    s.mu.Lock()
    s.db.Exec("UPDATE t SET x = 1")
    s.mu.Unlock()
    s.cache.SetNX("k", 1)
}
"#,
        );
    }

    #[test]
    fn setnx_without_a_redis_import_is_not_a_lock() {
        check(
            "lock-fencing-go",
            r#"
package cache

func (c *Cache) Fill(k string) {
    c.local.SetNX(k, 1)
    c.db.Exec("INSERT INTO t VALUES (1)")
}
"#,
        );
    }
}
