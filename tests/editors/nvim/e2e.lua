-- Neovim end-to-end test for distlint (issue 6). Runs inside a real headless Neovim (0.7.2 from
-- Debian in CI) with the plugin from editors/neovim:
--
--   DISTLINT_BIN=target/debug/distlint DISTLINT_REPO=$PWD \
--     nvim --headless --clean -c 'luafile tests/editors/nvim/e2e.lua'
--
-- For each demo file in tests/examples/editor-demo/: open it, wait for distlint's diagnostics
-- (vim.diagnostic.get), compare lines, codes and highlighted text with the `// expect:` markers
-- (the text before each finding is non-ASCII, so a wrong position encoding fails), request a hover
-- and code actions (vim.lsp.buf_request_sync), apply a quick fix's workspace edit and check the
-- buffer changed and the finding went away, switch the rule off through
-- workspace/didChangeConfiguration and back, close the buffer and check that its diagnostics clear.
-- Exit status 0 = pass; otherwise `cquit 1` after printing every failure.

local bin = assert(os.getenv('DISTLINT_BIN'), 'DISTLINT_BIN is not set')
local repo = assert(os.getenv('DISTLINT_REPO'), 'DISTLINT_REPO is not set')
local TIMEOUT = tonumber(os.getenv('DISTLINT_NVIM_TIMEOUT_MS') or '20000')

local failures = {}
local function log(fmt, ...)
  io.stderr:write(string.format(fmt, ...) .. '\n')
end
local function check(cond, fmt, ...)
  if cond then
    return true
  end
  local msg = string.format(fmt, ...)
  table.insert(failures, msg)
  log('FAIL: %s', msg)
  return false
end

vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

-- Record every publishDiagnostics notification (raw LSP diagnostics, per URI), then let Neovim
-- handle it as usual.
local published = {} -- uri -> { version = n|nil, diagnostics = {...}, count = n }
local orig_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result ~= nil then
    local prev = published[result.uri]
    published[result.uri] = {
      version = result.version,
      diagnostics = result.diagnostics,
      count = (prev and prev.count or 0) + 1,
    }
  end
  return orig_publish(err, result, ctx, config)
end

-- Server messages (bad settings etc.) go to the log, not to the (absent) UI.
-- A warning or error from the server (e.g. a settings key it rejects) is a failure.
vim.lsp.handlers['window/showMessage'] = function(_, result)
  log('server showMessage(%s): %s', tostring(result and result.type), result and result.message or '')
  if result ~= nil and result.type <= 2 then
    check(false, 'server showMessage (type %d): %s', result.type, result.message)
  end
end

local distlint = require('distlint')
-- DISTLINT_NVIM_ENCODINGS: comma-separated position encodings the client offers (default: the
-- plugin's utf-8,utf-16); the server must pick the first it supports and Neovim must use it.
local offered = os.getenv('DISTLINT_NVIM_ENCODINGS')
local encodings = (offered ~= nil and offered ~= '') and vim.split(offered, ',') or nil
local want_encoding = encodings and encodings[1] or 'utf-8'
distlint.setup({
  cmd = { bin, 'lsp' },
  settings = {},
  position_encodings = encodings,
  force_legacy = os.getenv('DISTLINT_NVIM_LEGACY') == '1',
})

local function distlint_client(buf)
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
    if c.name == 'distlint' then
      return c
    end
  end
  return nil
end

local function distlint_diags(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'distlint' then
      table.insert(out, d)
    end
  end
  table.sort(out, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return out
end

--- `// expect: rule-id "text"` markers: { [lnum0] = { rule = ..., text = ... } }
local function expectations(buf)
  local exp = {}
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local rule, text = line:match('// expect: ([%w%-]+) "(.-)"%s*$')
    if rule ~= nil then
      exp[i - 1] = { rule = rule, text = text }
    end
  end
  return exp
end

local function run_explain(rule)
  local out = vim.fn.system({ bin, 'explain', rule })
  return vim.v.shell_error, out
end

local function hover_text(result)
  if result == nil or result.contents == nil then
    return ''
  end
  local c = result.contents
  if type(c) == 'string' then
    return c
  end
  if c.value ~= nil then
    return c.value
  end
  local parts = {}
  for _, item in ipairs(c) do
    table.insert(parts, type(item) == 'string' and item or item.value or '')
  end
  return table.concat(parts, '\n')
end

local function test_file(rel, opts)
  log('== %s', rel)
  local path = repo .. '/' .. rel
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  check(vim.bo[buf].filetype == opts.filetype, '%s: filetype %s, want %s', rel, vim.bo[buf].filetype, opts.filetype)

  local attached = vim.wait(TIMEOUT, function()
    return distlint_client(buf) ~= nil and distlint_client(buf).initialized
  end, 50)
  if not check(attached, '%s: distlint client did not attach/initialize within %d ms', rel, TIMEOUT) then
    return
  end
  local client = distlint_client(buf)
  local expected_root = vim.fn.fnamemodify(path, ':h:h')
  if rel:match('%.go$') then
    expected_root = vim.fn.fnamemodify(path, ':h')
  end
  check(client.config.root_dir == expected_root, '%s: root_dir %s, want %s (nearest Cargo.toml/go.mod)', rel, tostring(client.config.root_dir), expected_root)
  log('client offset_encoding=%s root=%s', tostring(client.offset_encoding), tostring(client.config.root_dir))
  check(client.offset_encoding == want_encoding, '%s: negotiated position encoding %s, want %s', rel, tostring(client.offset_encoding), want_encoding)

  -- 1. Diagnostics: lines, codes, ranges.
  local exp = expectations(buf)
  local nexp = vim.tbl_count(exp)
  check(nexp > 0, '%s: no // expect: markers', rel)
  local got_all = vim.wait(TIMEOUT, function()
    return #distlint_diags(buf) >= nexp
  end, 50)
  local diags = distlint_diags(buf)
  check(got_all, '%s: %d distlint diagnostics after %d ms, want %d', rel, #diags, TIMEOUT, nexp)
  local seen = {}
  for _, d in ipairs(diags) do
    local line = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1] or ''
    local e = exp[d.lnum]
    log('diagnostic %d:%d-%d:%d [%s] severity=%s %s', d.lnum + 1, d.col, d.end_lnum + 1, d.end_col, tostring(d.code), tostring(d.severity), d.message)
    if check(e ~= nil, '%s:%d: unexpected diagnostic %s: %s', rel, d.lnum + 1, tostring(d.code), d.message) then
      check(d.code == e.rule, '%s:%d: code %s, want %s', rel, d.lnum + 1, tostring(d.code), e.rule)
      check(d.end_lnum == d.lnum, '%s:%d: multi-line range', rel, d.lnum + 1)
      -- Neovim converted the server's columns (in the negotiated encoding) to byte columns.
      local highlighted = line:sub(d.col + 1, d.end_col)
      check(highlighted:find(e.text, 1, true) ~= nil,
        '%s:%d: diagnostic covers %q (bytes %d-%d), want it to cover %q; position encoding %s mis-converted?',
        rel, d.lnum + 1, highlighted, d.col, d.end_col, e.text, tostring(client.offset_encoding))
      check(d.message ~= nil and #d.message > 10, '%s:%d: empty message', rel, d.lnum + 1)
      seen[d.lnum] = d
    end
  end
  for lnum, e in pairs(exp) do
    check(seen[lnum] ~= nil, '%s:%d: missing %s diagnostic', rel, lnum + 1, e.rule)
  end
  local pub = published[uri]
  check(pub ~= nil and pub.version ~= nil, '%s: publishDiagnostics carried no document version', rel)

  local lnum, e = next(exp)
  local d = seen[lnum]
  if d == nil then
    return
  end
  local raw = nil
  for _, r in ipairs((published[uri] or {}).diagnostics or {}) do
    if r.range.start.line == lnum and r.code == e.rule then
      raw = r
    end
  end
  check(raw ~= nil, '%s: raw LSP diagnostic for line %d not recorded', rel, lnum + 1)
  if raw == nil then
    return
  end
  check(raw.source == 'distlint', '%s: source %s', rel, tostring(raw.source))

  -- 2. Hover at the start of the finding: the rule's failure scenario.
  vim.api.nvim_win_set_cursor(0, { lnum + 1, d.col })
  local params = vim.lsp.util.make_position_params()
  check(params.position.character == raw.range.start.character,
    '%s: cursor position %d (encoded by Neovim) differs from diagnostic start %d', rel, params.position.character, raw.range.start.character)
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, TIMEOUT)
  local hover = ''
  for _, r in pairs(responses or {}) do
    if r.result then
      hover = hover .. hover_text(r.result)
    end
  end
  log('hover (%d chars): %s', #hover, (hover:gsub('\n', ' | ')):sub(1, 300))
  check(#hover > 80, '%s: hover too short or empty: %q', rel, hover)
  local rc, explain = run_explain(e.rule)
  check(rc == 0, '%s: distlint explain %s exited %d', rel, e.rule, rc)
  -- The failure scenario text is the same in hover and explain: a long line of it must appear.
  local shared = 0
  for line in explain:gmatch('[^\n]+') do
    local t = vim.trim(line)
    if #t >= 40 and hover:find(t, 1, true) then
      shared = shared + 1
    end
  end
  check(shared >= 2, '%s: hover shares %d long lines with `distlint explain %s`, want >= 2 (failure scenario missing?)', rel, shared, e.rule)

  -- 3. Code actions for the diagnostic; apply the preferred quick fix.
  local ca_params = {
    textDocument = { uri = uri },
    range = raw.range,
    context = { diagnostics = { raw }, only = { 'quickfix' } },
  }
  responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', ca_params, TIMEOUT)
  local actions = {}
  for _, r in pairs(responses or {}) do
    for _, a in ipairs(r.result or {}) do
      table.insert(actions, a)
      log('code action: %q kind=%s', a.title, tostring(a.kind))
    end
  end
  check(#actions >= 1, '%s: no code actions for %s', rel, e.rule)
  local chosen = nil
  for _, a in ipairs(actions) do
    if a.title:find(opts.fix_title, 1, true) == 1 then
      chosen = a
    end
  end
  if not check(chosen ~= nil, '%s: no code action titled "%s..."', rel, opts.fix_title) then
    return
  end
  if chosen.edit == nil and chosen.data ~= nil then
    local resolved = client.request_sync('codeAction/resolve', chosen, TIMEOUT, buf)
    chosen = resolved and resolved.result or chosen
  end
  if not check(chosen.edit ~= nil, '%s: code action has no workspace edit', rel) then
    return
  end
  local before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  local publishes_before = published[uri].count
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  local after_lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local after = table.concat(after_lines, '\n')
  check(after ~= before, '%s: buffer unchanged after applying %q', rel, chosen.title)
  check(after_lines[lnum + 1]:find(opts.fixed_text, 1, true) ~= nil,
    '%s:%d: after the fix the line is %q, want it to contain %q', rel, lnum + 1, after_lines[lnum + 1], opts.fixed_text)
  check(after_lines[lnum + 1]:find(opts.label, 1, true) ~= nil, '%s:%d: the fix clobbered the non-ASCII text', rel, lnum + 1)
  -- The edit goes to the server as didChange; the finding must go away.
  local cleared = vim.wait(TIMEOUT, function()
    local p = published[uri]
    if p.count == publishes_before then
      return false
    end
    for _, x in ipairs(distlint_diags(buf)) do
      if x.lnum == lnum and x.code == e.rule then
        return false
      end
    end
    return true
  end, 50)
  check(cleared, '%s:%d: %s still reported after the fix was applied', rel, lnum + 1, e.rule)
  check(published[uri].version == vim.lsp.util.buf_versions[buf],
    '%s: last published version %s, buffer version %s', rel, tostring(published[uri].version), tostring(vim.lsp.util.buf_versions[buf]))

  -- 4. Undo the fix; the finding comes back. Then switch the rule off through
  --    workspace/didChangeConfiguration: it disappears; back on: it returns.
  vim.cmd('silent undo')
  local back = vim.wait(TIMEOUT, function()
    return #distlint_diags(buf) == nexp
  end, 50)
  check(back, '%s: after undo %d diagnostics, want %d', rel, #distlint_diags(buf), nexp)
  distlint.update_settings({ rules = { [e.rule] = 'off' } })
  local off = vim.wait(TIMEOUT, function()
    for _, x in ipairs(distlint_diags(buf)) do
      if x.code == e.rule then
        return false
      end
    end
    return true
  end, 50)
  check(off, '%s: %s still reported after rules.%s = "off" (didChangeConfiguration)', rel, e.rule, e.rule)
  distlint.update_settings({ rules = { [e.rule] = 'blocker' } })
  local as_blocker = vim.wait(TIMEOUT, function()
    local ds = distlint_diags(buf)
    return #ds == nexp and ds[1].severity == vim.diagnostic.severity.ERROR
  end, 50)
  check(as_blocker, '%s: rules.%s = "blocker" did not bring it back as Error', rel, e.rule)
  distlint.update_settings({})
  local default_again = vim.wait(TIMEOUT, function()
    local ds = distlint_diags(buf)
    return #ds == nexp and ds[1].severity == d.severity
  end, 50)
  check(default_again, '%s: settings {} did not restore the default severity', rel)

  -- 5. Close the buffer: didClose, and the server publishes an empty list.
  local n_before_close = published[uri].count
  vim.cmd('bdelete! ' .. buf)
  local closed = vim.wait(TIMEOUT, function()
    local p = published[uri]
    return p.count > n_before_close and #p.diagnostics == 0
  end, 50)
  check(closed, '%s: no empty publishDiagnostics after closing the buffer', rel)
  check(#distlint_diags(buf) == 0, '%s: %d diagnostics left after closing the buffer', rel, #distlint_diags(buf))
end

-- The Neovim >= 0.11 config (lsp/distlint.lua) cannot run on 0.7, but it must load and describe
-- the same server: command, filetypes, root markers, settings → initializationOptions.
local function check_lsp_config()
  local cfg = dofile(repo .. '/editors/neovim/lsp/distlint.lua')
  check(type(cfg) == 'table', 'lsp/distlint.lua does not return a table')
  check(vim.deep_equal(cfg.cmd, { 'distlint', 'lsp' }), 'lsp/distlint.lua: cmd %s', vim.inspect(cfg.cmd))
  check(vim.deep_equal(cfg.filetypes, { 'rust', 'go' }), 'lsp/distlint.lua: filetypes %s', vim.inspect(cfg.filetypes))
  check(vim.deep_equal(cfg.root_markers, distlint.root_markers), 'lsp/distlint.lua: root_markers differ from the plugin: %s', vim.inspect(cfg.root_markers))
  local params = {}
  cfg.before_init(params, { settings = { distlint = { rules = { ['unbounded-channel'] = 'off' } } } })
  check(params.initializationOptions ~= nil and params.initializationOptions.rules['unbounded-channel'] == 'off',
    'lsp/distlint.lua: before_init does not send settings.distlint as initializationOptions')
  check(vim.fn.json_encode(cfg.settings.distlint) == '{}', 'lsp/distlint.lua: default settings encode as %s, want {}', vim.fn.json_encode(cfg.settings.distlint))
  local enc = vim.fn.json_encode(distlint.encode_settings({ rules = {} })):gsub('%s', '')
  check(enc == '{"rules":{}}', 'encode_settings({rules = {}}) encodes as %s, want {"rules":{}}', enc)
end

local ok, err = xpcall(function()
  check_lsp_config()
  test_file('tests/examples/editor-demo/rust/src/main.rs', {
    filetype = 'rust',
    fix_title = 'Bound this channel',
    fixed_text = 'mpsc::sync_channel::<String>(1024)',
    label = '注文 📦',
  })
  test_file('tests/examples/editor-demo/go/main.go', {
    filetype = 'go',
    fix_title = os.getenv('DISTLINT_GO_FIX_TITLE') or 'Add a timeout',
    fixed_text = os.getenv('DISTLINT_GO_FIXED_TEXT') or 'Timeout:',
    label = '在庫 📦',
  })
end, debug.traceback)
if not ok then
  table.insert(failures, 'error: ' .. tostring(err))
  log('ERROR: %s', tostring(err))
end

if #failures == 0 then
  log('PASS: neovim e2e (position encoding %s; nvim %s)', want_encoding, vim.inspect(vim.version()))
  vim.cmd('qall!')
else
  log('%d failure(s)', #failures)
  vim.cmd('cquit 1')
end
