//! `mutex-held-across-io` (category `lock-across-await`): a `sync.Mutex`/`RWMutex` held while the
//! goroutine blocks on the network or on a channel send.

use tree_sitter::Node;

use super::helpers::{call_args, method_name, method_receiver, pkg_call};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{named_children, squash, Walk};
use crate::vocabulary::go::{BROKER_IO_METHODS, DB_IO_METHODS};

/// The rule.
pub struct MutexHeldAcrossIo;

/// Registered instance.
pub static RULE: MutexHeldAcrossIo = MutexHeldAcrossIo;

static META: RuleMeta = RuleMeta {
    id: "mutex-held-across-io",
    language: Language::Go,
    category: "lock-across-await",
    severity: Severity::Major,
    title: "Mutex held across network I/O",
    // Unit scope: the buffered channels of the file are a file fact (`ctx.facts()`).
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `mu.Lock()` / `mu.RLock()` followed — before the matching `Unlock` in the \
same block, or anywhere after it under `defer mu.Unlock()` — by a call that waits on another \
machine: `net/http` requests (`http.Get`, `client.Do(req)`), `net.Dial`, reads and writes on a \
connection (`conn.Read`, `conn.Write`), database queries (`QueryContext`, `ExecContext`, \
`QueryRow`, `Query`, `Exec` on a db/tx handle), gRPC-style client calls (`client.X(ctx, ...)`), \
Redis, Kafka, NATS and AMQP calls (`WriteMessages`, `ReadMessage`, `SendMessage`, `Publish`, \
`Request`), or a send on a channel not known to be buffered (`ch <- v` outside a `select` with \
`default`; a Prometheus collector's `chan<- Metric` is not counted). The finding is on the \
`Lock()` call. The message says whether the channel was made unbuffered in this file or its \
capacity is not visible here; for an `RLock` it says that writers wait (and readers that arrive \
while a writer waits), not every reader.",
        why: "A mutex held across I/O makes every goroutine that needs the mutex wait for the \
slowest peer:\n\n\
1. A cache refreshes an entry under `c.mu.Lock()` by calling the backing service, which usually \
answers in 5 ms.\n\
2. The backing service has a bad minute and answers in 30 s (or never, with no timeout).\n\
3. Every request that reads any cache entry blocks on `c.mu` behind the refresh. Goroutines \
pile up; the service's own latency goes from 1 ms to 30 s although only one key was slow.\n\
4. Health checks that touch the cache time out, the orchestrator restarts the instance, and the \
restarted instance's cold cache sends even more traffic to the struggling service.\n\n\
A send on an unbuffered channel under a lock is the same story with a slow consumer instead of \
a slow peer — and a deadlock if the consumer needs the same lock.",
        known_problems: "- The called methods are recognised by name and receiver name \
(`db`, `tx`, `conn`, `client`, `redis`, ...), not by type: a local type with a `Publish` method \
that only appends to a slice is reported; suppress with that reason.\n\
- Channels made with a capacity elsewhere (another file of the package, a constructor in \
another package) are not resolved: their sends are reported, and the message says the capacity \
is not visible in the file. A channel made with `make(chan T, n)` (n other than 0) in the same \
file under the same name, or stored from a local so made (`ch := make(chan T, n)` ... \
`listener{alerts: ch}`), is treated as buffered, although a full buffer also blocks.\n\
- Sends on a Prometheus collector's channel (a parameter typed `chan<- Metric` or \
`chan<- *Desc`, as in `Collect(ch chan<- prometheus.Metric)`) are not reported: the registry \
drains that channel concurrently in the same process while gathering, so the send is an \
in-process hand-off, and holding the collector's lock during `Collect` is the idiomatic way to \
report a consistent snapshot. A slow `Collect` delays only the scrape.\n\
- Reads and writes on a connection owned by the same object as the lock (`b.lock` around \
`b.conn.Write`) are not reported: serialising frames on one connection is what such a lock is \
for.\n\
- Locks released in another function, or through helper methods, are not followed.",
        example: "func (c *Cache) Refresh(ctx context.Context, key string) error {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tv, err := c.client.Get(ctx, key) // network call with the lock held\n\tif err != nil {\n\t\treturn err\n\t}\n\tc.items[key] = v\n\treturn nil\n}",
        use_instead: "func (c *Cache) Refresh(ctx context.Context, key string) error {\n\tv, err := c.client.Get(ctx, key) // no lock held while waiting\n\tif err != nil {\n\t\treturn err\n\t}\n\tc.mu.Lock()\n\tc.items[key] = v\n\tc.mu.Unlock()\n\treturn nil\n}",
        fix: "",
    },
};

impl Rule for MutexHeldAcrossIo {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `Lock()`/`RLock()` in the file.
        &[&["Lock"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for call in Walk::new(node) {
            let Some(m) = method_name(ctx, call) else {
                continue;
            };
            if !(m == "Lock" || m == "RLock") || !call_args(call).is_empty() {
                continue;
            }
            let Some(recv) = method_receiver(call) else {
                continue;
            };
            let mu = squash(ctx.text(recv));
            let Some(stmt) = call.parent().filter(|p| p.kind() == "expression_statement") else {
                continue;
            };
            let section = critical_section(ctx, stmt, &mu);
            if section.is_empty() {
                continue;
            }
            if let Some((what, _)) = section
                .iter()
                .find_map(|s| blocking_in(ctx, *s, &mu).map(|w| (w, s)))
            {
                // A read lock does not block other readers: only writers wait, and the readers
                // that `sync.RWMutex` queues behind a waiting writer.
                let message = if m == "RLock" {
                    format!("`{mu}` is read-locked across {what}: writers wait for the slowest peer (or forever), and so do readers that arrive while a writer is waiting")
                } else {
                    format!("`{mu}` is held across {what}: every goroutine that needs the lock waits for the slowest peer (or forever)")
                };
                out.push(Finding::new(&META, call.byte_range(), message));
            }
        }
    }
}

/// The statements executed with the lock held: the siblings after `lock_stmt` up to the first
/// statement that unlocks `mu`, or — when a `defer mu.Unlock()` follows — the rest of the block.
fn critical_section<'t>(ctx: &Context<'_>, lock_stmt: Node<'t>, mu: &str) -> Vec<Node<'t>> {
    let unlock = format!("{mu}.Unlock()");
    let runlock = format!("{mu}.RUnlock()");
    let mut out = Vec::new();
    let mut next = lock_stmt.next_named_sibling();
    while let Some(s) = next {
        next = s.next_named_sibling();
        let t = squash(ctx.text(s));
        if s.kind() == "defer_statement" && (t.contains(&unlock) || t.contains(&runlock)) {
            continue;
        }
        if t == unlock || t == runlock {
            break;
        }
        if t.contains(&unlock) || t.contains(&runlock) {
            // Unlocked inside a nested block (`if ... { mu.Unlock(); return }`): the statements
            // before that point in this statement may still run locked; stop here for precision.
            break;
        }
        out.push(s);
    }
    out
}

fn last_segment(s: &str) -> &str {
    s.rsplit('.').next().unwrap_or(s)
}

/// A blocking network operation or channel send in `stmt` (outside function literals and `go`
/// statements), described for the message.
fn blocking_in(ctx: &Context<'_>, stmt: Node<'_>, mu: &str) -> Option<String> {
    let mut walk = Walk::new(stmt);
    while let Some(n) = walk.next() {
        match n.kind() {
            "func_literal" | "go_statement" => walk.skip_subtree(),
            "send_statement" => {
                if in_select_with_default(n) {
                    continue;
                }
                let ch = n
                    .child_by_field_name("channel")
                    .map(|c| squash(ctx.text(c)))
                    .unwrap_or_default();
                // Channels made with a capacity in the file (`x := make(chan T, 16)`, `s.ch =
                // make(chan T, n)`, `ch: make(chan T, 16)`), by last name segment: a file fact.
                let name = last_segment(&ch);
                if ctx.facts().buffered_channel(name) {
                    continue;
                }
                if collector_channel(ctx, n, &ch) {
                    continue;
                }
                match channel_capacity_in_file(ctx, name) {
                    Capacity::Buffered => continue,
                    Capacity::Unbuffered => {
                        return Some(format!("a send on `{ch}` (made unbuffered in this file)"))
                    }
                    Capacity::NotVisible => {
                        return Some(format!(
                        "a send on `{ch}` (its capacity is not visible in this file: it may block)"
                    ))
                    }
                }
            }
            "call_expression" => {
                if let Some(what) = network_call(ctx, n, mu) {
                    return Some(what);
                }
            }
            _ => {}
        }
    }
    None
}

/// What the file shows about the capacity of the channels stored under a name.
enum Capacity {
    /// Stored from a local that holds a buffered channel (`ch := make(chan T, n)` ...
    /// `listener{alerts: ch}`, `s.alerts = ch`).
    Buffered,
    /// Made with `make(chan T)` or `make(chan T, 0)` under that name, and never buffered.
    Unbuffered,
    /// No `make` for that name in this file (made in another file or package).
    NotVisible,
}

/// Resolves, in this file, a channel the buffered-channel fact does not know (by last name
/// segment `name`): stored from a local that the fact knows as buffered, or made unbuffered
/// under that name. Reads the whole file (declared with `whole_file`): only reached for a send
/// under a lock.
fn channel_capacity_in_file(ctx: &Context<'_>, name: &str) -> Capacity {
    ctx.facts().whole_file();
    let last = |t: &str| squash(t).rsplit('.').next().unwrap_or("").to_string();
    let mut unbuffered = false;
    for n in Walk::new(ctx.root) {
        // (stored-under name, value)
        let pair = match n.kind() {
            "keyed_element" => {
                let kids = named_children(n);
                (kids.len() == 2).then(|| (kids[0], kids[1]))
            }
            "assignment_statement" | "short_var_declaration" => {
                match (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) {
                    (Some(l), Some(r)) => {
                        let (l, r) = (named_children(l), named_children(r));
                        (l.len() == 1 && r.len() == 1).then(|| (l[0], r[0]))
                    }
                    _ => None,
                }
            }
            "var_spec" => match (
                n.child_by_field_name("name"),
                n.child_by_field_name("value"),
            ) {
                (Some(k), Some(v)) => named_children(v).first().map(|v| (k, *v)),
                _ => None,
            },
            _ => None,
        };
        let Some((key, value)) = pair else { continue };
        if last(ctx.text(key)) != name {
            continue;
        }
        // A keyed element's value sits in a `literal_element`.
        let value = if value.kind() == "literal_element" {
            match value.named_child(0) {
                Some(v) => v,
                None => continue,
            }
        } else {
            value
        };
        match value.kind() {
            "identifier" => {
                if ctx.facts().buffered_channel(ctx.text(value)) {
                    return Capacity::Buffered;
                }
            }
            "call_expression" => {
                let v = squash(ctx.text(value));
                if v.starts_with("make(chan") || v.starts_with("make(<-chan") {
                    // Buffered makes are in the fact; this one has no capacity (or `0`).
                    unbuffered = true;
                }
            }
            _ => {}
        }
    }
    if unbuffered {
        Capacity::Unbuffered
    } else {
        Capacity::NotVisible
    }
}

/// True when `ch` is a parameter of the enclosing function typed `chan<- Metric` or
/// `chan<- *Desc` (any package qualifier, e.g. `prometheus.Metric`): the channel a Prometheus
/// registry hands to `Collector.Collect`/`Describe`. The registry drains it concurrently in the
/// same process while it gathers (client_golang's `Registry.Gather`), so a send on it is an
/// in-process hand-off, not a wait on a peer; holding a lock while collecting is the documented
/// pattern for consistent snapshots.
fn collector_channel(ctx: &Context<'_>, send: Node<'_>, ch: &str) -> bool {
    let Some(func) = super::helpers::enclosing_function(send) else {
        return false;
    };
    let Some(params) = func.child_by_field_name("parameters") else {
        return false;
    };
    named_children(params).into_iter().any(|p| {
        let Some(ty) = p.child_by_field_name("type") else {
            return false;
        };
        let t = squash(ctx.text(ty));
        let Some(elem) = t.strip_prefix("chan<-") else {
            return false;
        };
        let elem = last_segment(elem.trim_start_matches('*'));
        let mut c = p.walk();
        let named = p
            .children_by_field_name("name", &mut c)
            .any(|n| ctx.text(n) == ch);
        named && (elem == "Metric" || elem == "Desc")
    })
}

fn in_select_with_default(send: Node<'_>) -> bool {
    let Some(case) = send.parent().filter(|p| p.kind() == "communication_case") else {
        return false;
    };
    case.parent().is_some_and(|sel| {
        named_children(sel)
            .iter()
            .any(|c| c.kind() == "default_case")
    })
}

fn network_call(ctx: &Context<'_>, call: Node<'_>, mu: &str) -> Option<String> {
    if let Some((path, m)) = pkg_call(ctx, call) {
        let hit = match path {
            "net/http" => matches!(m, "Get" | "Post" | "Head" | "PostForm"),
            "net" => m.starts_with("Dial"),
            _ => false,
        };
        return hit.then(|| format!("a network call (`{}`)", first_line(ctx.text(call))));
    }
    let m = method_name(ctx, call)?;
    let recv = method_receiver(call)?;
    let r = squash(ctx.text(recv));
    let rl = last_segment(&r).to_ascii_lowercase();
    let args = call_args(call);
    let first_is_ctx = args.first().is_some_and(|a| {
        matches!(
            ctx.text(*a),
            "ctx" | "context.Background()" | "context.TODO()"
        ) || ctx.text(*a).ends_with("Context()")
    });
    let hit = if rl.contains("client") || rl == "cli" || rl == "c.cli" {
        // HTTP client `Do(req)`, or a gRPC/etcd/Redis-style client call taking a context.
        (m == "Do" && args.len() == 1)
            || matches!(m, "Get" | "Post" | "Head")
                && !first_is_ctx
                && args.len() >= 1
                && rl.contains("http")
            || first_is_ctx
    } else if rl == "db"
        || rl == "tx"
        || rl.ends_with("db")
        || rl.ends_with("tx")
        || rl.contains("pool")
    {
        DB_IO_METHODS.contains(&m)
    } else if rl.contains("conn") || rl == "nc" {
        // A lock of the object that owns the connection (`b.lock` around `b.conn.Write`)
        // serialises frames on that connection: that is what the lock is for.
        let owner = |x: &str| {
            x.rsplit_once('.')
                .map(|(o, _)| o.to_string())
                .unwrap_or_default()
        };
        let owned = !owner(mu).is_empty() && owner(mu) == owner(&r);
        !owned
            && (matches!(
                m,
                "Read" | "Write" | "ReadFrom" | "WriteTo" | "Publish" | "Request" | "Flush"
            ) || DB_IO_METHODS.contains(&m))
    } else if rl.contains("redis") || rl == "rdb" || rl == "rds" {
        first_is_ctx
    } else if rl.contains("producer")
        || rl.contains("writer")
        || rl.contains("reader")
        || rl.contains("consumer")
        || rl.contains("channel")
        || rl == "ch"
    {
        BROKER_IO_METHODS.contains(&m) || (m == "Publish" && first_is_ctx)
    } else {
        BROKER_IO_METHODS.contains(&m)
    };
    hit.then(|| format!("a network call (`{}`)", first_line(ctx.text(call))))
}

fn first_line(s: &str) -> &str {
    let l = s.lines().next().unwrap_or(s);
    if l.len() > 60 {
        let mut end = 60;
        while !l.is_char_boundary(end) {
            end -= 1;
        }
        &l[..end]
    } else {
        l
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_network_calls_and_sends_under_a_lock() {
        check(
            "mutex-held-across-io",
            r#"
package cache

import (
    "context"
    "database/sql"
    "net"
    "net/http"
    "sync"
)

type Cache struct {
    mu     sync.Mutex
    client *http.Client
    db     *sql.DB
    events chan string
    items  map[string]string
}

func (c *Cache) Refresh(ctx context.Context, u string) error {
    c.mu.Lock()
  //^^^^^^^^^^^ mutex-held-across-io
    defer c.mu.Unlock()
    req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
    resp, err := c.client.Do(req)
    if err != nil {
        return err
    }
    resp.Body.Close()
    return nil
}

func (c *Cache) Store(ctx context.Context, k, v string) error {
    c.mu.RLock()
  //^^^^^^^^^^^^ mutex-held-across-io
    _, err := c.db.ExecContext(ctx, "INSERT INTO kv VALUES (?, ?)", k, v)
    c.mu.RUnlock()
    return err
}

func (c *Cache) Notify(k string) {
    c.mu.Lock()
  //^^^^^^^^^^^ mutex-held-across-io
    c.items[k] = ""
    c.events <- k
    c.mu.Unlock()
}

func (c *Cache) Dial(addr string) {
    var mu sync.Mutex
    mu.Lock()
  //^^^^^^^^^ mutex-held-across-io
    conn, _ := net.Dial("tcp", addr)
    conn.Write([]byte("x"))
    mu.Unlock()
}
"#,
        );
    }

    #[test]
    fn silent_for_prometheus_collectors() {
        // Reduced from containerd 1.6 metrics/cgroups/v1 (metrics.go, oom.go) and
        // client_golang 1.14 prometheus/vec.go: the registry's in-process channel.
        check(
            "mutex-held-across-io",
            r#"
package metrics

import (
    "sync"

    "github.com/prometheus/client_golang/prometheus"
)

type oomCollector struct {
    mu   sync.Mutex
    desc *prometheus.Desc
    set  map[string]int64
}

func (o *oomCollector) Describe(ch chan<- *prometheus.Desc) {
    o.mu.Lock()
    defer o.mu.Unlock()
    ch <- o.desc
}

func (o *oomCollector) Collect(ch chan<- prometheus.Metric) {
    o.mu.Lock()
    defer o.mu.Unlock()
    for id, c := range o.set {
        ch <- prometheus.MustNewConstMetric(o.desc, prometheus.CounterValue, float64(c), id)
    }
}

type metricMap struct {
    mtx     sync.RWMutex
    metrics map[uint64][]Metric
}

func (m *metricMap) Collect(ch chan<- Metric) {
    m.mtx.RLock()
    defer m.mtx.RUnlock()
    for _, metrics := range m.metrics {
        for _, metric := range metrics {
            ch <- metric
        }
    }
}
"#,
        );
        // The look-alike: a channel parameter of another element type is still a wait.
        check(
            "mutex-held-across-io",
            r#"
package metrics

import "sync"

type hub struct{ mu sync.Mutex }

func (h *hub) Forward(ch chan<- Event, e Event) {
    h.mu.Lock()
  //^^^^^^^^^^^ mutex-held-across-io
    defer h.mu.Unlock()
    ch <- e
}
"#,
        );
    }

    #[test]
    fn silent_when_unlocked_before_io_or_only_memory_work() {
        check(
            "mutex-held-across-io",
            r#"
package cache

import (
    "context"
    "net"
    "net/http"
    "sync"
)

type Cache struct {
    mu     sync.Mutex
    client *http.Client
    items  map[string]string
    ready  chan struct{}
    queue  chan string
    conn   net.Conn
}

func New() *Cache {
    return &Cache{queue: make(chan string, 128)}
}

func (c *Cache) Refresh(ctx context.Context, u string) error {
    c.mu.Lock()
    n := len(c.items)
    c.mu.Unlock()
    _ = n
    resp, err := c.client.Get(u)
    if err != nil {
        return err
    }
    resp.Body.Close()
    return nil
}

// Alertmanager's mem provider: the listener's channel is made buffered into a local and stored
// in a keyed literal.
func (c *Cache) Subscribe(n int) listener {
    var (
        done = make(chan struct{})
        ch   = make(chan string, max(n, 200))
    )
    l := listener{alerts: ch, done: done}
    c.listeners = append(c.listeners, l)
    return l
}

func (c *Cache) Put(a string) {
    c.mu.Lock()
    for _, l := range c.listeners {
        select {
        case l.alerts <- a:
        case <-l.done:
        }
    }
    c.mu.Unlock()
}

func (c *Cache) Set(k, v string) {
    c.mu.Lock()
    defer c.mu.Unlock()
    c.items[k] = v
    go func() { c.ready <- struct{}{} }()
    c.conn.Write(nil)
    select {
    case c.ready <- struct{}{}:
    default:
    }
    c.queue <- k
}
"#,
        );
    }

    #[test]
    fn messages_say_what_waits_and_what_is_known_of_the_channel() {
        let src = "package p\n\nimport \"sync\"\n\ntype R struct {\n\tmu sync.RWMutex\n\tobs []chan int\n\tnotifyCh chan int\n\tdone chan int\n}\n\nfunc New() *R { return &R{done: make(chan int)} }\n\nfunc (r *R) Observe(v int) {\n\tr.mu.RLock()\n\tdefer r.mu.RUnlock()\n\tr.notifyCh <- v\n}\n\nfunc (r *R) Vote() {\n\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n\tr.notifyCh <- 1\n}\n\nfunc (r *R) Stop() {\n\tr.mu.Lock()\n\tr.done <- 1\n\tr.mu.Unlock()\n}\n";
        let f = crate::testing::raw("mutex-held-across-io", src);
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:#?}");
        // hashicorp/raft's observer: a read lock; the channel is made in another file.
        assert!(msgs[0].starts_with("`r.mu` is read-locked across a send on `r.notifyCh` (its capacity is not visible in this file"), "{}", msgs[0]);
        assert!(
            msgs[0].contains("writers wait") && !msgs[0].contains("every goroutine"),
            "{}",
            msgs[0]
        );
        assert!(!msgs[0].contains("unbuffered"), "{}", msgs[0]);
        assert!(
            msgs[1].contains("every goroutine that needs the lock waits"),
            "{}",
            msgs[1]
        );
        assert!(
            msgs[2].contains("a send on `r.done` (made unbuffered in this file)"),
            "{}",
            msgs[2]
        );
    }
}
