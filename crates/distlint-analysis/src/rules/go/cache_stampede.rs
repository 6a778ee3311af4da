//! `cache-stampede-go` (category `cache-stampede`): cache-aside reads with no single-flight,
//! constant TTLs with no jitter, and misses cached with the hit TTL.

use tree_sitter::Node;

use super::helpers::{arg, callee, functions, has_word, imports_any, own_nodes, selector_in_pkg};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::go::{CACHE_IMPORTS, CACHE_SET_METHODS, NEGATIVE_CACHE_WORDS};

/// The rule.
pub struct CacheStampede;

/// Registered instance.
pub static RULE: CacheStampede = CacheStampede;

static META: RuleMeta = RuleMeta {
    id: "cache-stampede-go",
    language: Language::Go,
    category: "cache-stampede",
    severity: Severity::Minor,
    title: "Cache-aside without stampede protection",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds cache-aside reads in Go: a function that calls `Get` on a cache client, \
checks for a miss (`redis.Nil` from go-redis, `memcache.ErrCacheMiss` from gomemcache), and \
then `Set`s the loaded value on the same client. It reports:\n\
- the `Get`, when the file does not use `golang.org/x/sync/singleflight` and the function takes \
no lock (no `Lock()`, no `SetNX`) around the load;\n\
- the TTL argument of the `Set`, when it is a constant (literals, `time.*` units, file-level \
constants) with no jitter;\n\
- the TTL of a `Set` that caches a miss (`\"\"`, `nil`, `[]byte{}`, a value named `empty`, \
`notFound`, `tombstone`, ...) with the same TTL text as the `Set` of a hit.",
        why: "**Stampede.** 1. A hot key (the home page, a popular product) expires. \
2. In the next 50 ms, 2,000 requests miss at once. 3. All 2,000 run the same expensive query \
against the database, which was sized for the cache's hit rate. 4. The database saturates, \
queries time out, nothing gets written back to the cache, and the misses continue: an outage \
caused by one key expiring. `singleflight.Group.Do(key, load)` makes one caller load while the \
others wait for its result.\n\n\
**Synchronised TTLs.** Keys filled together (after a deploy, a cache flush or a failover) with \
the same constant TTL all expire in the same second, producing a stampede on every key at once, \
every TTL period. Adding random jitter (±10%) spreads the expiries.\n\n\
**Negative caching with the positive TTL.** Caching \"not found\" for as long as a real value \
hides records created in the meantime for the whole TTL (a new user cannot log in for an hour), \
while a short TTL still protects the database from repeated misses.",
        known_problems:
            "- Only go-redis and gomemcache miss sentinels are recognised; other cache \
clients (ristretto, bigcache, groupcache — which has single-flight built in) are not reported.\n\
- A single-flight or lock taken by a caller of the function is not visible; a file that imports \
`singleflight` is assumed to use it for every cache read in the file.\n\
- A TTL read from configuration into a local variable is treated as not constant (no finding), \
even when it carries no jitter.",
        example: "val, err := c.rdb.Get(ctx, key).Result()\n\
if errors.Is(err, redis.Nil) {\n\
\tp, err := c.db.LoadProduct(ctx, id)\n\
\tif err != nil {\n\t\treturn nil, err\n\t}\n\
\tc.rdb.Set(ctx, key, encode(p), 10*time.Minute)\n\
\treturn p, nil\n}",
        use_instead: "v, err, _ := c.group.Do(key, func() (any, error) { // singleflight.Group\n\
\tval, err := c.rdb.Get(ctx, key).Result()\n\
\tif errors.Is(err, redis.Nil) {\n\
\t\tp, err := c.db.LoadProduct(ctx, id)\n\
\t\tif err != nil {\n\t\t\treturn nil, err\n\t\t}\n\
\t\tttl := 10*time.Minute + time.Duration(rand.Int63n(int64(time.Minute))) // jitter\n\
\t\tc.rdb.Set(ctx, key, encode(p), ttl)\n\
\t\treturn p, nil\n\t}\n\
\treturn decode(val), err\n})",
        fix: "",
    },
};

/// True when `func` checks a cache-miss sentinel.
fn checks_miss(ctx: &Context<'_>, func: &[Node<'_>]) -> bool {
    func.iter().any(|n| {
        n.kind() == "selector_expression"
            && selector_in_pkg(ctx, *n, |p| {
                CACHE_IMPORTS
                    .iter()
                    .any(|c| p == *c || p.starts_with(&format!("{c}/")))
            })
            .is_some_and(|m| m == "Nil" || m == "ErrCacheMiss")
    })
}

/// True when a TTL expression is a constant: literals, `time.Second`-style units, file constants.
fn constant_ttl(ctx: &Context<'_>, ttl: Node<'_>) -> bool {
    let mut walk = Walk::new(ttl);
    while let Some(n) = walk.next() {
        match n.kind() {
            "int_literal"
            | "float_literal"
            | "binary_expression"
            | "parenthesized_expression"
            | "*"
            | "+"
            | "-"
            | "/"
            | "("
            | ")" => {}
            "selector_expression" => {
                if selector_in_pkg(ctx, n, |p| p == "time").is_none() {
                    return false;
                }
                walk.skip_subtree();
            }
            "identifier" => {
                // File-level `const` names (first name of each spec): a file fact.
                if !ctx.facts().go_const(ctx.text(n), false) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

fn arg3(call: Node<'_>) -> Option<Node<'_>> {
    arg(call, 3)
}

fn arg2(call: Node<'_>) -> Option<Node<'_>> {
    arg(call, 2)
}

fn is_negative_value(ctx: &Context<'_>, v: Node<'_>) -> bool {
    let t = ctx.text(v).trim();
    matches!(
        t,
        "\"\"" | "nil" | "\"null\"" | "[]byte{}" | "[]byte(\"\")" | "\"{}\""
    ) || (matches!(v.kind(), "identifier" | "selector_expression")
        && has_word(t, NEGATIVE_CACHE_WORDS))
}

impl Rule for CacheStampede {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `Get` and a `Set*` call.
        &[&["Get"], &["Set"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if !imports_any(ctx, CACHE_IMPORTS) {
            return;
        }
        let single_flight = imports_any(ctx, &["golang.org/x/sync/singleflight"]);
        for func in functions(node) {
            let nodes = own_nodes(func);
            if !checks_miss(ctx, &nodes) {
                continue;
            }
            let calls: Vec<(Node<'_>, &str, &str)> = nodes
                .iter()
                .filter(|n| n.kind() == "call_expression")
                .filter_map(|n| match callee(ctx.source, *n) {
                    Some((Some(r), m)) => Some((*n, ctx.text(r), m)),
                    _ => None,
                })
                .collect();
            let Some(&(get, client, _)) = calls.iter().find(|(_, _, m)| *m == "Get") else {
                continue;
            };
            let sets: Vec<Node<'_>> = calls
                .iter()
                .filter(|(c, r, m)| {
                    *r == client && CACHE_SET_METHODS.contains(m) && c.start_byte() > get.end_byte()
                })
                .map(|(c, _, _)| *c)
                .collect();
            if sets.is_empty() {
                continue;
            }
            let locked = calls
                .iter()
                .any(|(_, _, m)| matches!(*m, "Lock" | "SetNX" | "TryLock" | "Do" | "DoChan"));
            if !single_flight && !locked {
                out.push(Finding::new(
                    &META,
                    get.byte_range(),
                    format!("cache-aside read on `{client}` with no single-flight: when this key expires, every concurrent request misses and loads from the origin at once (stampede); wrap the load in `singleflight.Group.Do`"),
                ));
            }
            // TTL checks: go-redis `Set(ctx, key, value, ttl)`.
            for &s in &sets {
                let Some(ttl) = arg3(s) else { continue };
                let ttl_text = ctx.text(ttl);
                if ttl_text.trim() == "0" {
                    continue;
                }
                let negative = arg2(s).is_some_and(|v| is_negative_value(ctx, v));
                if negative {
                    let same_as_hit = sets.iter().any(|&o| {
                        o != s
                            && arg3(o).is_some_and(|t| ctx.text(t) == ttl_text)
                            && !arg2(o).is_some_and(|v| is_negative_value(ctx, v))
                    });
                    if same_as_hit {
                        out.push(Finding::new(
                            &META,
                            ttl.byte_range(),
                            format!("a miss is cached with the hit TTL `{ttl_text}`: a record created meanwhile stays invisible for the whole TTL; cache misses for a much shorter time"),
                        ));
                        continue;
                    }
                }
                if !negative && constant_ttl(ctx, ttl) {
                    out.push(Finding::new(
                        &META,
                        ttl.byte_range(),
                        format!("constant TTL `{ttl_text}` with no jitter: keys filled together (after a deploy or flush) all expire in the same second and stampede together; add a random jitter"),
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
    fn flags_cache_aside_without_single_flight_constant_ttl_and_negative_ttl() {
        check(
            "cache-stampede-go",
            r#"
package products

import (
    "errors"
    "time"

    "github.com/redis/go-redis/v9"
)

const productTTL = 10 * time.Minute

func (c *Cache) Product(ctx context.Context, id string) (*Product, error) {
    val, err := c.rdb.Get(ctx, "product:"+id).Result()
              //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ cache-stampede-go
    if errors.Is(err, redis.Nil) {
        p, err := c.db.Load(ctx, id)
        if errors.Is(err, sql.ErrNoRows) {
            c.rdb.Set(ctx, "product:"+id, "", productTTL)
                                            //^^^^^^^^^^ cache-stampede-go
            return nil, ErrNotFound
        }
        c.rdb.Set(ctx, "product:"+id, encode(p), productTTL)
                                               //^^^^^^^^^^ cache-stampede-go
        return p, nil
    }
    return decode(val), err
}

func (c *Cache) User(ctx context.Context, id string) (string, error) {
    val, err := c.rdb.Get(ctx, id).Result()
              //^^^^^^^^^^^^^^^^^^ cache-stampede-go
    if err == redis.Nil {
        u := c.db.User(id)
        c.rdb.Set(ctx, id, u, 5*time.Minute+30*time.Second)
                            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^ cache-stampede-go
        return u, nil
    }
    return val, err
}
"#,
        );
    }

    #[test]
    fn silent_with_jitter_single_flight_locks_and_plain_gets() {
        check(
            "cache-stampede-go",
            r#"
package products

import (
    "math/rand"
    "time"

    "github.com/redis/go-redis/v9"
)

func (c *Cache) Locked(ctx context.Context, id string) (string, error) {
    val, err := c.rdb.Get(ctx, id).Result()
    if err == redis.Nil {
        c.mu.Lock()
        defer c.mu.Unlock()
        u := c.db.User(id)
        ttl := 5*time.Minute + time.Duration(rand.Int63n(int64(time.Minute)))
        c.rdb.Set(ctx, id, u, ttl)
        c.rdb.Set(ctx, "neg:"+id, "", time.Minute)
        return u, nil
    }
    return val, err
}

func (c *Cache) ReadOnly(ctx context.Context, id string) (string, error) {
    val, err := c.rdb.Get(ctx, id).Result()
    if err == redis.Nil {
        return "", ErrNotFound
    }
    return val, err
}

func (c *Cache) WriteThrough(ctx context.Context, id, v string) {
    c.db.Save(id, v)
    c.rdb.Set(ctx, id, v, time.Hour)
}

func (c *Cache) Other(ctx context.Context, id string) {
    v, err := c.local.Get(id)
    if err == redis.Nil {
        c.rdb.Set(ctx, id, v, 0)
    }
}
"#,
        );
        check(
            "cache-stampede-go",
            r#"
package products

import (
    "time"

    "github.com/redis/go-redis/v9"
    "golang.org/x/sync/singleflight"
)

func (c *Cache) Product(ctx context.Context, id string) (any, error) {
    v, err, _ := c.group.Do(id, func() (any, error) {
        return c.load(ctx, id)
    })
    return v, err
}

func (c *Cache) load(ctx context.Context, id string) (string, error) {
    val, err := c.rdb.Get(ctx, id).Result()
    if err == redis.Nil {
        u := c.db.User(id)
        c.rdb.Set(ctx, id, u, c.ttl())
        return u, nil
    }
    return val, err
}
"#,
        );
    }
}
