//! Go assignment facts: selector targets of assignments (`c.Timeout = d`,
//! [`FactKinds::ASSIGNED_SELECTORS`]) and candidate `container/list` holders
//! ([`FactKinds::LIST_HOLDERS`]).

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::{named_children, squash, text};

/// Go: `(package, member)` of a call `package.member(...)` whose operand is an identifier.
fn go_selector_call<'s>(source: &'s str, call: Node<'_>) -> Option<(&'s str, &'s str)> {
    if call.kind() != "call_expression" {
        return None;
    }
    let f = call.child_by_field_name("function")?;
    if f.kind() != "selector_expression" {
        return None;
    }
    let operand = f.child_by_field_name("operand")?;
    if operand.kind() != "identifier" {
        return None;
    }
    Some((
        text(source, operand),
        text(source, f.child_by_field_name("field")?),
    ))
}

impl FileFacts {
    /// An `assignment_statement` / `short_var_declaration`: the kinds of `want` it belongs to.
    pub(super) fn collect_assignment(
        &mut self,
        source: &str,
        n: Node<'_>,
        want: impl Fn(FactKinds) -> bool,
    ) {
        let Some(left) = n.child_by_field_name("left") else {
            return;
        };
        let lefts = named_children(left);
        if want(FactKinds::ASSIGNED_SELECTORS) && n.kind() == "assignment_statement" {
            for x in &lefts {
                let t = squash(text(source, *x));
                if t.contains('.') {
                    self.assigned_selectors.insert(t);
                }
            }
        }
        if !want(FactKinds::LIST_HOLDERS) {
            return;
        }
        let Some(right) = n.child_by_field_name("right") else {
            return;
        };
        for (i, rv) in named_children(right).into_iter().enumerate() {
            let Some((pkg, member)) = go_selector_call(source, rv) else {
                continue;
            };
            if member != "New" {
                continue;
            }
            if let Some(lhs) = lefts.get(i) {
                let t = squash(text(source, *lhs));
                let last = t.rsplit('.').next().unwrap_or(&t).to_string();
                self.list_holders
                    .insert((pkg.to_string(), member.to_string(), last));
            }
        }
    }

    /// A `field_declaration` typed `pkg.List` / `*pkg.List`: a list holder per field name.
    pub(super) fn collect_list_field(&mut self, source: &str, n: Node<'_>) {
        let Some(ty) = n.child_by_field_name("type") else {
            return;
        };
        let ty = if ty.kind() == "pointer_type" {
            match ty.named_child(0) {
                Some(t) => t,
                None => return,
            }
        } else {
            ty
        };
        if ty.kind() != "qualified_type" {
            return;
        }
        let (Some(pkg), Some(name)) = (
            ty.child_by_field_name("package"),
            ty.child_by_field_name("name"),
        ) else {
            return;
        };
        if text(source, name) != "List" {
            return;
        }
        let mut c = n.walk();
        for field in n.children_by_field_name("name", &mut c) {
            self.list_holders.insert((
                text(source, pkg).to_string(),
                "List".to_string(),
                text(source, field).to_string(),
            ));
        }
    }
}

impl<'a> FactsView<'a> {
    /// Go: whether some assignment in the file has `target` (whitespace removed, containing a
    /// `.`, e.g. `c.Timeout`) among its left-hand operands. Marks
    /// [`FactKinds::ASSIGNED_SELECTORS`].
    pub fn selector_assigned(&self, target: &str) -> bool {
        self.read(FactKinds::ASSIGNED_SELECTORS)
            .assigned_selectors
            .contains(target)
    }

    /// Go: the candidate `container/list` holders, `(package as written, member, name)`: fields
    /// typed `package.List` (member `List`) and variables or fields assigned `package.New(...)`
    /// (member `New`; `name` is the last segment of the left side). Marks
    /// [`FactKinds::LIST_HOLDERS`].
    pub fn list_holders(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
        self.read(FactKinds::LIST_HOLDERS)
            .list_holders
            .iter()
            .map(|(p, m, n)| (p.as_str(), m.as_str(), n.as_str()))
    }
}
