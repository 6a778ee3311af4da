//! `initialize` (LSP 3.17 § "Initialize Request"): negotiates the position encoding, reads the
//! client capabilities and `initializationOptions` (editor settings, see `session::Settings`),
//! and advertises what the server does.

use std::path::PathBuf;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::edit::to_position_encoding_kind;
use crate::server::{Backend, SOURCE_FIX_ALL_DISTLINT};
use crate::session::{ResolvedClientCapabilities, Settings};

pub(crate) async fn handle(server: &Backend, params: InitializeParams) -> Result<InitializeResult> {
    let session = &server.session;
    let caps = ResolvedClientCapabilities::new(&params.capabilities);
    session.set_client(caps);
    session.set_roots(workspace_roots(&params));

    let (settings, errors) = params
        .initialization_options
        .as_ref()
        .map(Settings::from_json)
        .unwrap_or_default();
    // Shown to the user from `initialized`: nothing but the response may precede it reliably.
    session.set_startup_warnings(errors);
    session.reconfigure(Some(settings), true);

    tracing::info!(
        client = params.client_info.as_ref().map(|c| c.name.as_str()),
        encoding = ?caps.encoding,
        pull_diagnostics = caps.pull_diagnostics,
        code_action_resolve = caps.code_action_resolve,
        "initialized"
    );

    let diagnostic_provider = caps.pull_diagnostics.then(|| {
        DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("distlint".into()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            work_done_progress_options: Default::default(),
        })
    });

    Ok(InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(to_position_encoding_kind(caps.encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(SOURCE_FIX_ALL_DISTLINT),
                ]),
                // Only clients that can resolve get actions without edits (see code_action.rs).
                resolve_provider: Some(caps.code_action_resolve),
                work_done_progress_options: Default::default(),
            })),
            diagnostic_provider,
            ..Default::default()
        },
        server_info: Some(ServerInfo {
            name: "distlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        offset_encoding: None,
    })
}

/// Local paths of the workspace folders, or of `rootUri` for clients without folders.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
    }
    #[allow(deprecated)]
    params
        .root_uri
        .as_ref()
        .and_then(|u| u.to_file_path())
        .map(|p| vec![p.into_owned()])
        .unwrap_or_default()
}
