//! The facts' own tests: the lazy collection equals the eager one kind by kind.

use super::*;
use crate::document::Document;

/// Every Rust and Go file under `dir` (recursively, sorted).
fn sources(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, Language)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => out.push((path, Language::Rust)),
            Some("go") => out.push((path, Language::Go)),
            _ => {}
        }
    }
}

const EVERY_RUST_KIND: &str = r#"
static S: Mutex<u32> = Mutex::new(0);
const C: u32 = 1;
type Alias = Arc<Mutex<u32>>;
#[serde(deny_unknown_fields)]
struct Q { items: VecDeque<u8>, lock: Mutex<u32> }
fn f(a: &E, b: &E, peers: &P, client: &Client) {
    if a.updated_at > b.updated_at {}
    if acks > peers.quorum() {}
    let r = client.get(url).timeout(d).send();
    let e: Q = serde_json::from_slice(b).unwrap();
    let t = cfg.response_timeout;
}
impl Q {
    fn full(&self) -> bool { self.queue.len() >= self.capacity }
}
"#;

const EVERY_GO_KIND: &str = r#"//go:build ignore

package main

const (
	a, b = 1, 2
)

type S struct {
	q *list.List
}

func main() {
	c.Timeout = d
	l := list.New()
	ch := make(chan int, 4)
	srv.Shutdown(ctx)
}
"#;

/// [`LazyFacts`] gives, for each kind, exactly what one eager collection finds: checked
/// kind by kind on the real-code fixtures, the example services and this crate's sources
/// (which hold every rule's fixtures as strings, so every fact shape occurs).
#[test]
fn lazy_facts_equal_the_eager_collection_kind_by_kind() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "crates/distlint-analysis/tests/fixtures/real",
        "tests/examples",
        "crates/distlint-analysis/src",
    ] {
        sources(&repo.join(dir), &mut files);
    }
    assert!(files.len() > 50, "only {} files", files.len());
    // Plus one source per language with a fact of every kind (the crate's own sources
    // hold the rule fixtures only as strings).
    let mut inputs: Vec<(String, Language, String)> = vec![
        (
            "every Rust kind".into(),
            Language::Rust,
            EVERY_RUST_KIND.into(),
        ),
        ("every Go kind".into(), Language::Go, EVERY_GO_KIND.into()),
    ];
    for (path, language) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        inputs.push((path.display().to_string(), *language, text));
    }
    let mut kinds_seen = FactKinds::NONE;
    for (path, language, text) in &inputs {
        let doc = Document::new(*language, text.as_str(), 0);
        let root = doc.tree().root_node();
        let eager = FileFacts::collect(*language, text, root).with_text(*language, text);
        let lazy = LazyFacts::new(*language, text, root);
        assert_eq!(lazy.collected(), FactKinds::NONE);
        for bit in 0..31 {
            let kind = FactKinds(1 << bit);
            let got = lazy.get(kind);
            assert!(
                !eager.changed(got).intersects(kind),
                "kind bit {bit} differs in {path}"
            );
            // What was found for this kind (non-empty somewhere, so the test can fail).
            if eager.changed(&FileFacts::default()).intersects(kind) {
                kinds_seen = kinds_seen.union(kind);
            }
        }
        assert_eq!(lazy.collected(), FactKinds(!FactKinds::WHOLE_FILE.0));
    }
    // Every kind of fact occurs in some file (else the comparison above proves little).
    for bit in 0..18 {
        assert!(
            kinds_seen.intersects(FactKinds(1 << bit)),
            "no file has facts of kind bit {bit}"
        );
    }
}

/// Asking for the shallow kinds only (statics, aliases) finds them without the full walk's
/// kinds; asking for one full-walk kind leaves the shallow ones empty.
#[test]
fn collect_kinds_collects_only_what_is_asked() {
    let src = "static S: u32 = 1;\ntype A = Vec<u8>;\nstruct Q { items: Vec<u8> }\n";
    let doc = Document::new(Language::Rust, src, 0);
    let root = doc.tree().root_node();
    let shallow = FileFacts::collect_kinds(Language::Rust, src, root, FactKinds::STATICS);
    assert!(shallow.statics.contains_key("S"));
    assert!(shallow.type_aliases.is_empty());
    assert!(shallow.sequence_fields.is_empty() && shallow.field_types.is_empty());
    let seq = FileFacts::collect_kinds(Language::Rust, src, root, FactKinds::SEQUENCE_FIELDS);
    assert_eq!(seq.sequence_fields.len(), 1);
    assert!(seq.statics.is_empty() && seq.field_types.is_empty());
}
