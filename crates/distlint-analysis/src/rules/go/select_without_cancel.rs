//! `select-without-cancel` (category `timeouts-deadlines`): a `select` that waits for a reply in
//! a function that has a context, with no case for the context or a timer.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::rules::go::common::context_at;
use crate::syntax::{named_children, squash, Walk};

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
that reason.\n\
- Stop channels are recognised by name.",
        example: "func (s *Service) Do(ctx context.Context, j Job) (Result, error) {\n\ts.jobs <- j\n\tselect {\n\tcase r := <-j.reply:\n\t\treturn r, nil\n\tcase err := <-j.errc:\n\t\treturn Result{}, err\n\t}\n}",
        use_instead: "func (s *Service) Do(ctx context.Context, j Job) (Result, error) {\n\ts.jobs <- j\n\tselect {\n\tcase r := <-j.reply:\n\t\treturn r, nil\n\tcase err := <-j.errc:\n\t\treturn Result{}, err\n\tcase <-ctx.Done():\n\t\treturn Result{}, ctx.Err()\n\t}\n}",
        fix: "",
    },
};

const STOP_WORDS: &[&str] = &[
    "done", "stop", "quit", "clos", "shutdown", "cancel", "exit", "abort", "kill", "term", "ctx",
    "timeout", "timer", "ticker", "deadline",
];

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
                    || STOP_WORDS.iter().any(|w| t.contains(w))
            });
            if can_end {
                continue;
            }
            let Some(expr) = context_at(ctx, sel).context_expr() else {
                continue;
            };
            out.push(Finding::new(
                &META,
                sel.start_byte()..sel.start_byte() + 6,
                format!("`select` waits with no `<-{expr}.Done()` or timer case: if no reply comes, this goroutine waits forever after its caller gave up"),
            ));
        }
    }
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

func sendOnly(ctx context.Context, out chan int) {
    select {
    case out <- 1:
    }
}
"#,
        );
    }
}
