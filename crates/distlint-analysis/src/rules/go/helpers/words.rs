//! Words of identifiers: `readReplicaDB.Query` → `read`, `replica`, `db`, `query`.

/// The lower-case words of an identifier or expression text: `readReplicaDB.Query` →
/// `["read", "replica", "db", "query"]` (camelCase, snake_case, dots and digits split).
pub fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !cur.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when one of `s`'s [`words`] is in `set`.
pub fn has_word(s: &str, set: &[&str]) -> bool {
    words(s).iter().any(|w| set.contains(&w.as_str()))
}

/// True when one of `s`'s [`words`] starts with one of `prefixes`.
pub fn has_word_prefix(s: &str, prefixes: &[&str]) -> bool {
    words(s)
        .iter()
        .any(|w| prefixes.iter().any(|p| w.starts_with(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_camel_snake_and_acronyms() {
        assert_eq!(
            words("readReplicaDB.Query"),
            ["read", "replica", "db", "query"]
        );
        assert_eq!(words("primary_db"), ["primary", "db"]);
        assert_eq!(words("HTTPServer"), ["http", "server"]);
        assert_eq!(words("len(r.peers)"), ["len", "r", "peers"]);
        assert!(has_word("s.writerDB", &["writer"]));
        assert!(!has_word("s.rewriteDB", &["writer", "write"]));
    }
}
