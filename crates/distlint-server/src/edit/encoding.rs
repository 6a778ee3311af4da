//! Position encoding negotiation (LSP 3.17 § "Position Encoding Kind", `general.positionEncodings`).

use distlint_analysis::PositionEncoding;
use tower_lsp_server::ls_types::{ClientCapabilities, PositionEncodingKind};

/// Picks the position encoding for a session: UTF-8 when the client lists `"utf-8"` in
/// `general.positionEncodings` (no conversion: our offsets are bytes), otherwise UTF-16, the
/// encoding every client must support. UTF-32 is never chosen: no client offers it without UTF-8.
pub fn negotiate_encoding(capabilities: &ClientCapabilities) -> PositionEncoding {
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf16,
    }
}

/// The LSP name of `encoding` (`"utf-8"`, `"utf-16"`, `"utf-32"`), for `ServerCapabilities.positionEncoding`.
pub fn to_position_encoding_kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::GeneralClientCapabilities;

    fn caps(kinds: Option<Vec<PositionEncodingKind>>) -> ClientCapabilities {
        ClientCapabilities {
            general: Some(GeneralClientCapabilities {
                position_encodings: kinds,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn utf8_only_when_offered() {
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ]))),
            PositionEncoding::Utf8
        );
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![PositionEncodingKind::UTF32]))),
            PositionEncoding::Utf16
        );
        assert_eq!(negotiate_encoding(&caps(None)), PositionEncoding::Utf16);
        assert_eq!(
            negotiate_encoding(&ClientCapabilities::default()),
            PositionEncoding::Utf16
        );
    }
}
