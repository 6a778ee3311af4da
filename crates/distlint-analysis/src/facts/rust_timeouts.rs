//! Rust timeout facts: whether some request chain sets a per-request `.timeout(..)`
//! ([`FactKinds::REQUEST_TIMEOUTS`]) and whether the text `response_timeout` occurs in the file
//! ([`FactKinds::RESPONSE_TIMEOUT`], a text fact).

use tree_sitter::Node;

use super::{FactKinds, FactsView, FileFacts};
use crate::syntax::text;
use crate::vocabulary::rust::HTTP_REQUEST_METHODS;

/// Whether `n` is a `.timeout` field expression on a request chain (see
/// [`FactsView::request_timeouts`]).
fn is_request_timeout(source: &str, n: Node<'_>) -> bool {
    let Some(f) = n.child_by_field_name("field") else {
        return false;
    };
    if text(source, f) != "timeout" {
        return false;
    }
    // Look down the receiver chain for a request method.
    let mut recv = n.child_by_field_name("value");
    for _ in 0..32 {
        let Some(r) = recv else { return false };
        match r.kind() {
            "call_expression" => {
                let Some(func) = r.child_by_field_name("function") else {
                    return false;
                };
                if func.kind() != "field_expression" {
                    return false;
                }
                if func
                    .child_by_field_name("field")
                    .is_some_and(|m| HTTP_REQUEST_METHODS.contains(&text(source, m)))
                {
                    return true;
                }
                recv = func.child_by_field_name("value");
            }
            "try_expression" | "await_expression" | "parenthesized_expression" => {
                recv = r.named_child(0)
            }
            _ => return false,
        }
    }
    false
}

/// Whether the text `response_timeout` occurs anywhere in `source` (one SIMD substring search,
/// ~0.5 ms for 5 MB): the text fact behind [`FactKinds::RESPONSE_TIMEOUT`].
pub(super) fn mentions_response_timeout(source: &str) -> bool {
    memchr::memmem::find(source.as_bytes(), b"response_timeout").is_some()
}

impl FileFacts {
    /// A `field_expression`: sets the request-timeout fact when it is a `.timeout` on a
    /// request chain.
    pub(super) fn collect_request_timeout(&mut self, source: &str, n: Node<'_>) {
        if !self.request_timeouts && is_request_timeout(source, n) {
            self.request_timeouts = true;
        }
    }
}

impl<'a> FactsView<'a> {
    /// Rust: whether the file sets a per-request `.timeout(..)` on some request chain
    /// (`client.get(url).timeout(d)`). Marks [`FactKinds::REQUEST_TIMEOUTS`].
    pub fn request_timeouts(&self) -> bool {
        self.read(FactKinds::REQUEST_TIMEOUTS).request_timeouts
    }

    /// Rust: whether the text `response_timeout` occurs anywhere in the file. Marks
    /// [`FactKinds::RESPONSE_TIMEOUT`].
    pub fn response_timeout_in_file(&self) -> bool {
        self.read(FactKinds::RESPONSE_TIMEOUT).response_timeout
    }
}
