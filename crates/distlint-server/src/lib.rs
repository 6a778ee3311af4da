//! distlint's language server. (Being built: see issue 2.)
