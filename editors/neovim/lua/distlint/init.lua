-- distlint for Neovim 0.7 – 0.10 (on >= 0.11, setup() hands over to vim.lsp.config/enable).
--
--   require('distlint').setup({
--     cmd = { 'distlint', 'lsp' },                 -- or { '/path/to/distlint', 'lsp' }
--     settings = { rules = { ['unbounded-channel'] = 'minor' }, fix = { channelCapacity = 256 } },
--     on_attach = function(client, bufnr) end,     -- optional
--   })
--
-- One client per root directory; the root is the nearest ancestor of the file that holds
-- distlint.toml, Cargo.toml, go.mod or .git (else the file's directory). Settings shape:
-- editors/SETTINGS.md; they go out as `initializationOptions` and as
-- `workspace/didChangeConfiguration { settings = { distlint = ... } }`.
local M = {}

M.root_markers = { 'distlint.toml', 'Cargo.toml', 'go.mod', '.git' }

M.defaults = {
  cmd = { 'distlint', 'lsp' },
  filetypes = { 'rust', 'go' },
  settings = {},
  on_attach = nil,
  on_init = nil,
  capabilities = nil,
  -- Offered in `general.positionEncodings` (LSP 3.17) by the pre-0.11 path, best first. Neovim
  -- 0.7-0.9 do not negotiate encodings themselves (they always use UTF-16); setup() offers these
  -- and adopts the server's choice (`positionEncoding` in the initialize result) in on_init, so
  -- distlint works in UTF-8, its native encoding, without any conversion on either side.
  position_encodings = { 'utf-8', 'utf-16' },
}

local state = { opts = nil, clients = {} } -- clients: root dir -> client id

local uv = vim.loop

-- Client methods are called with `:` from 0.11 on, with `.` before.
local new_api = vim.fn.has('nvim-0.11') == 1

local function notify(c, method, params)
  if new_api then
    return c:notify(method, params)
  end
  return c.notify(method, params)
end

local function is_stopped(c)
  if new_api then
    return c:is_stopped()
  end
  return c.is_stopped()
end

-- Lua cannot tell an empty object from an empty list, and vim.json encodes `{}` as `[]`, which the
-- server rejects ("expected an object"). Mark the settings object (and its `rules`/`fix` tables)
-- as dictionaries.
local function as_object(t)
  if t == nil or next(t) == nil then
    return vim.empty_dict()
  end
  return t
end

--- The settings object sent to the server (editors/SETTINGS.md).
--- @param settings table|nil
--- @return table
function M.encode_settings(settings)
  local out = vim.deepcopy(settings or {})
  for _, key in ipairs({ 'rules', 'fix' }) do
    if out[key] ~= nil then
      out[key] = as_object(out[key])
    end
  end
  return as_object(out)
end

local function exists(p)
  return uv.fs_stat(p) ~= nil
end

local function dirname(p)
  return vim.fn.fnamemodify(p, ':h')
end

--- The root directory for a file path: nearest ancestor holding one of M.root_markers.
--- @param path string absolute file path
--- @return string
function M.find_root(path)
  local dir = dirname(path)
  local prev = nil
  while dir ~= prev do
    for _, marker in ipairs(M.root_markers) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
    prev = dir
    dir = dirname(dir)
  end
  return dirname(path)
end

local function client_for(root)
  local id = state.clients[root]
  if id ~= nil then
    local c = vim.lsp.get_client_by_id(id)
    if c ~= nil and not is_stopped(c) then
      return id
    end
  end
  local opts = state.opts
  if vim.fn.executable(opts.cmd[1]) ~= 1 then
    vim.notify(
      ('distlint: "%s" is not executable. Install it (cargo install --path crates/distlint) or pass cmd = { "/path/to/distlint", "lsp" } to setup().'):format(
        opts.cmd[1]
      ),
      vim.log.levels.ERROR
    )
    return nil
  end
  local caps = vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), opts.capabilities or {})
  caps.general = caps.general or {}
  caps.general.positionEncodings = caps.general.positionEncodings or opts.position_encodings
  id = vim.lsp.start_client({
    name = 'distlint',
    cmd = opts.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = M.encode_settings(opts.settings),
    settings = { distlint = M.encode_settings(opts.settings) },
    capabilities = caps,
    on_attach = opts.on_attach,
    on_init = function(client, result)
      local enc = result and result.capabilities and result.capabilities.positionEncoding
      if enc == 'utf-8' or enc == 'utf-16' or enc == 'utf-32' then
        client.offset_encoding = enc
      end
      if opts.on_init then
        opts.on_init(client, result)
      end
    end,
  })
  state.clients[root] = id
  return id
end

--- Attach distlint to a buffer (called from the FileType autocommand).
--- @param bufnr number
function M.attach(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or vim.bo[bufnr].buftype ~= '' then
    return
  end
  local id = client_for(M.find_root(name))
  if id ~= nil then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

--- Replace the settings and send them to every running distlint client
--- (workspace/didChangeConfiguration); the server re-analyses open files.
--- @param settings table
function M.update_settings(settings)
  state.opts.settings = settings
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, c in ipairs(get()) do
    if c.name == 'distlint' then
      local encoded = M.encode_settings(settings)
      c.config.settings = { distlint = encoded }
      notify(c, 'workspace/didChangeConfiguration', { settings = { distlint = encoded } })
    end
  end
end

--- The rule id of the distlint diagnostic under the cursor, or nil.
function M.rule_under_cursor()
  local lnum, col = unpack(vim.api.nvim_win_get_cursor(0))
  lnum = lnum - 1
  local best = nil
  for _, d in ipairs(vim.diagnostic.get(0, { lnum = lnum })) do
    if d.source == 'distlint' and d.code ~= nil then
      if col >= d.col and (d.end_lnum > lnum or col < d.end_col) then
        return d.code
      end
      best = best or d.code
    end
  end
  return best
end

--- Show `distlint explain <rule>` for the diagnostic under the cursor in a scratch split.
function M.explain()
  local rule = M.rule_under_cursor()
  if rule == nil then
    vim.notify('distlint: no distlint finding on this line', vim.log.levels.INFO)
    return
  end
  local out = vim.fn.systemlist({ state.opts.cmd[1], 'explain', rule })
  if vim.v.shell_error ~= 0 then
    vim.notify('distlint explain ' .. rule .. ' failed: ' .. table.concat(out, '\n'), vim.log.levels.ERROR)
    return
  end
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, out)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].filetype = 'markdown'
  vim.bo[buf].modifiable = false
  pcall(vim.api.nvim_buf_set_name, buf, 'distlint://explain/' .. rule)
end

--- Stop every distlint client and re-attach the open Rust/Go buffers.
function M.restart()
  for root, id in pairs(state.clients) do
    vim.lsp.stop_client(id)
    state.clients[root] = nil
  end
  vim.defer_fn(function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(state.opts.filetypes, vim.bo[buf].filetype) then
        M.attach(buf)
      end
    end
  end, 500)
end

--- @param opts table|nil see M.defaults
function M.setup(opts)
  opts = vim.tbl_deep_extend('force', {}, M.defaults, opts or {})
  state.opts = opts

  vim.api.nvim_create_user_command('DistlintExplain', M.explain, { desc = 'distlint: explain the rule under the cursor' })
  vim.api.nvim_create_user_command('DistlintRestart', M.restart, { desc = 'distlint: restart the language server' })

  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil and not opts.force_legacy then
    -- Neovim >= 0.11: same behaviour through the built-in config (see lsp/distlint.lua).
    vim.lsp.config('distlint', {
      cmd = opts.cmd,
      filetypes = opts.filetypes,
      root_markers = M.root_markers,
      settings = { distlint = M.encode_settings(opts.settings) },
      init_options = M.encode_settings(opts.settings),
      capabilities = opts.capabilities,
      on_attach = opts.on_attach,
    })
    vim.lsp.enable('distlint')
    return
  end

  local group = vim.api.nvim_create_augroup('distlint', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers that were already open before setup().
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(opts.filetypes, vim.bo[buf].filetype) then
      M.attach(buf)
    end
  end
end

return M
