//! `initialized` (LSP 3.17 § "Initialized Notification"): shows rejected `initializationOptions`
//! keys, and registers a watcher for `distlint.toml`
//! when the client supports dynamic registration of `workspace/didChangeWatchedFiles`.

use tower_lsp_server::ls_types::*;

use crate::server::Backend;

/// Glob of the configuration files the server watches.
pub const CONFIG_GLOB: &str = "**/distlint.toml";

pub(crate) async fn handle(server: &Backend, _params: InitializedParams) {
    let warnings = server.session.take_startup_warnings();
    super::did_change_configuration::report_setting_errors(server, &warnings).await;
    crate::server::schedule::show_config_errors(&server.session, &server.client).await;
    if !server.session.client().watched_files_dynamic {
        return;
    }
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String(CONFIG_GLOB.into()),
            kind: None,
        }],
    };
    let registration = Registration {
        id: "distlint-config-watcher".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(e) = server.client.register_capability(vec![registration]).await {
        tracing::warn!("could not register a distlint.toml watcher: {e}");
    }
}
