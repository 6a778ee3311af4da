//! `shutdown` (LSP 3.17 § "Shutdown Request"): nothing to flush; open documents are dropped on `exit`.

use tower_lsp_server::jsonrpc::Result;

use crate::server::Backend;

pub(crate) async fn handle(server: &Backend) -> Result<()> {
    tracing::info!(
        open_documents = server.session.host.open_documents().len(),
        "shutdown requested"
    );
    Ok(())
}
