-- distlint for Neovim >= 0.11 (`:help lsp-config`).
--
-- Put `editors/neovim` on 'runtimepath' (or copy this file to ~/.config/nvim/lsp/distlint.lua),
-- then in init.lua:
--
--   vim.lsp.config('distlint', {            -- optional overrides
--     settings = { distlint = { rules = { ['unbounded-channel'] = 'minor' } } },
--   })
--   vim.lsp.enable('distlint')
--
-- Settings shape: editors/SETTINGS.md. `settings.distlint` is sent as `initializationOptions` and
-- through `workspace/didChangeConfiguration`, and answers `workspace/configuration` for "distlint".
---@type vim.lsp.Config
return {
  cmd = { 'distlint', 'lsp' },
  filetypes = { 'rust', 'go' },
  -- The nearest directory (walking up from the file) that holds any of these.
  root_markers = { 'distlint.toml', 'Cargo.toml', 'go.mod', '.git' },
  settings = { distlint = vim.empty_dict() },
  before_init = function(params, config)
    local s = config.settings and config.settings.distlint
    if s ~= nil then
      params.initializationOptions = s
    end
  end,
}
