//! `grpc-call-without-deadline` (category `timeouts-deadlines`): a call on a generated gRPC
//! client stub whose context is `context.Background()`/`context.TODO()` (directly, or through
//! a variable derived from one without `WithTimeout`/`WithDeadline`).

use std::collections::HashSet;

use tree_sitter::Node;

use super::helpers::{
    assigned_name, assigned_value, call_args, context_at, enclosing_function, enclosing_named_func,
    ensure_import, func_name, inside_go_statement, is_background_ctx, is_func, is_pkg_call,
    line_indent, line_start, pkg_call, qualified_type,
};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, FileReads, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity,
    TextEdit,
};
use crate::syntax::{ancestors, named_children, squash, Walk};
use crate::vocabulary::go::ETCD_CLIENT_INTERFACES;

/// The rule.
pub struct GrpcCallWithoutDeadline;

/// Registered instance.
pub static RULE: GrpcCallWithoutDeadline = GrpcCallWithoutDeadline;

static META: RuleMeta = RuleMeta {
    id: "grpc-call-without-deadline",
    language: Language::Go,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "gRPC call without a deadline",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds calls on a generated gRPC client stub whose context is \
`context.Background()` or `context.TODO()`, passed directly or through a local variable derived \
from one (`context.WithCancel`, `context.WithValue`, `metadata.NewOutgoingContext`, \
`metadata.AppendToOutgoingContext`) with no `context.WithTimeout`/`WithDeadline` on the way.\n\n\
A stub is a value built by `pkg.NewXClient(conn)` (where `pkg` is a protobuf package, its import \
path or name ending in `pb` or holding `proto`/`grpc`, or `conn` comes from `grpc.Dial`, \
`grpc.DialContext`, `grpc.NewClient` or is typed `*grpc.ClientConn`/`grpc.ClientConnInterface`), \
or a parameter, struct field or variable typed `pb.XClient`. Calls on etcd's v3 client \
(`*clientv3.Client`, `cli.KV`, `cli.Auth`, ... — gRPC calls with no default deadline) count too. \
Names are resolved through the file's imports, aliases included.",
        why: "gRPC has no default deadline: a call without one waits as long as the connection \
lives.\n\n\
1. A reconciler calls `client.GetConfig(context.Background(), req)` on a stub for a \
config service.\n\
2. The config service's process is alive but stuck (a deadlock, a full disk, a GC pause spiral); \
the TCP connection stays up and HTTP/2 keepalives are answered by the transport.\n\
3. The call never returns: no deadline means no `DEADLINE_EXCEEDED`, and nothing else cancels \
`Background()`.\n\
4. The reconciler's goroutine is stuck for good; every tick starts another one that joins it. \
Goroutines, streams and memory climb, and the server's `MaxConcurrentStreams` fills, so even \
healthy calls on that connection queue. gRPC's own guidance: always set a deadline.\n\n\
`context.WithTimeout` bounds the wait and turns a stuck peer into an error the caller can retry \
or report.",
        known_problems: "- Silent when the enclosing function received a `context.Context` or a \
handler's `*http.Request`: `context-not-propagated` reports the `Background()` there (inside a \
`go func() { ... }()` started from such a function this rule reports it instead).\n\
- Silent, as the issue asks, in `main` and `init` (command-line tools usually bound the whole \
program), in `_test.go` files, and for contexts built with `WithTimeout`/`WithDeadline` (also \
`WithTimeout(context.Background(), d)` used for shutdown or flushing).\n\
- Silent when the context comes from `context.WithCancel` and the function calls its `cancel` \
other than in a `defer` (on a signal, from a watchdog goroutine): cancellation by hand is a \
bound the code chose, as in an interactive command stopped by Ctrl-C.\n\
- Silent when the file installs a unary client interceptor or a default service config whose \
arguments mention a timeout or deadline (`grpc.WithUnaryInterceptor(timeoutInterceptor(5*time.Second))`, \
`grpc.WithDefaultServiceConfig(cfg)` with a `timeout` in `cfg`'s text): it is assumed to set a \
per-call deadline. One installed in another file (or a service config pushed by the resolver) is \
not seen, so those calls are reported.\n\
- Streaming calls usually must not have a deadline (a watch stream lives as long as its \
watcher). Client-streaming and bidirectional calls are recognised by their signature (no request \
message: only the context and `grpc.*` call options); server-streaming calls take a request like \
unary ones and are recognised when the result has `Recv`/`Send`/`CloseSend`/`CloseAndRecv` \
called on it in the function, or when the method name starts with `Watch`, `Subscribe`, \
`Stream`, `Tail`, `Follow` or `Listen` or ends with `Stream`. A server stream returned to the \
caller is reported, and the finding's fix would be wrong for it.\n\
- The generated code is not read: a value is a stub only by the shapes above. Of hand-written \
wrappers only etcd's v3 client is recognised (`*clientv3.Client` and its `KV`, `Lease`, \
`Cluster`, `Maintenance`, `Auth` interfaces, typed or from `clientv3.New*`; `Watch`, \
`KeepAlive`, `Lock`, `Campaign`, `Snapshot` and `Close` are left alone). etcd's `kv.Txn(ctx)` \
only builds a transaction: the finding stays on `Txn(...)` (where the context is chosen) and the \
message names `.Commit()` as the call that waits (in the same chain, or on the variable the \
transaction is stored in), or says that the commit is not visible there. A package-level context variable (`var bg = context.Background()`) is not \
followed.",
        example: "func (r *Reconciler) refresh() error {\n\tcfg, err := r.client.GetConfig(context.Background(), &pb.GetConfigRequest{})\n\tif err != nil {\n\t\treturn err\n\t}\n\tr.apply(cfg)\n\treturn nil\n}",
        use_instead: "func (r *Reconciler) refresh() error {\n\tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)\n\tdefer cancel()\n\tcfg, err := r.client.GetConfig(ctx, &pb.GetConfigRequest{})\n\tif err != nil {\n\t\treturn err\n\t}\n\tr.apply(cfg)\n\treturn nil\n}",
        fix: "**Add a deadline** (unsafe: a call that legitimately takes longer now fails, and a \
streaming call returned to the caller would be cancelled when the function returns): when \
`context.Background()`/`TODO()` is the call's own argument, inserts \
`rpcCtx, rpcCancel := context.WithTimeout(context.Background(), N * time.Second)` and \
`defer rpcCancel()` before the statement (N from `fix.timeout_seconds`, default 30), passes \
`rpcCtx`, and adds the `time` import when missing. Not offered inside loops (the deferred \
cancels would pile up), in `go`/`defer` statements, or when `rpcCtx`/`rpcCancel` already occur \
in the function; a context that reaches the call through a variable gets only the suppression.",
    },
};

impl Rule for GrpcCallWithoutDeadline {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn file_reads(&self) -> FileReads {
        // Stubs are recognised from struct fields, package-level variables and dial options
        // anywhere in the file; a finding needs a `Background()`/`TODO()` in the unit.
        FileReads::Anything
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `Background()`/`TODO()` in the unit (checked first thing in `check`).
        &[&["Background", "TODO"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        let unit = ctx.text(node);
        if !unit.contains("Background") && !unit.contains("TODO") {
            return;
        }
        // The origin is a call `context.Background()` / `context.TODO()` in the unit (not a
        // `TODO` comment): exact on a unit without syntax errors (`crate::textscan`).
        if !node.has_error()
            && !crate::textscan::word_followed_by(unit, "Background", b"(")
            && !crate::textscan::word_followed_by(unit, "TODO", b"(")
        {
            return;
        }
        // No gRPC or protobuf import: no stub can be named in this file.
        if !ctx.imports.names.iter().any(|(local, path)| {
            path == "google.golang.org/grpc" || is_pb_package(path, local) || is_etcd_path(path)
        }) {
            return;
        }
        let bg_names = background_names(ctx, node);
        let mut file: Option<std::sync::Arc<FileStubs>> = None;
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            let Some(f) = call
                .child_by_field_name("function")
                .filter(|f| f.kind() == "selector_expression")
            else {
                continue;
            };
            let (Some(recv), Some(method)) = (
                f.child_by_field_name("operand"),
                f.child_by_field_name("field"),
            ) else {
                continue;
            };
            // Generated RPC methods are exported.
            if !ctx
                .text(method)
                .starts_with(|c: char| c.is_ascii_uppercase())
            {
                continue;
            }
            let Some(first) = call_args(call).into_iter().next() else {
                continue;
            };
            // Cheap pre-check before following the variable through the function.
            if first.kind() == "identifier" && !bg_names.contains(ctx.text(first)) {
                continue;
            }
            let Some(origin) = background_origin(ctx, first) else {
                continue;
            };
            // `context-not-propagated` reports a `Background()` in a function with a context.
            if context_at(ctx, origin).has_context() && !inside_go_statement(origin) {
                continue;
            }
            if enclosing_named_func(call).is_some_and(|f| {
                f.kind() == "function_declaration"
                    && matches!(func_name(ctx, f), Some("main" | "init"))
            }) {
                continue;
            }
            // Collected once per analysis of the file, shared by every unit (`Context::file_memo`).
            let file = file.get_or_insert_with(|| ctx.file_memo(|| FileStubs::collect(ctx)));
            if file.deadline_interceptor {
                continue;
            }
            let etcd = is_etcd_client(ctx, file, recv);
            if !etcd && !is_stub(ctx, file, recv) {
                continue;
            }
            let method = ctx.text(method);
            // etcd's wrapper has no client-streaming calls (a single-argument call such as
            // `MemberList(ctx)` is unary); `Lock`/`Campaign`-style waits are deliberate.
            if is_streaming(ctx, call, method)
                || (!etcd && !has_request_message(ctx, call))
                || (etcd && matches!(method, "Lock" | "Campaign" | "Snapshot" | "Close"))
            {
                continue;
            }
            let what = if ctx.text(origin).contains("TODO") {
                "context.TODO()"
            } else {
                "context.Background()"
            };
            let message = if etcd && method == "Txn" {
                // `kv.Txn(ctx)` only builds the transaction: the RPC is sent by `Commit()`.
                let bound = if origin.id() == first.id() {
                    format!("`{what}`")
                } else {
                    format!("`{}` (from `{what}`)", ctx.text(first))
                };
                let committed_var =
                    assigned_name(ctx, call).filter(|v| committed_later(ctx, call, v));
                if chained_commit(ctx, call) {
                    format!(
                        "etcd transaction built with {bound} and sent by `.Commit()` with no deadline: if the server stalls, `Commit()` waits forever"
                    )
                } else if let Some(v) = committed_var {
                    format!(
                        "etcd transaction `{v}` built with {bound} and sent by `{v}...Commit()` with no deadline: if the server stalls, `Commit()` waits forever"
                    )
                } else {
                    format!(
                        "etcd transaction built with {bound}, which has no deadline: the `Commit()` that sends it (not visible in this expression) waits forever if the server stalls"
                    )
                }
            } else if origin.id() == first.id() {
                format!(
                    "gRPC call `{method}` with `{what}` has no deadline: if the server stalls, this call waits forever"
                )
            } else {
                format!(
                    "gRPC call `{method}`: `{}` comes from `{what}` with no deadline; if the server stalls, this call waits forever",
                    ctx.text(first)
                )
            };
            let mut finding = Finding::new(&META, call.byte_range(), message);
            if origin.id() == first.id() {
                if let Some(fix) = fix(ctx, call, first) {
                    finding = finding.with_fix(fix);
                }
            }
            out.push(finding);
        }
    }
}

/// Whether the builder returned by `call` (etcd's `kv.Txn(ctx)`) is committed in the same
/// method chain: `kv.Txn(ctx).If(..).Then(..).Else(..).Commit()`.
fn chained_commit(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let mut n = call;
    for _ in 0..16 {
        let Some(sel) = n.parent().filter(|p| p.kind() == "selector_expression") else {
            return false;
        };
        let Some(outer) = sel.parent().filter(|p| p.kind() == "call_expression") else {
            return false;
        };
        if sel
            .child_by_field_name("field")
            .is_some_and(|f| ctx.text(f) == "Commit")
        {
            return true;
        }
        n = outer;
    }
    false
}

/// Whether the enclosing function commits the transaction stored in `var`
/// (`txn.If(..).Then(..).Commit()` or `txn.Commit()`).
fn committed_later(ctx: &Context<'_>, call: Node<'_>, var: &str) -> bool {
    let Some(f) = enclosing_named_func(call) else {
        return false;
    };
    let prefix = format!("{var}.");
    Walk::new(f).any(|n| {
        n.kind() == "call_expression" && n.start_byte() > call.end_byte() && {
            let t = squash(ctx.text(n));
            t.starts_with(&prefix) && t.ends_with(".Commit()")
        }
    })
}

/// Names in `unit` that may hold a context from `Background()`/`TODO()`: assigned from an
/// expression that mentions `Background`/`TODO` or another such name (a superset of what
/// [`background_origin`] accepts; one walk, then a fixpoint over the assignments).
fn background_names(ctx: &Context<'_>, unit: Node<'_>) -> HashSet<String> {
    let mut assigns: Vec<(Vec<String>, String)> = Vec::new();
    for n in Walk::new(unit) {
        let (left, right) = match n.kind() {
            "short_var_declaration" | "assignment_statement" => (
                n.child_by_field_name("left").map(named_children),
                n.child_by_field_name("right"),
            ),
            "var_spec" => {
                let mut c = n.walk();
                let names: Vec<Node<'_>> = n.children_by_field_name("name", &mut c).collect();
                (Some(names), n.child_by_field_name("value"))
            }
            _ => continue,
        };
        let (Some(left), Some(right)) = (left, right) else {
            continue;
        };
        assigns.push((
            left.iter().map(|l| ctx.text(*l).to_string()).collect(),
            ctx.text(right).to_string(),
        ));
    }
    let mut names: HashSet<String> = HashSet::new();
    loop {
        let before = names.len();
        for (left, right) in &assigns {
            let hit = right.contains("Background")
                || right.contains("TODO")
                || right
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| names.contains(w));
            if hit {
                names.extend(left.iter().cloned());
            }
        }
        if names.len() == before {
            return names;
        }
    }
}

/// Calls that derive a context from their first argument without bounding it.
fn derives_unbounded(ctx: &Context<'_>, call: Node<'_>) -> bool {
    is_pkg_call(
        ctx,
        call,
        "context",
        &[
            "WithCancel",
            "WithCancelCause",
            "WithValue",
            "WithoutCancel",
        ],
    ) || is_pkg_call(
        ctx,
        call,
        "google.golang.org/grpc/metadata",
        &["NewOutgoingContext", "AppendToOutgoingContext"],
    )
}

/// The `context.Background()`/`TODO()` call a context expression comes from, following local
/// variables backwards (latest visible assignment before the use) and unbounded derivations.
/// `None` when the context is bounded (`WithTimeout`/`WithDeadline`), a parameter, or unknown.
fn background_origin<'t>(ctx: &Context<'_>, expr: Node<'t>) -> Option<Node<'t>> {
    let mut e = unparen(expr);
    // Each step moves to an expression that starts earlier in the file, so this terminates;
    // the bound keeps pathological chains cheap.
    for _ in 0..32 {
        if is_background_ctx(ctx, e) {
            return Some(e);
        }
        match e.kind() {
            "call_expression" if derives_unbounded(ctx, e) => {
                if cancel_called_by_hand(ctx, e) {
                    return None;
                }
                e = unparen(call_args(e).into_iter().next()?);
            }
            "identifier" => {
                let name = ctx.text(e);
                if is_parameter(ctx, e, name) {
                    return None;
                }
                e = unparen(last_assignment(ctx, e, name)?);
            }
            _ => return None,
        }
    }
    None
}

/// `ctx, cancel := context.WithCancel(parent)` where the function calls `cancel()` other than
/// in a `defer` (on a signal, on an event, from a watchdog goroutine): the wait is cancellable by
/// hand, which is a bound the code chose (an interactive `etcdctl elect` cancelled by Ctrl-C).
fn cancel_called_by_hand(ctx: &Context<'_>, derive: Node<'_>) -> bool {
    if !is_pkg_call(ctx, derive, "context", &["WithCancel", "WithCancelCause"]) {
        return false;
    }
    let Some(list) = derive.parent().filter(|p| p.kind() == "expression_list") else {
        return false;
    };
    let Some(stmt) = list
        .parent()
        .filter(|s| matches!(s.kind(), "short_var_declaration" | "assignment_statement"))
    else {
        return false;
    };
    let Some(cancel) = stmt
        .child_by_field_name("left")
        .and_then(|l| named_children(l).get(1).copied())
        .map(|c| ctx.text(c))
        .filter(|c| *c != "_")
    else {
        return false;
    };
    let Some(func) = enclosing_named_func(derive) else {
        return false;
    };
    Walk::new(func).any(|n| {
        n.kind() == "call_expression"
            && n.child_by_field_name("function")
                .is_some_and(|f| ctx.text(f) == cancel)
            && !n.parent().is_some_and(|p| p.kind() == "defer_statement")
    })
}

fn unparen(mut n: Node<'_>) -> Node<'_> {
    while n.kind() == "parenthesized_expression" {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

/// True when `name` is a parameter, receiver or named result of a function enclosing `at`.
fn is_parameter(ctx: &Context<'_>, at: Node<'_>, name: &str) -> bool {
    ancestors(at).filter(|a| is_func(*a)).any(|f| {
        ["parameters", "receiver", "result"].iter().any(|field| {
            f.child_by_field_name(field).is_some_and(|list| {
                named_children(list)
                    .into_iter()
                    .filter(|p| {
                        matches!(
                            p.kind(),
                            "parameter_declaration" | "variadic_parameter_declaration"
                        )
                    })
                    .any(|p| {
                        let mut c = p.walk();
                        let found = p
                            .children_by_field_name("name", &mut c)
                            .any(|n| ctx.text(n) == name);
                        found
                    })
            })
        })
    })
}

/// The right-hand side assigned to `name` by the textually latest assignment (`:=`, `=`, `var`)
/// that ends before `at` in the enclosing named function and whose scope contains `at`
/// (a `:=` in a sibling block is not visible; a plain `=` anywhere earlier counts, so a
/// conditional `ctx, cancel = context.WithTimeout(ctx, d)` makes the context bounded).
fn last_assignment<'t>(ctx: &Context<'_>, at: Node<'t>, name: &str) -> Option<Node<'t>> {
    let scope = enclosing_named_func(at)?;
    let mut best: Option<(usize, Node<'t>)> = None;
    for stmt in Walk::new(scope) {
        if stmt.start_byte() >= at.start_byte() {
            break;
        }
        if stmt.end_byte() > at.start_byte() {
            continue;
        }
        let rhs = match stmt.kind() {
            "short_var_declaration" | "assignment_statement" => {
                if stmt.kind() == "assignment_statement"
                    && stmt
                        .child_by_field_name("operator")
                        .is_some_and(|o| ctx.text(o) != "=")
                {
                    continue;
                }
                let Some(value) = assigned_value(ctx, stmt, name) else {
                    continue;
                };
                if stmt.kind() == "short_var_declaration" && !visible(stmt, at) {
                    continue;
                }
                Some(value)
            }
            "var_spec" => {
                let mut c = stmt.walk();
                let names: Vec<Node<'t>> = stmt.children_by_field_name("name", &mut c).collect();
                let Some(i) = names.iter().position(|x| ctx.text(*x) == name) else {
                    continue;
                };
                if !visible(stmt, at) {
                    continue;
                }
                let Some(values) = stmt.child_by_field_name("value") else {
                    // `var ctx context.Context`: the zero value, not a Background.
                    best = None;
                    continue;
                };
                let vs = named_children(values);
                if vs.len() == names.len() {
                    vs.get(i).copied()
                } else {
                    vs.first().copied()
                }
            }
            _ => continue,
        };
        if let Some(r) = rhs {
            if best.is_none_or(|(s, _)| stmt.start_byte() >= s) {
                best = Some((stmt.start_byte(), r));
            }
        }
    }
    best.map(|(_, r)| r)
}

/// True when a declaration's scope (its enclosing block, or the `if`/`for`/`switch` whose header
/// holds it) contains `at`.
fn visible(decl: Node<'_>, at: Node<'_>) -> bool {
    let scope = ancestors(decl).find(|a| {
        matches!(
            a.kind(),
            "block"
                | "if_statement"
                | "for_statement"
                | "expression_switch_statement"
                | "type_switch_statement"
                | "select_statement"
                | "expression_case"
                | "default_case"
                | "communication_case"
                | "type_case"
                | "func_literal"
                | "function_declaration"
                | "method_declaration"
        )
    });
    scope.is_some_and(|s| s.start_byte() <= at.start_byte() && at.end_byte() <= s.end_byte())
}

/// What the file says about gRPC stubs and connections.
#[derive(Default)]
struct FileStubs {
    /// Last path segments of values that are gRPC connections (`conn` for `c.conn`).
    conns: HashSet<String>,
    /// Struct field names holding stubs (by declared type, composite literal or assignment).
    fields: HashSet<String>,
    /// Package-level variables holding stubs.
    globals: HashSet<String>,
    /// Import paths of packages whose `NewXClient(conn)` takes a gRPC connection in this file
    /// (their `XClient` types are stubs even when the path does not look generated).
    stub_pkgs: HashSet<String>,
    /// Struct fields holding an etcd v3 client (`*clientv3.Client`, `clientv3.KV`, ...).
    etcd_fields: HashSet<String>,
    /// Package-level variables holding an etcd v3 client.
    etcd_globals: HashSet<String>,
    /// A unary client interceptor whose arguments mention a timeout or deadline.
    deadline_interceptor: bool,
}

impl FileStubs {
    fn collect(ctx: &Context<'_>) -> Self {
        let mut s = FileStubs::default();
        // One walk, over the top-level declarations that can mention a connection, a stub or
        // an interceptor at all; the nodes of interest are kept and read below.
        let mut calls: Vec<Node<'_>> = Vec::new();
        let mut decls: Vec<Node<'_>> = Vec::new();
        for top in named_children(ctx.root) {
            let t = ctx.text(top);
            if !(t.contains("Client")
                || t.contains("Dial")
                || t.contains("Interceptor")
                || t.contains("clientv3"))
            {
                continue;
            }
            for n in Walk::new(top) {
                match n.kind() {
                    "call_expression" => calls.push(n),
                    "parameter_declaration" | "field_declaration" | "var_spec" => decls.push(n),
                    _ => {}
                }
            }
        }
        // Connections first: stub constructors are recognised by their argument.
        for &n in &calls {
            if is_pkg_call(
                ctx,
                n,
                "google.golang.org/grpc",
                &["Dial", "DialContext", "NewClient"],
            ) {
                if let Some(name) = assigned_name(ctx, n) {
                    s.conns.insert(last_segment(&name).to_string());
                }
            }
            if is_pkg_call(
                ctx,
                n,
                "google.golang.org/grpc",
                &[
                    "WithUnaryInterceptor",
                    "WithChainUnaryInterceptor",
                    "WithDefaultServiceConfig",
                ],
            ) {
                let args = ctx.text(n).to_ascii_lowercase();
                if args.contains("timeout") || args.contains("deadline") {
                    s.deadline_interceptor = true;
                }
            }
        }
        for &n in &decls {
            if n.child_by_field_name("type")
                .is_some_and(|ty| is_conn_type(ctx, ty))
            {
                let mut c = n.walk();
                for name in n.children_by_field_name("name", &mut c) {
                    s.conns.insert(ctx.text(name).to_string());
                }
            }
        }
        for &n in &calls {
            if is_etcd_ctor(ctx, n) {
                if let Some(name) = assigned_name(ctx, n).filter(|x| x.contains('.')) {
                    s.etcd_fields.insert(last_segment(&name).to_string());
                }
            }
        }
        let ctors: Vec<Node<'_>> = calls
            .into_iter()
            .filter(|n| is_stub_ctor(ctx, &s, *n))
            .collect();
        for &n in &ctors {
            if let Some((path, _)) = pkg_call(ctx, n) {
                s.stub_pkgs.insert(path.to_string());
            }
        }
        for &n in &ctors {
            // `s.client = pb.NewXClient(conn)` or `T{client: pb.NewXClient(conn)}`.
            if let Some(name) = assigned_name(ctx, n) {
                if name.contains('.') {
                    s.fields.insert(last_segment(&name).to_string());
                }
            }
            if let Some(key) = n
                .parent()
                .filter(|p| p.kind() == "literal_element")
                .and_then(|p| p.parent())
                .filter(|k| k.kind() == "keyed_element")
                .and_then(|k| k.named_child(0))
            {
                s.fields.insert(squash(ctx.text(key)));
            }
        }
        for &n in &decls {
            match n.kind() {
                "field_declaration" => {
                    if n.child_by_field_name("type")
                        .is_some_and(|t| is_etcd_type(ctx, t))
                    {
                        let mut c = n.walk();
                        for name in n.children_by_field_name("name", &mut c) {
                            s.etcd_fields.insert(ctx.text(name).to_string());
                        }
                    }
                    if n.child_by_field_name("type")
                        .is_some_and(|t| is_stub_type(ctx, &s, t))
                    {
                        let mut c = n.walk();
                        for name in n.children_by_field_name("name", &mut c) {
                            s.fields.insert(ctx.text(name).to_string());
                        }
                    }
                }
                "var_spec" if is_package_level(n) => {
                    let typed = n
                        .child_by_field_name("type")
                        .is_some_and(|t| is_stub_type(ctx, &s, t));
                    let mut c = n.walk();
                    let names: Vec<Node<'_>> = n.children_by_field_name("name", &mut c).collect();
                    let values = n
                        .child_by_field_name("value")
                        .map(named_children)
                        .unwrap_or_default();
                    for (i, name) in names.iter().enumerate() {
                        if typed || values.get(i).is_some_and(|v| is_stub_ctor(ctx, &s, *v)) {
                            s.globals.insert(ctx.text(*name).to_string());
                        }
                    }
                    let etcd_typed = n
                        .child_by_field_name("type")
                        .is_some_and(|t| is_etcd_type(ctx, t));
                    for (i, name) in names.iter().enumerate() {
                        if etcd_typed || values.get(i).is_some_and(|v| is_etcd_ctor(ctx, *v)) {
                            s.etcd_globals.insert(ctx.text(*name).to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        s
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn is_package_level(n: Node<'_>) -> bool {
    !ancestors(n).any(is_func)
}

/// `*grpc.ClientConn` or `grpc.ClientConnInterface`.
fn is_conn_type(ctx: &Context<'_>, ty: Node<'_>) -> bool {
    matches!(
        qualified_type(ctx, ty),
        Some((
            "google.golang.org/grpc",
            "ClientConn" | "ClientConnInterface"
        ))
    )
}

/// A package that holds generated protobuf/gRPC code: its import path's last segment or its
/// local name ends in `pb`, or the path mentions `proto` or `grpc` (other than grpc itself).
fn is_pb_package(path: &str, local: &str) -> bool {
    if path == "google.golang.org/grpc" || path.starts_with("google.golang.org/grpc/metadata") {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or(path);
    last.ends_with("pb") || local.ends_with("pb") || path.contains("proto") || path.contains("grpc")
}

/// A generated client interface type `pb.XClient` (not a pointer: stubs are interfaces), `pb` a
/// protobuf package or one whose stub constructor the file calls with a gRPC connection.
fn is_stub_type(ctx: &Context<'_>, file: &FileStubs, ty: Node<'_>) -> bool {
    if ty.kind() != "qualified_type" {
        return false;
    }
    let (Some(pkg), Some((path, name))) =
        (ty.child_by_field_name("package"), qualified_type(ctx, ty))
    else {
        return false;
    };
    name.len() > "Client".len()
        && name.ends_with("Client")
        && (is_pb_package(path, ctx.text(pkg)) || file.stub_pkgs.contains(path))
}

/// `pkg.NewXClient(conn)`: one argument, `pkg` a protobuf package or `conn` a gRPC connection.
fn is_stub_ctor(ctx: &Context<'_>, file: &FileStubs, call: Node<'_>) -> bool {
    let Some((path, member)) = pkg_call(ctx, call) else {
        return false;
    };
    if !(member.len() > "NewClient".len()
        && member.starts_with("New")
        && member.ends_with("Client"))
    {
        return false;
    }
    let args = call_args(call);
    if args.len() != 1 {
        return false;
    }
    let local = call
        .child_by_field_name("function")
        .and_then(|f| f.child_by_field_name("operand"))
        .map(|o| ctx.text(o))
        .unwrap_or("");
    is_pb_package(path, local)
        || file
            .conns
            .contains(last_segment(&squash(ctx.text(args[0]))))
}

/// etcd's v3 client package (3.4 and 3.5 paths, and the old coreos path).
fn is_etcd_path(path: &str) -> bool {
    matches!(
        path,
        "go.etcd.io/etcd/clientv3"
            | "go.etcd.io/etcd/client/v3"
            | "github.com/coreos/etcd/clientv3"
    )
}

/// `*clientv3.Client`, `clientv3.KV`, `clientv3.Lease`, ... (pointer or not).
fn is_etcd_type(ctx: &Context<'_>, ty: Node<'_>) -> bool {
    qualified_type(ctx, ty).is_some_and(|(p, n)| {
        is_etcd_path(p) && (n == "Client" || ETCD_CLIENT_INTERFACES.contains(&n))
    })
}

/// `clientv3.New(cfg)`, `NewFromURL(s)`, `NewKV(c)`, `NewLease(c)`, ...
fn is_etcd_ctor(ctx: &Context<'_>, call: Node<'_>) -> bool {
    pkg_call(ctx, call).is_some_and(|(p, m)| {
        is_etcd_path(p)
            && (matches!(m, "New" | "NewFromURL" | "NewFromURLs")
                || m.strip_prefix("New")
                    .is_some_and(|r| ETCD_CLIENT_INTERFACES.contains(&r)))
    })
}

/// True when the receiver is an etcd v3 client (or one of its embedded interfaces): a
/// hand-written wrapper whose methods are gRPC calls with no default deadline.
fn is_etcd_client(ctx: &Context<'_>, file: &FileStubs, recv: Node<'_>) -> bool {
    let recv = unparen(recv);
    match recv.kind() {
        "call_expression" => is_etcd_ctor(ctx, recv),
        "selector_expression" => {
            let (Some(op), Some(f)) = (
                recv.child_by_field_name("operand"),
                recv.child_by_field_name("field"),
            ) else {
                return false;
            };
            let field = ctx.text(f);
            file.etcd_fields.contains(field)
                || (ETCD_CLIENT_INTERFACES.contains(&field)
                    && match unparen(op).kind() {
                        "identifier" => etcd_local(ctx, file, unparen(op)),
                        "selector_expression" => unparen(op)
                            .child_by_field_name("field")
                            .is_some_and(|g| file.etcd_fields.contains(ctx.text(g))),
                        _ => false,
                    })
        }
        "identifier" => etcd_local(ctx, file, recv),
        _ => false,
    }
}

fn etcd_local(ctx: &Context<'_>, file: &FileStubs, id: Node<'_>) -> bool {
    let name = ctx.text(id);
    local_holds(
        ctx,
        id,
        name,
        |t| is_etcd_type(ctx, t),
        |v| is_etcd_ctor(ctx, v),
    )
    .unwrap_or_else(|| file.etcd_globals.contains(name))
}

/// True when the receiver of a call is a gRPC stub.
fn is_stub(ctx: &Context<'_>, file: &FileStubs, recv: Node<'_>) -> bool {
    let recv = unparen(recv);
    match recv.kind() {
        "call_expression" => is_stub_ctor(ctx, file, recv),
        "selector_expression" => recv
            .child_by_field_name("field")
            .is_some_and(|f| file.fields.contains(ctx.text(f))),
        "identifier" => {
            let name = ctx.text(recv);
            local_stub(ctx, file, recv, name).unwrap_or_else(|| file.globals.contains(name))
        }
        _ => false,
    }
}

/// For an identifier: `Some(true)` when a parameter or a local of an enclosing function holds a
/// stub, `Some(false)` when it is declared there as something else, `None` when not declared
/// locally.
fn local_stub(ctx: &Context<'_>, file: &FileStubs, at: Node<'_>, name: &str) -> Option<bool> {
    local_holds(
        ctx,
        at,
        name,
        |t| is_stub_type(ctx, file, t),
        |v| is_stub_ctor(ctx, file, v),
    )
}

/// For an identifier: `Some(true)` when a parameter or a local of an enclosing function has a
/// type accepted by `is_type` or a value accepted by `is_ctor` (for `a, err := f()`, the first
/// result of the one call), `Some(false)` when declared there otherwise, `None` when not
/// declared locally.
fn local_holds(
    ctx: &Context<'_>,
    at: Node<'_>,
    name: &str,
    is_type: impl Fn(Node<'_>) -> bool,
    is_ctor: impl Fn(Node<'_>) -> bool,
) -> Option<bool> {
    for f in ancestors(at).filter(|a| is_func(*a)) {
        if let Some(list) = f.child_by_field_name("parameters") {
            for p in named_children(list) {
                let mut c = p.walk();
                let declares = p
                    .children_by_field_name("name", &mut c)
                    .any(|n| ctx.text(n) == name);
                if declares {
                    return Some(p.child_by_field_name("type").is_some_and(&is_type));
                }
            }
        }
    }
    let scope = enclosing_named_func(at)?;
    let mut found = None;
    for n in Walk::new(scope) {
        if n.start_byte() >= at.start_byte() {
            break;
        }
        match n.kind() {
            "short_var_declaration" | "assignment_statement" => {
                let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) else {
                    continue;
                };
                let lefts = named_children(l);
                let Some(i) = lefts.iter().position(|x| ctx.text(*x) == name) else {
                    continue;
                };
                let rights = named_children(r);
                let v = if rights.len() == lefts.len() {
                    rights.get(i).copied()
                } else if i == 0 && rights.len() == 1 {
                    // `cli, err := clientv3.New(cfg)`: the first result of one call.
                    rights.first().copied()
                } else {
                    None
                };
                found = Some(v.is_some_and(|v| is_ctor(unparen(v))));
            }
            "var_spec" => {
                let mut c = n.walk();
                let names: Vec<Node<'_>> = n.children_by_field_name("name", &mut c).collect();
                let Some(i) = names.iter().position(|x| ctx.text(*x) == name) else {
                    continue;
                };
                let typed = n.child_by_field_name("type").is_some_and(&is_type);
                let value = n
                    .child_by_field_name("value")
                    .map(named_children)
                    .and_then(|vs| vs.get(i).copied());
                found = Some(typed || value.is_some_and(&is_ctor));
            }
            _ => {}
        }
    }
    found
}

/// Unary and server-streaming stubs take `(ctx, in *Req, opts ...grpc.CallOption)`;
/// client-streaming and bidirectional ones take only `(ctx, opts...)`, and open a stream that
/// usually lives without a deadline. True when the second argument is a request message (not
/// missing and not a `grpc.*` call option).
fn has_request_message(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let args = call_args(call);
    let Some(second) = args.get(1) else {
        return false;
    };
    let spread_options = args.len() == 2
        && call
            .child_by_field_name("arguments")
            .is_some_and(|a| squash(ctx.text(a)).ends_with("...)"));
    !spread_options && !pkg_call(ctx, *second).is_some_and(|(p, _)| p == "google.golang.org/grpc")
}

/// Streaming calls: the result is used as a stream in the function, or the method is named
/// like a long-lived stream.
fn is_streaming(ctx: &Context<'_>, call: Node<'_>, method: &str) -> bool {
    if [
        "Watch",
        "Subscribe",
        "Stream",
        "Tail",
        "Follow",
        "Listen",
        "KeepAlive",
        "Observe",
    ]
    .iter()
    .any(|p| method.starts_with(p))
        || method.ends_with("Stream")
    {
        return true;
    }
    let Some(name) = assigned_name(ctx, call) else {
        return false;
    };
    let Some(scope) = enclosing_function(call) else {
        return false;
    };
    Walk::new(scope).any(|n| {
        n.kind() == "call_expression"
            && n.start_byte() > call.end_byte()
            && n.child_by_field_name("function").is_some_and(|f| {
                f.kind() == "selector_expression"
                    && f.child_by_field_name("operand")
                        .is_some_and(|o| squash(ctx.text(o)) == name)
                    && f.child_by_field_name("field").is_some_and(|m| {
                        matches!(
                            ctx.text(m),
                            "Recv" | "Send" | "CloseSend" | "CloseAndRecv" | "RecvMsg" | "SendMsg"
                        )
                    })
            })
    })
}

/// "Add a deadline": `rpcCtx, rpcCancel := context.WithTimeout(<bg>, N * time.Second)` and
/// `defer rpcCancel()` before the statement, `rpcCtx` in place of `<bg>`.
fn fix(ctx: &Context<'_>, call: Node<'_>, bg: Node<'_>) -> Option<Fix> {
    let stmt = std::iter::once(call).chain(ancestors(call)).find(|a| {
        a.parent()
            .is_some_and(|p| matches!(p.kind(), "statement_list" | "block"))
    })?;
    if matches!(stmt.kind(), "go_statement" | "defer_statement") {
        return None;
    }
    let func = enclosing_function(call)?;
    // A loop between the statement and its function: deferred cancels would pile up.
    if ancestors(stmt)
        .take_while(|a| a.id() != func.id())
        .any(|a| a.kind() == "for_statement")
    {
        return None;
    }
    let taken = Walk::new(func)
        .any(|n| n.kind() == "identifier" && matches!(ctx.text(n), "rpcCtx" | "rpcCancel"));
    if taken {
        return None;
    }
    let pkg = bg
        .child_by_field_name("function")
        .and_then(|f| f.child_by_field_name("operand"))
        .map(|o| ctx.text(o))?;
    let n = ctx.config.fix.timeout_seconds;
    let (time, time_edit) = ensure_import(ctx, "time");
    let indent = line_indent(ctx.source, stmt.start_byte());
    let at = line_start(ctx.source, stmt.start_byte());
    let mut edits: Vec<TextEdit> = time_edit.into_iter().collect();
    edits.push(TextEdit::insert(
        at,
        format!(
            "{indent}rpcCtx, rpcCancel := {pkg}.WithTimeout({}, {n} * {time}.Second)\n{indent}defer rpcCancel()\n",
            ctx.text(bg)
        ),
    ));
    edits.push(TextEdit::replace(bg.byte_range(), "rpcCtx"));
    Some(Fix::new(
        format!("Add a deadline ({n} s)"),
        Applicability::Unsafe,
        edits,
    ))
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix, check_with};

    #[test]
    fn flags_stub_calls_with_background_contexts() {
        check(
            "grpc-call-without-deadline",
            r#"
package sync

import (
    "context"

    "google.golang.org/grpc"
    "google.golang.org/grpc/metadata"
    cfgpb "example.com/config/configpb"
    api "example.com/inventory/api/v1"
)

type Reconciler struct {
    client cfgpb.ConfigClient
    inv    api.InventoryClient
}

func (r *Reconciler) refresh() error {
    _, err := r.client.GetConfig(context.Background(), &cfgpb.GetConfigRequest{})
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
    return err
}

func dialAndAsk(addr string) error {
    conn, err := grpc.Dial(addr, grpc.WithInsecure())
    if err != nil {
        return err
    }
    c := api.NewInventoryClient(conn)
    ctx, cancel := context.WithCancel(context.TODO())
    defer cancel()
    ctx = metadata.AppendToOutgoingContext(ctx, "k", "v")
    _, err = c.Count(ctx, &api.CountRequest{})
           //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
    return err
}

func direct(conn *grpc.ClientConn) {
    cfgpb.NewConfigClient(conn).Ping(context.TODO(), &cfgpb.Ping{})
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
}

func viaParam(c cfgpb.ConfigClient, ch chan struct{}) {
    go func() {
        ctx := context.Background()
        c.Ping(ctx, &cfgpb.Ping{})
      //^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
        close(ch)
    }()
}

func (r *Reconciler) detachedFromRequest(ctx context.Context) {
    go func() {
        r.inv.Count(context.Background(), &api.CountRequest{})
      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
    }()
}
"#,
        );
    }

    #[test]
    fn silent_for_bounded_passed_and_non_grpc_contexts() {
        check(
            "grpc-call-without-deadline",
            r#"
package sync

import (
    "context"
    "net/http"
    "time"

    "google.golang.org/grpc"
    cfgpb "example.com/config/configpb"
    "example.com/store"
)

type Reconciler struct {
    client cfgpb.ConfigClient
    db     *store.DB
}

func (r *Reconciler) bounded() error {
    ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
    defer cancel()
    _, err := r.client.GetConfig(ctx, &cfgpb.GetConfigRequest{})
    return err
}

func (r *Reconciler) boundedLater(d time.Duration) error {
    ctx := context.Background()
    var cancel context.CancelFunc
    if d > 0 {
        ctx, cancel = context.WithDeadline(ctx, time.Now().Add(d))
        defer cancel()
    }
    _, err := r.client.GetConfig(ctx, &cfgpb.GetConfigRequest{})
    return err
}

func (r *Reconciler) passed(ctx context.Context) error {
    _, err := r.client.GetConfig(ctx, &cfgpb.GetConfigRequest{})
    return err
}

func (r *Reconciler) handler(w http.ResponseWriter, req *http.Request) {
    _, _ = r.client.GetConfig(req.Context(), &cfgpb.GetConfigRequest{})
}

// Reported by context-not-propagated instead.
func (r *Reconciler) dropped(ctx context.Context) {
    _, _ = r.client.GetConfig(context.Background(), &cfgpb.GetConfigRequest{})
}

func (r *Reconciler) notAStub() {
    _ = r.db.Query(context.Background(), "SELECT 1")
    hc := &http.Client{}
    _ = hc.Get
}

func (r *Reconciler) watch() {
    stream, err := r.client.Updates(context.Background(), &cfgpb.Sub{})
    if err != nil {
        return
    }
    for {
        if _, err := stream.Recv(); err != nil {
            return
        }
    }
}

func (r *Reconciler) watchByName() {
    _, _ = r.client.WatchConfig(context.Background(), &cfgpb.Sub{})
}

func (r *Reconciler) bidi() {
    _, _ = r.client.Chat(context.Background())
    _, _ = r.client.Chat(context.Background(), grpc.WaitForReady(true))
}

func (r *Reconciler) unexported() {
    _ = r.client.helper(context.Background(), 1)
}

func main() {
    conn, _ := grpc.Dial("localhost:1")
    _, _ = cfgpb.NewConfigClient(conn).GetConfig(context.Background(), &cfgpb.GetConfigRequest{})
}

func init() {
    conn, _ := grpc.Dial("localhost:1")
    _, _ = cfgpb.NewConfigClient(conn).GetConfig(context.TODO(), &cfgpb.GetConfigRequest{})
}

func shadowed() {
    ctx, cancel := context.WithTimeout(context.Background(), time.Second)
    defer cancel()
    if true {
        ctx := context.Background()
        _ = ctx
    }
    c := cfgpb.NewConfigClient(nil)
    _, _ = c.GetConfig(ctx, &cfgpb.GetConfigRequest{})
}

func redisLike(addr string) {
    c := store.NewRedisClient(addr)
    _ = c.Get(context.Background(), "k")
}
"#,
        );
    }

    #[test]
    fn flags_etcd_v3_client_calls() {
        check(
            "grpc-call-without-deadline",
            r#"
package members

import (
    "context"
    "time"

    clientv3 "go.etcd.io/etcd/client/v3"
)

type Syncer struct {
    cli *clientv3.Client
    kv  clientv3.KV
}

func (s *Syncer) members() error {
    _, err := s.cli.MemberList(context.Background())
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
    return err
}

func (s *Syncer) get(key string) error {
    _, err := s.kv.Get(context.TODO(), key)
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
    return err
}

// etcd's contrib/recipes: the RPC is sent by `Commit()`, not by `Txn(ctx)`.
func putNewKV(kv clientv3.KV, key, val string) error {
    cmp := clientv3.Compare(clientv3.Version(key), "=", 0)
    _, err := kv.Txn(context.TODO()).If(cmp).Then(clientv3.OpPut(key, val)).Commit()
            //^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
    return err
}

func userGet(cfg clientv3.Config, name string) error {
    client, err := clientv3.New(cfg)
    if err != nil {
        return err
    }
    defer client.Close()
    _, err = client.Auth.UserGet(context.TODO(), name)
           //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ grpc-call-without-deadline
    return err
}

func bounded(cli *clientv3.Client) error {
    ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
    defer cancel()
    _, err := cli.Put(ctx, "k", "v")
    return err
}

func interactive(cli *clientv3.Client, sigc chan struct{}) error {
    ctx, cancel := context.WithCancel(context.TODO())
    defer cancel()
    go func() {
        <-sigc
        cancel()
    }()
    _, err := cli.Get(ctx, "leader")
    return err
}

func streams(cli *clientv3.Client) {
    _ = cli.Watch(context.Background(), "k")
    _, _ = cli.KeepAlive(context.Background(), 1)
    _ = cli.Close()
}

type cache struct{ client *Cache }

func notEtcd(c *cache) {
    _, _ = c.client.Get(context.Background(), "k")
}
"#,
        );
    }

    #[test]
    fn silent_when_a_deadline_interceptor_is_installed() {
        check(
            "grpc-call-without-deadline",
            r#"
package sync

import (
    "context"
    "time"

    "google.golang.org/grpc"
    cfgpb "example.com/config/configpb"
)

func dial(addr string) (*grpc.ClientConn, error) {
    return grpc.Dial(addr, grpc.WithUnaryInterceptor(timeoutInterceptor(5*time.Second)))
}

func ask(c cfgpb.ConfigClient) {
    _, _ = c.GetConfig(context.Background(), &cfgpb.GetConfigRequest{})
}
"#,
        );
    }

    #[test]
    fn silent_in_test_files() {
        check_with(
            "grpc-call-without-deadline",
            r#"
package sync

import (
    "context"
    cfgpb "example.com/config/configpb"
)

func ask(c cfgpb.ConfigClient) {
    _, _ = c.GetConfig(context.Background(), &cfgpb.GetConfigRequest{})
}
"#,
            &crate::config::Config::default(),
            Some("sync_test.go"),
        );
    }

    #[test]
    fn fix_adds_a_deadline_and_the_time_import() {
        check_fix(
            "grpc-call-without-deadline",
            "Add a deadline",
            "package sync\n\nimport (\n\t\"context\"\n\n\tcfgpb \"example.com/config/configpb\"\n)\n\nfunc ask(c cfgpb.ConfigClient) error {\n\tif _, err := c.GetConfig(context.Background(), &cfgpb.GetConfigRequest{}); err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n",
            "package sync\n\nimport (\n\t\"context\"\n\t\"time\"\n\n\tcfgpb \"example.com/config/configpb\"\n)\n\nfunc ask(c cfgpb.ConfigClient) error {\n\trpcCtx, rpcCancel := context.WithTimeout(context.Background(), 30 * time.Second)\n\tdefer rpcCancel()\n\tif _, err := c.GetConfig(rpcCtx, &cfgpb.GetConfigRequest{}); err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n",
        );
    }

    #[test]
    fn no_fix_inside_loops() {
        let src = "package sync\n\nimport (\n\t\"context\"\n\n\tcfgpb \"example.com/config/configpb\"\n)\n\nfunc ask(c cfgpb.ConfigClient) {\n\tfor {\n\t\t_, _ = c.GetConfig(context.Background(), &cfgpb.GetConfigRequest{})\n\t}\n}\n";
        let findings = crate::testing::run(
            "grpc-call-without-deadline",
            src,
            &crate::config::Config::default(),
            None,
        );
        assert_eq!(findings.len(), 1);
        assert!(findings[0]
            .fixes
            .iter()
            .all(|f| !f.title.contains("deadline")));
    }

    #[test]
    fn etcd_txn_message_names_commit_as_the_call() {
        let src = "package r\n\nimport (\n\t\"context\"\n\n\tclientv3 \"go.etcd.io/etcd/client/v3\"\n)\n\nfunc put(kv clientv3.KV, k string) error {\n\t_, err := kv.Txn(context.TODO()).If().Then(clientv3.OpPut(k, \"v\")).Commit()\n\treturn err\n}\n\nfunc later(kv clientv3.KV) error {\n\ttxn := kv.Txn(context.Background())\n\t_, err := txn.If().Commit()\n\treturn err\n}\n\nfunc elsewhere(kv clientv3.KV) clientv3.Txn {\n\treturn kv.Txn(context.Background())\n}\n\nfunc get(kv clientv3.KV, k string) error {\n\t_, err := kv.Get(context.TODO(), k)\n\treturn err\n}\n";
        let f = crate::testing::raw("grpc-call-without-deadline", src);
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 4, "{msgs:#?}");
        assert!(
            msgs[0].starts_with(
                "etcd transaction built with `context.TODO()` and sent by `.Commit()`"
            ),
            "{}",
            msgs[0]
        );
        assert!(!msgs[0].contains("gRPC call `Txn`"), "{}", msgs[0]);
        assert!(msgs[1].starts_with("etcd transaction `txn` built with `context.Background()` and sent by `txn...Commit()`"), "{}", msgs[1]);
        assert!(
            msgs[2].contains("the `Commit()` that sends it (not visible in this expression)"),
            "{}",
            msgs[2]
        );
        assert!(
            msgs[3].starts_with("gRPC call `Get` with `context.TODO()`"),
            "{}",
            msgs[3]
        );
    }
}
