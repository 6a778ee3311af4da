//! `cache-stampede` (category `cache-stampede`): cache-aside reads with no single-flight, and
//! constant TTLs on that path.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::rust_fn_is_async;
use crate::vocabulary::rust::{CACHE_JITTER_WORDS, CACHE_NAME_WORDS, SINGLE_FLIGHT_WORDS};

use super::helpers::{
    args_of, call_target, code_has, functions, handle_name, is_constant, method_call, name_has,
    own_nodes, str_lit,
};

/// The rule.
pub struct CacheStampede;

/// Registered instance.
pub static RULE: CacheStampede = CacheStampede;

static META: RuleMeta = RuleMeta {
    id: "cache-stampede",
    language: Language::Rust,
    category: "cache-stampede",
    severity: Severity::Minor,
    title: "Cache-aside read with no single-flight or TTL jitter",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds the cache-aside pattern in an `async fn` — a `get` on a cache handle \
(a receiver named like cache, redis, conn, memcache, kv), a check of the result (`if let`, \
`match`, `is_none`), an awaited load from somewhere else, then a `set`/`set_ex`/`insert`/`put` on \
a cache handle — and reports:\n\n\
- on the `get`, when the function shows no single-flight (no per-key lock or `Mutex`, \
`Semaphore`, `OnceCell`, moka `get_with`/`try_get_with`/`entry`, `singleflight`, `Notify`);\n\
- on the write, when its TTL is a constant (`set_ex(key, v, 300)`, `set_ex(key, v, TTL_SECS)`, \
`expire(key, CONST)`, `redis::cmd(\"SETEX\")`) and the function shows no jitter (`rand`, \
`jitter`, `fastrand`).",
        why: "**No single-flight.** 1. A hot key (the home page, a popular product) expires. \
2. The next 2,000 concurrent requests all miss at once. 3. Each one runs the expensive origin \
query; the database, sized for the hit rate, saturates and times out. 4. Nothing gets cached \
because every load times out, so the stampede continues until traffic drops.\n\n\
**Constant TTL.** 1. A deploy or a cache flush warms thousands of keys within a minute, all \
with `EX 300`. 2. Five minutes later they all expire together. 3. The origin takes the whole \
miss wave at once, every five minutes, as synchronized load spikes.\n\n\
Coalesce misses per key (moka's `try_get_with`, a per-key `Mutex`/`OnceCell`, a \
single-flight map) and add random jitter to TTLs (e.g. ±10%).",
        known_problems: "- The shape is recognised by names (cache-like receivers, `get` then \
a write on a cache handle); a cache wrapper with other method names is not recognised.\n\
- Any mention of a lock, semaphore or `OnceCell` in the function keeps the first finding silent, \
even if it does not coalesce this load.\n\
- Stale-while-revalidate or probabilistic early expiration implemented elsewhere is not seen.",
        example: "async fn product(&self, id: u64) -> Result<Product> {\n    let mut con = self.redis.get_multiplexed_async_connection().await?;\n    if let Some(json) = con.get::<_, Option<String>>(key(id)).await? {\n        return Ok(serde_json::from_str(&json)?);\n    }\n    let p = self.db.load_product(id).await?;\n    con.set_ex::<_, _, ()>(key(id), serde_json::to_string(&p)?, 300).await?;\n    Ok(p)\n}",
        use_instead: "// moka coalesces concurrent misses for the same key into one load.\nasync fn product(&self, id: u64) -> Result<Product, Arc<Error>> {\n    self.cache\n        .try_get_with(id, async { self.db.load_product(id).await })\n        .await\n}\n// and for Redis TTLs: 300 s ± 10%\nlet ttl = 270 + rand::random::<u64>() % 60;",
        fix: "",
    },
};

fn cacheish(ctx: &Context<'_>, m: &super::helpers::MethodCall<'_>) -> bool {
    handle_name(ctx, m.receiver).is_some_and(|h| {
        let l = h.to_ascii_lowercase();
        name_has(&l, &["cache", "redis", "memcache"])
            || CACHE_NAME_WORDS.iter().any(|c| {
                l == *c || l.starts_with(&format!("{c}_")) || l.ends_with(&format!("_{c}"))
            })
    })
}

/// A cache read: `cache.get(key)` or `redis::cmd("GET")`.
fn is_get(ctx: &Context<'_>, n: Node<'_>) -> bool {
    if call_target(ctx, n).as_deref() == Some("redis::cmd") {
        return first_str_arg(ctx, n).is_some_and(|c| c.eq_ignore_ascii_case("GET"));
    }
    method_call(n).is_some_and(|m| {
        ctx.text(m.name) == "get" && args_of(m.args).len() == 1 && cacheish(ctx, &m)
    })
}

fn first_str_arg<'s>(ctx: &Context<'s>, n: Node<'_>) -> Option<&'s str> {
    let args = n.child_by_field_name("arguments").map(args_of)?;
    str_lit(ctx, *args.first()?)
}

/// A cache write; `Some(ttl argument)` when it carries a TTL.
fn cache_write<'t>(ctx: &Context<'_>, n: Node<'t>) -> Option<Option<Node<'t>>> {
    if call_target(ctx, n).as_deref() == Some("redis::cmd") {
        let c = first_str_arg(ctx, n)?.to_ascii_uppercase();
        return match c.as_str() {
            "SET" => Some(None),
            "SETEX" | "PSETEX" => Some(None),
            _ => None,
        };
    }
    let m = method_call(n)?;
    if !cacheish(ctx, &m) {
        return None;
    }
    let args = args_of(m.args);
    match ctx.text(m.name) {
        "set_ex" | "pset_ex" if args.len() == 3 => Some(Some(args[2])),
        "set" | "insert" | "put" | "set_options" | "set_multiple" if args.len() >= 2 => Some(None),
        _ => None,
    }
}

/// A constant TTL written on `redis::cmd("SETEX").arg(k).arg(ttl)` / `…arg("EX").arg(ttl)`.
fn cmd_constant_ttl(ctx: &Context<'_>, n: Node<'_>) -> bool {
    let mut top = n;
    let mut args = Vec::new();
    while let Some(p) = top.parent().filter(|p| p.kind() == "field_expression") {
        let Some(c) = p.parent().filter(|c| c.kind() == "call_expression") else {
            break;
        };
        if let Some(m) = method_call(c) {
            if ctx.text(m.name) == "arg" {
                args.extend(args_of(m.args));
            }
        }
        top = c;
    }
    let cmd = first_str_arg(ctx, n).unwrap_or("").to_ascii_uppercase();
    let ttl = match cmd.as_str() {
        "SETEX" | "PSETEX" => args.get(1).copied(),
        _ => args
            .iter()
            .position(|a| {
                matches!(
                    str_lit(ctx, *a).map(|s| s.to_ascii_uppercase()).as_deref(),
                    Some("EX" | "PX")
                )
            })
            .and_then(|i| args.get(i + 1).copied()),
    };
    ttl.is_some_and(|t| is_constant(ctx, t))
}

impl Rule for CacheStampede {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs an `async fn` with a cache read (`.get(k)` or `redis::cmd("GET")`).
        &[&["async"], &["cmd", "get"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for f in functions(node) {
            if !rust_fn_is_async(ctx.source, f) {
                continue;
            }
            let nodes = own_nodes(f);
            let calls: Vec<Node<'_>> = nodes
                .iter()
                .copied()
                .filter(|n| n.kind() == "call_expression")
                .collect();
            let Some(get) = calls.iter().copied().find(|n| is_get(ctx, *n)) else {
                continue;
            };
            // The miss check: the read's value is tested (`if let`, `match`, `is_none`, `let`).
            let checked = nodes.iter().any(|n| {
                matches!(
                    n.kind(),
                    "if_expression" | "match_expression" | "let_condition"
                ) && n.end_byte() > get.end_byte()
                    && n.start_byte() <= get.end_byte() + 400
            }) || nodes.iter().any(|n| {
                n.kind() == "let_declaration"
                    && n.start_byte() <= get.start_byte()
                    && n.end_byte() >= get.end_byte()
            });
            if !checked {
                continue;
            }
            let Some((write, ttl)) = calls
                .iter()
                .copied()
                .filter(|n| n.start_byte() > get.end_byte())
                .find_map(|n| cache_write(ctx, n).map(|t| (n, t)))
            else {
                continue;
            };
            // The origin load: an awaited call between the read and the write that is not on a
            // cache handle.
            let loads = nodes.iter().any(|n| {
                n.kind() == "await_expression"
                    && n.start_byte() > get.end_byte()
                    && n.end_byte() < write.start_byte()
                    && n.named_child(0).is_some_and(|c| {
                        c.kind() == "call_expression"
                            && !method_call(c).is_some_and(|m| cacheish(ctx, &m))
                            && !is_get(ctx, c)
                    })
            });
            if !loads {
                continue;
            }
            if !code_has(ctx, f, SINGLE_FLIGHT_WORDS) {
                out.push(Finding::new(
                    &META,
                    get.byte_range(),
                    "cache-aside read with no single-flight: when this key expires every concurrent request loads the origin at once",
                ));
            }
            if code_has(ctx, f, CACHE_JITTER_WORDS) {
                continue;
            }
            let constant_ttl = match ttl {
                Some(t) => is_constant(ctx, t),
                None => {
                    call_target(ctx, write).as_deref() == Some("redis::cmd")
                        && cmd_constant_ttl(ctx, write)
                }
            };
            let expire = calls.iter().copied().find(|n| {
                method_call(*n).is_some_and(|m| {
                    matches!(ctx.text(m.name), "expire" | "pexpire")
                        && args_of(m.args).len() == 2
                        && is_constant(ctx, args_of(m.args)[1])
                }) && n.start_byte() > get.end_byte()
            });
            let at = if constant_ttl { Some(write) } else { expire };
            if let Some(at) = at {
                out.push(Finding::new(
                    &META,
                    at.byte_range(),
                    "constant TTL with no jitter: keys cached together expire together and the origin takes the miss wave at once",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_cache_aside_without_single_flight_and_constant_ttls() {
        check(
            "cache-stampede",
            r#"
use redis::AsyncCommands;
const TTL_SECS: u64 = 300;
impl Catalog {
    async fn product(&self, id: u64) -> anyhow::Result<Product> {
        let mut con = self.redis.get_multiplexed_async_connection().await?;
        if let Some(json) = con.get::<_, Option<String>>(format!("product:{id}")).await? {
                          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ cache-stampede
            return Ok(serde_json::from_str(&json)?);
        }
        let p = sqlx::query_as::<_, Product>("SELECT * FROM products WHERE id = $1").bind(id as i64).fetch_one(&self.db).await?;
        con.set_ex::<_, _, ()>(format!("product:{id}"), serde_json::to_string(&p)?, TTL_SECS).await?;
      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ cache-stampede
        Ok(p)
    }
    async fn user(&self, id: u64) -> User {
        match self.cache.get(&id).await {
            //^^^^^^^^^^^^^^^^^^^ cache-stampede
            Some(u) => u,
            None => {
                let u = self.client.get(format!("http://users/{id}")).send().await.unwrap().json::<User>().await.unwrap();
                self.cache.insert(id, u.clone()).await;
                u
            }
        }
    }
}
"#,
        );
    }

    #[test]
    fn silent_with_single_flight_jitter_or_no_origin_load() {
        check(
            "cache-stampede",
            r#"
use redis::AsyncCommands;
impl Catalog {
    async fn product(&self, id: u64) -> Result<Product, Arc<Error>> {
        self.cache.try_get_with(id, async { self.load(id).await }).await
    }
    async fn jittered(&self, id: u64) -> anyhow::Result<Product> {
        let _guard = self.locks.entry(id).or_default().clone().lock_owned().await;
        if let Some(json) = self.con.get::<_, Option<String>>(id).await? {
            return Ok(serde_json::from_str(&json)?);
        }
        let p = self.load(id).await?;
        let ttl = 270 + rand::random::<u64>() % 60;
        self.con.set_ex::<_, _, ()>(id, serde_json::to_string(&p)?, ttl).await?;
        Ok(p)
    }
    async fn copy(&self, id: u64) {
        let v: Option<String> = self.cache.get(id).await;
        self.cache.set(id + 1, v.unwrap()).await;
    }
    fn sync_memo(&mut self, k: u64) -> u64 {
        if let Some(v) = self.cache.get(&k) { return *v; }
        let v = expensive(k);
        self.cache.insert(k, v);
        v
    }
    async fn headers(&self, req: &Request) -> Option<String> {
        let h = req.headers().get("x-id");
        let body = self.client.get(url).send().await.ok()?;
        self.map.insert("k", body);
        None
    }
}
"#,
        );
    }
}
