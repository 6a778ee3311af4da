//! Go call facts: names under which buffered channels are stored
//! ([`FactKinds::BUFFERED_CHANNELS`]) and server/signal lifecycle calls
//! ([`FactKinds::LIFECYCLE_CALLS`]).

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::{ancestors, go_assigned_to, go_callee, named_children, squash, text};
use crate::vocabulary::go::LIFECYCLE_CALLS;

/// Go: for `make(chan T, cap)` with `cap` other than `0`, the last segment of the name it is
/// stored under (`x := ...`, `s.ch = ...`, `ch: ...` in a keyed literal, `var x = ...`).
fn buffered_channel_name(source: &str, n: Node<'_>) -> Option<String> {
    let f = n.child_by_field_name("function").map(|f| text(source, f));
    if f != Some("make") {
        return None;
    }
    let args = n
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default();
    if args.len() < 2 || args[0].kind() != "channel_type" {
        return None;
    }
    if text(source, args[1]).trim() == "0" {
        return None;
    }
    let name = ancestors(n).take(4).find_map(|a| match a.kind() {
        "short_var_declaration" | "assignment_statement" => a
            .child_by_field_name("left")
            .map(|l| squash(text(source, l))),
        "keyed_element" => named_children(a).first().map(|k| squash(text(source, *k))),
        "var_spec" => a
            .child_by_field_name("name")
            .map(|x| text(source, x).to_string()),
        _ => None,
    })?;
    Some(name.rsplit('.').next().unwrap_or(&name).to_string())
}

impl FileFacts {
    /// A `call_expression`: the kinds of `want` it belongs to.
    pub(super) fn collect_go_call(
        &mut self,
        source: &str,
        n: Node<'_>,
        want: impl Fn(FactKinds) -> bool,
    ) {
        if want(FactKinds::BUFFERED_CHANNELS) {
            if let Some(name) = buffered_channel_name(source, n) {
                self.buffered_channels.insert(name);
            }
        }
        if !want(FactKinds::LIFECYCLE_CALLS) {
            return;
        }
        if let Some((Some(recv), name)) = go_callee(source, n) {
            if LIFECYCLE_CALLS.contains(&name) {
                let assigned = go_assigned_to(n).map(|v| text(source, v).to_string());
                self.lifecycle_calls.insert((
                    name.to_string(),
                    text(source, recv).to_string(),
                    recv.kind() == "identifier",
                    assigned,
                ));
            }
        }
    }
}

impl<'a> FactsView<'a> {
    /// Go: whether a channel made with a capacity other than `0` (`make(chan T, 16)`) is stored
    /// somewhere in the file under a name whose last segment is `name`. Marks
    /// [`FactKinds::BUFFERED_CHANNELS`].
    pub fn buffered_channel(&self, name: &str) -> bool {
        self.read(FactKinds::BUFFERED_CHANNELS)
            .buffered_channels
            .contains(name)
    }

    /// Go: the lifecycle calls of the file: `(name, receiver text, receiver is an identifier,
    /// text of the expression the call's value is assigned to, if any)`, for the names in
    /// [`LIFECYCLE_CALLS`]. Marks [`FactKinds::LIFECYCLE_CALLS`].
    pub fn lifecycle_calls(
        &self,
    ) -> impl Iterator<Item = (&'a str, &'a str, bool, Option<&'a str>)> {
        self.read(FactKinds::LIFECYCLE_CALLS)
            .lifecycle_calls
            .iter()
            .map(|(n, r, i, a)| (n.as_str(), r.as_str(), *i, a.as_deref()))
    }
}
