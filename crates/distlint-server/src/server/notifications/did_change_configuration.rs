//! `workspace/didChangeConfiguration`: new editor settings (see `session::Settings`) replace the
//! old ones; every open document is re-analysed and republished.
//!
//! Clients send the settings in `params.settings` (`{"distlint": {...}}` or the bare object). A
//! client that sends `null` (the "pull" style) is asked with `workspace/configuration` for the
//! `distlint` section when it supports that request.

use serde_json::Value;
use tower_lsp_server::ls_types::*;

use crate::server::schedule::refresh_all;
use crate::server::Backend;
use crate::session::Settings;

pub(crate) async fn handle(server: &Backend, params: DidChangeConfigurationParams) {
    let session = &server.session;
    let mut value = params.settings;
    if value.is_null() && session.client().configuration_pull {
        match server
            .client
            .configuration(vec![ConfigurationItem {
                scope_uri: None,
                section: Some("distlint".into()),
            }])
            .await
        {
            Ok(mut items) if !items.is_empty() => value = items.swap_remove(0),
            Ok(_) => {}
            Err(e) => tracing::warn!("workspace/configuration failed: {e}"),
        }
    }
    if value.is_null() {
        tracing::debug!("didChangeConfiguration without settings; keeping the current ones");
        return;
    }
    apply(server, &value).await;
}

/// Parses `value`, reports rejected keys to the client's log, reconfigures and republishes.
pub(crate) async fn apply(server: &Backend, value: &Value) {
    let (settings, errors) = Settings::from_json(value);
    report_setting_errors(server, &errors).await;
    server.session.reconfigure(Some(settings), false);
    refresh_all(&server.session, &server.client).await;
}

/// Logs rejected settings and shows them to the user (`window/showMessage`, warning), one
/// message per key, as editors/SETTINGS.md promises.
pub(crate) async fn report_setting_errors(server: &Backend, errors: &[String]) {
    for e in errors {
        tracing::warn!("settings: {e}");
        server
            .client
            .show_message(MessageType::WARNING, format!("distlint settings: {e}"))
            .await;
    }
}
