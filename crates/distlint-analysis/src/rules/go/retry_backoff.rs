//! `retry-backoff-go` (category `retry-backoff`): retry loops that wait a constant time, or
//! double the wait without jitter.

use tree_sitter::Node;

use super::helpers::{
    call_args, enclosing_named_func, is_pkg_call, loop_level, pkg_call, retry_loop,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{squash, Walk};

/// The rule.
pub struct RetryBackoff;

/// Registered instance.
pub static RULE: RetryBackoff = RetryBackoff;

static META: RuleMeta = RuleMeta {
    id: "retry-backoff-go",
    language: Language::Go,
    category: "retry-backoff",
    severity: Severity::Minor,
    title: "Retry without backoff or jitter",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds the wait between attempts of a reconnect loop — a retry loop (see \
`unbounded-retry-go` for how retry loops are recognised) that dials, connects, pings or opens a \
session to a remote service — when it is a constant — `time.Sleep(time.Second)`, \
`<-time.After(500 * time.Millisecond)`, a `const` delay — or a delay that doubles \
(`d *= 2`, `d <<= 1`, `d = d * 2`) with no randomness anywhere in the function (no `math/rand` \
call, no `jitter`). Fixed reconnect waits are the common case.",
        why: "Clients that wait the same time retry at the same time:\n\n\
1. A database fails over; for 3 s every connection from 200 service instances fails.\n\
2. Each instance's reconnect loop sleeps exactly 1 s and tries again. Because they all failed at \
the same moment, they all retry at the same moment — 200 × pool-size connection attempts \
arrive in the same millisecond, every second.\n\
3. The new primary, warming its caches, is knocked over by the synchronised wave; the failover \
that should have taken 3 s takes minutes.\n\
4. Exponential backoff without jitter spreads the waves out in time but keeps them synchronised: \
each wave is still every client at once.\n\n\
Exponential backoff with random jitter (\"full jitter\", AWS Architecture Blog, 2015) spreads \
the retries so the recovering server sees a smooth trickle.",
        known_problems: "- Only reconnect loops are checked. In the precision trial, constant \
waits in other retry loops were mostly single-client polling (test harnesses waiting for a \
cluster to become healthy), where synchronised retries do no harm; those are not reported, and \
neither are retries of ordinary requests with constant waits (a false negative when many \
clients run the loop).\n\
- Accept loops (`l.Accept()`) back off on local listener errors and are not reported.\n\
- A wait under `if os.IsNotExist(err)` (or `errors.Is(err, os.ErrNotExist)`) waits for a local \
path — a socket or named pipe that a just-started child process creates — and is not \
reported; the other waits of the same loop still are.\n\
- A constant wait is harmless when only one process retries against a \
resource no one else uses (a local file lock); suppress with that reason.\n\
- Jitter added by a helper in another function is not seen; randomness anywhere in the \
function counts as jitter.",
        example: "for {\n\tconn, err := net.DialTimeout(\"tcp\", addr, 5*time.Second)\n\tif err == nil {\n\t\treturn conn, nil\n\t}\n\ttime.Sleep(time.Second)\n}",
        use_instead: "b := backoff.NewExponentialBackOff() // cenkalti/backoff: exponential, jittered, capped\nfor {\n\tconn, err := net.DialTimeout(\"tcp\", addr, 5*time.Second)\n\tif err == nil {\n\t\treturn conn, nil\n\t}\n\td := b.NextBackOff()\n\tif d == backoff.Stop {\n\t\treturn nil, err\n\t}\n\ttime.Sleep(d)\n}",
        fix: "",
    },
};

impl Rule for RetryBackoff {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `time.Sleep`/`time.After`.
        &[&["Sleep", "After"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for n in Walk::new(node) {
            let Some(rl) = retry_loop(ctx, n) else {
                continue;
            };
            let level = loop_level(rl.body);
            // Only loops that (re)connect to a remote service: many clients lose the same
            // server at the same moment, so their waits line up. Accept loops back off on local
            // listener errors, where synchronisation does not matter.
            if !level.iter().any(|m| connects(ctx, *m)) || level.iter().any(|m| accepts(ctx, *m)) {
                continue;
            }
            let jitter = has_jitter(ctx, enclosing_named_func(n).unwrap_or(rl.node));
            for m in &level {
                if !is_pkg_call(ctx, *m, "time", &["Sleep", "After"]) {
                    continue;
                }
                let Some(arg) = call_args(*m).first().copied() else {
                    continue;
                };
                if waits_for_local_path(ctx, *m, rl.body) {
                    continue;
                }
                if is_constant(ctx, arg) {
                    if jitter {
                        continue;
                    }
                    out.push(Finding::new(
                        &META,
                        m.byte_range(),
                        "retry waits a constant time: clients that failed together retry together and hit the recovering service in synchronised waves",
                    ));
                } else if arg.kind() == "identifier"
                    && !jitter
                    && doubles(ctx, &level, ctx.text(arg))
                {
                    out.push(Finding::new(
                        &META,
                        m.byte_range(),
                        "exponential backoff without jitter: every client still retries in the same waves; add random jitter",
                    ));
                }
            }
        }
    }
}

/// A call that establishes a connection or session to a remote service: `net.Dial*`,
/// `grpc.Dial*`/`NewClient`, `nats.Connect`, `amqp.Dial`, `x.Ping`, `x.Connect`, `Reconnect`...
pub(crate) fn connects(ctx: &Context<'_>, call: Node<'_>) -> bool {
    if call.kind() != "call_expression" {
        return false;
    }
    let Some(f) = call.child_by_field_name("function") else {
        return false;
    };
    let name = match f.kind() {
        "selector_expression" => f
            .child_by_field_name("field")
            .map(|x| ctx.text(x))
            .unwrap_or(""),
        "identifier" => ctx.text(f),
        _ => "",
    };
    name.starts_with("Dial")
        || name.starts_with("dial")
        || name.starts_with("Connect")
        || name.starts_with("connect")
        || name.starts_with("Reconnect")
        || name.starts_with("reconnect")
        || name == "Ping"
        || name == "PingContext"
        || name == "NewClient"
        || name == "NewSession"
}

/// True when the wait sits under an `if` that tests for a missing file (`os.IsNotExist(err)`,
/// `errors.Is(err, os.ErrNotExist)`, `fs.ErrNotExist`): the loop waits for a local path — a Unix
/// socket or named pipe a child process it just started will create (containerd's shim
/// `AnonDialer`) — to appear, so there is no shared, recovering service for synchronised
/// clients to hit.
fn waits_for_local_path(ctx: &Context<'_>, wait: Node<'_>, body: Node<'_>) -> bool {
    crate::syntax::ancestors(wait)
        .take_while(|a| a.id() != body.id())
        .filter(|a| a.kind() == "if_statement")
        .filter_map(|a| a.child_by_field_name("condition"))
        .any(|c| {
            let t = ctx.text(c);
            t.contains("IsNotExist(") || t.contains("ErrNotExist")
        })
}

/// `l.Accept()`.
fn accepts(ctx: &Context<'_>, call: Node<'_>) -> bool {
    call.kind() == "call_expression"
        && super::helpers::method_name(ctx, call).is_some_and(|m| m.starts_with("Accept"))
}

/// A duration built only from literals, `time` unit constants and `const` identifiers.
fn is_constant(ctx: &Context<'_>, arg: Node<'_>) -> bool {
    let mut walk = Walk::new(arg);
    while let Some(n) = walk.next() {
        match n.kind() {
            "selector_expression" => {
                if pkg_call_like_time_unit(ctx, n) {
                    walk.skip_subtree();
                    continue;
                }
                return false;
            }
            "call_expression" => {
                // `time.Duration(3)` conversions are fine; any other call is not constant.
                if !pkg_call(ctx, n).is_some_and(|(p, m)| p == "time" && m == "Duration") {
                    return false;
                }
            }
            "identifier" => {
                // Names declared with `const` at file level (a file fact).
                if !ctx.facts().go_const(ctx.text(n), true) {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

fn pkg_call_like_time_unit(ctx: &Context<'_>, sel: Node<'_>) -> bool {
    super::helpers::pkg_selector(ctx, sel).is_some_and(|(p, m)| {
        p == "time"
            && matches!(
                m,
                "Nanosecond"
                    | "Microsecond"
                    | "Millisecond"
                    | "Second"
                    | "Minute"
                    | "Hour"
                    | "Duration"
            )
    })
}

/// `name *= 2`, `name <<= 1`, `name = name * 2`, `name = 2 * name`, `name += name`.
fn doubles(ctx: &Context<'_>, level: &[Node<'_>], name: &str) -> bool {
    level.iter().any(|n| {
        if n.kind() != "assignment_statement" {
            return false;
        }
        let (Some(l), Some(r), Some(op)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
            n.child_by_field_name("operator"),
        ) else {
            return false;
        };
        if squash(ctx.text(l)) != name {
            return false;
        }
        let r = squash(ctx.text(r));
        match ctx.text(op) {
            "*=" => r == "2",
            "<<=" => r == "1",
            "+=" => r == name,
            "=" => r == format!("{name}*2") || r == format!("2*{name}"),
            _ => false,
        }
    })
}

/// Randomness anywhere in `scope`: a `math/rand` call or an identifier mentioning jitter.
fn has_jitter(ctx: &Context<'_>, scope: Node<'_>) -> bool {
    Walk::new(scope).any(|n| match n.kind() {
        "call_expression" => {
            pkg_call(ctx, n).is_some_and(|(p, _)| p.starts_with("math/rand") || p == "crypto/rand")
        }
        "identifier" | "field_identifier" => ctx.text(n).to_ascii_lowercase().contains("jitter"),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_constant_waits_and_unjittered_doubling() {
        check(
            "retry-backoff-go",
            r#"
package conn

import (
    "net"
    "os"
    "time"
)

const retryDelay = 500 * time.Millisecond

func waitSocket(addr string) net.Conn {
    for {
        c, err := net.Dial("unix", addr)
        if err == nil {
            return c
        }
        if os.IsNotExist(err) {
            continue
        }
        time.Sleep(time.Second)
      //^^^^^^^^^^^^^^^^^^^^^^^ retry-backoff-go
    }
}

func reconnect(addr string) net.Conn {
    for {
        c, err := net.DialTimeout("tcp", addr, 5*time.Second)
        if err == nil {
            return c
        }
        time.Sleep(time.Second)
      //^^^^^^^^^^^^^^^^^^^^^^^ retry-backoff-go
    }
}

func publish(c *Client) error {
    var err error
    for i := 0; i < 5; i++ {
        if err = c.Connect(); err != nil {
            <-time.After(retryDelay)
            //^^^^^^^^^^^^^^^^^^^^^^ retry-backoff-go
            continue
        }
        return nil
    }
    return err
}

func doubling(c *Client) error {
    delay := 100 * time.Millisecond
    for attempt := 0; attempt < 8; attempt++ {
        err := c.Ping()
        if err == nil {
            return nil
        }
        time.Sleep(delay)
      //^^^^^^^^^^^^^^^^^ retry-backoff-go
        delay *= 2
    }
    return nil
}
"#,
        );
    }

    #[test]
    fn silent_with_jitter_backoff_libraries_and_non_retry_loops() {
        check(
            "retry-backoff-go",
            r#"
package conn

import (
    "context"
    "math/rand"
    "net"
    "os"
    "time"

    "github.com/cenkalti/backoff/v4"
)

func jittered(addr string) net.Conn {
    delay := 100 * time.Millisecond
    for {
        c, err := net.DialTimeout("tcp", addr, 5*time.Second)
        if err == nil {
            return c
        }
        time.Sleep(delay + time.Duration(rand.Int63n(int64(delay))))
        delay *= 2
    }
}

func withLibrary(addr string) net.Conn {
    b := backoff.NewExponentialBackOff()
    for {
        c, err := net.DialTimeout("tcp", addr, 5*time.Second)
        if err == nil {
            return c
        }
        time.Sleep(b.NextBackOff())
    }
}

func poll(check func() bool) {
    for !check() {
        time.Sleep(time.Second)
    }
}

func ticker(work func() error) {
    for range time.Tick(time.Second) {
        _ = work()
    }
}

func items(xs []string, send func(string) error) {
    for _, x := range xs {
        if err := send(x); err != nil {
            time.Sleep(time.Second)
            continue
        }
    }
}

func notAReconnect(send func() error) {
    for {
        if err := send(); err != nil {
            time.Sleep(time.Second)
            continue
        }
        return
    }
}

// Reduced from containerd 1.6 runtime/v2/shim/util_windows.go: waiting for the named pipe of a
// shim it just started, capped at 5 s.
func AnonDialer(address string, timeout time.Duration) (net.Conn, error) {
    ctx, cancel := context.WithTimeout(context.Background(), timeout)
    defer cancel()
    serveTimer := time.NewTimer(5 * time.Second)
    defer serveTimer.Stop()
    for {
        c, err := winio.DialPipeContext(ctx, address)
        if err != nil {
            if os.IsNotExist(err) {
                select {
                case <-serveTimer.C:
                    return nil, err
                default:
                    time.Sleep(10 * time.Millisecond)
                    continue
                }
            } else if err == context.DeadlineExceeded {
                return nil, err
            }
            return nil, err
        }
        return c, nil
    }
}

func acceptLoop(l net.Listener) {
    delay := 5 * time.Millisecond
    for {
        c, err := l.Accept()
        if err != nil {
            time.Sleep(delay)
            delay *= 2
            continue
        }
        _ = c
        net.Dial("tcp", "x")
    }
}

func variable(addr string, wait time.Duration) net.Conn {
    for {
        c, err := net.DialTimeout("tcp", addr, 5*time.Second)
        if err == nil {
            return c
        }
        time.Sleep(wait)
    }
}
"#,
        );
    }
}
