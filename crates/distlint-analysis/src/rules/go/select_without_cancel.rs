//! `select-without-cancel` (category `timeouts-deadlines`): a `select` that waits for a reply in
//! a function that has a context, with no case for the context or a timer.

use tree_sitter::Node;

use super::helpers::{context_at, enclosing_function};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{named_children, squash, Walk};
use crate::vocabulary::go::STOP_CHANNEL_WORDS;

/// The rule.
pub struct SelectWithoutCancel;

/// Registered instance.
pub static RULE: SelectWithoutCancel = SelectWithoutCancel;

static META: RuleMeta = RuleMeta {
    id: "select-without-cancel",
    language: Language::Go,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "Wait that ignores the caller's context",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `select` statements that wait to receive (a reply, a result) in a function \
that received a `context.Context` (or a handler's `*http.Request`), when no case can end the \
wait: no `<-ctx.Done()` (of any context), no timer (`time.After`, `timer.C`, `ticker.C`), no \
`default`, and no channel whose name says it signals a stop (`done`, `stop`, `quit`, `closing`, \
`shutdown`, `cancel`, `exit`).",
        why: "The function was given a deadline and then waits without it:\n\n\
1. A handler sends a job to a worker and `select`s on the worker's reply channel and an error \
channel.\n\
2. The worker is stuck (its own dependency hangs) and never replies.\n\
3. The client's deadline passes and `ctx` is cancelled, but nothing in the `select` listens: \
the handler goroutine waits forever, holding the request's memory and connection.\n\
4. Every later request joins the wait; goroutines and memory climb until the process is killed.\n\n\
A `case <-ctx.Done(): return ctx.Err()` ends the wait when the caller gives up.",
        known_problems: "- A reply channel that is guaranteed to be answered promptly (the \
worker always replies, even on its own errors, and cannot block) is reported; suppress with \
that reason. Not reported: channels made in the same function whose only producers are \
goroutines started there with the caller's context (a worker pool; the rule trusts that a \
goroutine given the context ends when it is cancelled, and does not check that it always \
sends).\n\
- A `select` that receives from an OS-signal channel (a parameter typed `chan os.Signal`, or a \
channel made as one or passed to `signal.Notify` in the same function) is a process-lifetime \
signal handler and is not reported.\n\
- Stop channels are recognised by name.",
        example: "func (s *Service) Do(ctx context.Context, j Job) (Result, error) {\n\ts.jobs <- j\n\tselect {\n\tcase r := <-j.reply:\n\t\treturn r, nil\n\tcase err := <-j.errc:\n\t\treturn Result{}, err\n\t}\n}",
        use_instead: "func (s *Service) Do(ctx context.Context, j Job) (Result, error) {\n\ts.jobs <- j\n\tselect {\n\tcase r := <-j.reply:\n\t\treturn r, nil\n\tcase err := <-j.errc:\n\t\treturn Result{}, err\n\tcase <-ctx.Done():\n\t\treturn Result{}, ctx.Err()\n\t}\n}",
        fix: "",
    },
};

impl Rule for SelectWithoutCancel {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `select` statement.
        &[&["select"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for sel in Walk::new(node) {
            if sel.kind() != "select_statement" {
                continue;
            }
            let cases = named_children(sel);
            if cases.iter().any(|c| c.kind() == "default_case") {
                continue;
            }
            let comms: Vec<Node<'_>> = cases
                .iter()
                .filter(|c| c.kind() == "communication_case")
                .filter_map(|c| c.child_by_field_name("communication"))
                .collect();
            if !comms.iter().any(|c| c.kind() == "receive_statement") {
                continue;
            }
            let can_end = comms.iter().any(|c| {
                let t = squash(ctx.text(*c)).to_ascii_lowercase();
                t.contains("time.after")
                    || t.contains("time.tick")
                    || t.ends_with(".c")
                    || STOP_CHANNEL_WORDS.iter().any(|w| t.contains(w))
            });
            if can_end {
                continue;
            }
            let fc = context_at(ctx, sel);
            let Some(expr) = fc.context_expr() else {
                continue;
            };
            let received: Vec<String> = comms
                .iter()
                .filter_map(|c| received_channel(ctx, *c))
                .collect();
            if received.iter().any(|ch| signal_channel(ctx, sel, ch)) {
                continue;
            }
            if let Some(func) = enclosing_function(sel) {
                let ctx_name = fc.ctx_param.clone().or(fc.request_param.clone());
                if let Some(ctx_name) = ctx_name {
                    if !received.is_empty()
                        && received.len()
                            == comms
                                .iter()
                                .filter(|c| c.kind() == "receive_statement")
                                .count()
                        && received
                            .iter()
                            .all(|ch| fed_by_context_workers(ctx, func, ch, &ctx_name))
                    {
                        continue;
                    }
                }
            }
            out.push(Finding::new(
                &META,
                sel.start_byte()..sel.start_byte() + 6,
                format!("`select` waits with no `<-{expr}.Done()` or timer case: if no reply comes, this goroutine waits forever after its caller gave up"),
            ));
        }
    }
}

/// The channel a `receive_statement` (`x := <-ch`, `<-ch`) receives from, squashed.
fn received_channel(ctx: &Context<'_>, comm: Node<'_>) -> Option<String> {
    if comm.kind() != "receive_statement" {
        return None;
    }
    let mut walk = Walk::new(comm);
    while let Some(n) = walk.next() {
        if n.kind() == "unary_expression" && ctx.text(n).trim_start().starts_with("<-") {
            return n
                .child_by_field_name("operand")
                .map(|o| squash(ctx.text(o)));
        }
    }
    None
}

/// True when `ch` carries OS signals: a parameter of an enclosing function typed
/// `chan os.Signal` (`<-chan os.Signal`), or, in the enclosing named function, made with
/// `make(chan os.Signal, n)` or registered with `signal.Notify(ch, ...)`. A goroutine that waits
/// for signals does so for the life of the process (containerd's `handleSignals`); there is no
/// caller that gives up on it.
fn signal_channel(ctx: &Context<'_>, sel: Node<'_>, ch: &str) -> bool {
    for f in crate::syntax::ancestors(sel).filter(|a| super::helpers::is_func(*a)) {
        if let Some(params) = f.child_by_field_name("parameters") {
            for p in named_children(params) {
                let ty = p
                    .child_by_field_name("type")
                    .map(|t| squash(ctx.text(t)))
                    .unwrap_or_default();
                let mut c = p.walk();
                let named = p
                    .children_by_field_name("name", &mut c)
                    .any(|n| ctx.text(n) == ch);
                if named && ty.contains("chan") && ty.ends_with("os.Signal") {
                    return true;
                }
            }
        }
        if f.kind() != "func_literal" {
            let made = format!("{ch}:=make(chanos.Signal");
            let made_var = format!("{ch}=make(chanos.Signal");
            let notify = format!("signal.Notify({ch},");
            return Walk::new(f).any(|n| {
                matches!(
                    n.kind(),
                    "short_var_declaration"
                        | "assignment_statement"
                        | "var_spec"
                        | "call_expression"
                ) && {
                    let t = squash(ctx.text(n));
                    t.starts_with(&made) || t.starts_with(&made_var) || t.starts_with(&notify)
                }
            });
        }
    }
    false
}

/// True when `ch` is a channel made in `func` (`ch := make(chan T, n)`) whose only producers
/// started in `func` are goroutines that were given the caller's context (`ctx_name` appears
/// in the `go` statement), and which is not handed to any other call: a worker pool whose
/// workers end when the context is cancelled, so they always answer (minio-go's
/// `putObjectMultipartStreamParallel`, whose part uploads return their buffer and error on
/// channels it made). The rule trusts that a goroutine given the context stops on it.
fn fed_by_context_workers(ctx: &Context<'_>, func: Node<'_>, ch: &str, ctx_name: &str) -> bool {
    let made = [format!("{ch}:=make(chan"), format!("{ch}=make(chan")];
    let made_here = Walk::new(func).any(|n| {
        matches!(
            n.kind(),
            "short_var_declaration" | "assignment_statement" | "var_spec"
        ) && {
            let t = squash(ctx.text(n));
            made.iter().any(|m| t.starts_with(m.as_str()))
        }
    });
    if !made_here {
        return false;
    }
    let mut workers = 0;
    let mut walk = Walk::new(func);
    while let Some(n) = walk.next() {
        match n.kind() {
            "go_statement" => {
                walk.skip_subtree();
                let uses_ch = mentions(ctx, n, ch);
                if uses_ch {
                    if !mentions(ctx, n, ctx_name) {
                        return false;
                    }
                    workers += 1;
                }
            }
            "argument_list" => {
                let builtin = n
                    .parent()
                    .and_then(|c| c.child_by_field_name("function"))
                    .is_some_and(|f| matches!(ctx.text(f), "close" | "len" | "cap"));
                if !builtin && named_children(n).iter().any(|a| squash(ctx.text(*a)) == ch) {
                    return false;
                }
            }
            _ => {}
        }
    }
    workers > 0
}

/// True when an identifier (or `r.Context`-style selector root) named `name` occurs in `node`.
fn mentions(ctx: &Context<'_>, node: Node<'_>, name: &str) -> bool {
    Walk::new(node).any(|n| n.kind() == "identifier" && ctx.text(n) == name)
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_reply_waits_that_ignore_the_context() {
        check(
            "select-without-cancel",
            r#"
package svc

import (
    "context"
    "net/http"
)

type Job struct {
    reply chan int
    errc  chan error
}

func Do(ctx context.Context, jobs chan<- Job, j Job) (int, error) {
    jobs <- j
    select {
  //^^^^^^ select-without-cancel
    case r := <-j.reply:
        return r, nil
    case err := <-j.errc:
        return 0, err
    }
}

func handler(w http.ResponseWriter, r *http.Request) {
    results := make(chan string)
    go func() { results <- "ok" }()
    select {
  //^^^^^^ select-without-cancel
    case s := <-results:
        w.Write([]byte(s))
    }
}

// Look-alikes of the worker-pool and signal exemptions: the worker is not given the context,
// the channel is handed to another function, the channel carries no signals.
func pool(ctx context.Context, work func() error) error {
    errCh := make(chan error, 1)
    go func() { errCh <- work() }()
    select {
  //^^^^^^ select-without-cancel
    case err := <-errCh:
        return err
    }
}

func handedOn(ctx context.Context) error {
    errCh := make(chan error, 1)
    go run(ctx, errCh)
    startOther(errCh)
    select {
  //^^^^^^ select-without-cancel
    case err := <-errCh:
        return err
    }
}

func notSignals(ctx context.Context, events chan string) string {
    select {
  //^^^^^^ select-without-cancel
    case e := <-events:
        return e
    }
}
"#,
        );
    }

    #[test]
    fn silent_with_done_timer_default_stop_channels_or_no_context() {
        check(
            "select-without-cancel",
            r#"
package svc

import (
    "context"
    "os"
    "os/signal"
    "syscall"
    "time"
)

func withDone(ctx context.Context, reply chan int) int {
    select {
    case r := <-reply:
        return r
    case <-ctx.Done():
        return 0
    }
}

func withTimer(ctx context.Context, reply chan int) int {
    t := time.NewTimer(time.Second)
    select {
    case r := <-reply:
        return r
    case <-t.C:
        return 0
    case <-time.After(time.Second):
        return 0
    }
}

func nonBlocking(ctx context.Context, reply chan int) int {
    select {
    case r := <-reply:
        return r
    default:
        return 0
    }
}

func stopChannel(ctx context.Context, reply chan int, stopc chan struct{}) int {
    select {
    case r := <-reply:
        return r
    case <-stopc:
        return 0
    }
}

func noContext(reply chan int) int {
    select {
    case r := <-reply:
        return r
    }
}

// Reduced from containerd 1.6 cmd/containerd/command/main_unix.go: a process-lifetime
// signal handler.
func handleSignals(ctx context.Context, signals chan os.Signal, serverC chan *Server, cancel func()) chan struct{} {
    done := make(chan struct{}, 1)
    go func() {
        var server *Server
        for {
            select {
            case s := <-serverC:
                server = s
            case s := <-signals:
                log.G(ctx).WithField("signal", s).Debug("received signal")
                cancel()
                server.Stop()
                close(done)
                return
            }
        }
    }()
    return done
}

func notifyHere(ctx context.Context, reload chan string) {
    sigs := make(chan os.Signal, 1)
    signal.Notify(sigs, syscall.SIGHUP)
    for {
        select {
        case <-sigs:
            log.G(ctx).Info("reload")
        case name := <-reload:
            log.G(ctx).Info(name)
        }
    }
}

// Reduced from minio-go 7.0.46 api-put-object-streaming.go: buffers and errors come back from
// part uploads started here with the caller's context.
func (c *Client) putParallel(ctx context.Context, parts int) error {
    ctx, cancel := context.WithCancel(ctx)
    defer cancel()
    bufs := make(chan []byte, 4)
    for i := 0; i < 4; i++ {
        bufs <- make([]byte, 16)
    }
    errCh := make(chan error, 4)
    for p := 1; p <= parts; p++ {
        var buf []byte
        select {
        case buf = <-bufs:
        case err := <-errCh:
            return err
        }
        go func(p int) {
            if err := c.uploadPart(ctx, p, buf); err != nil {
                errCh <- err
            }
            bufs <- buf
        }(p)
    }
    return nil
}

func sendOnly(ctx context.Context, out chan int) {
    select {
    case out <- 1:
    }
}
"#,
        );
    }
}
