#!/usr/bin/env python3
"""Picture of distlint in Neovim for docs/editors.md (not a test).

Runs the real Neovim in a tmux pane (TERM=xterm-256color) with editors/neovim's setup(), opens
tests/examples/editor-demo/rust/src/main.rs, requests the hover on the finding, captures the pane
with its colours (`tmux capture-pane -e`), turns the ANSI SGR codes into HTML and has Debian's
headless Chromium render a PNG.

    python3 tests/editors/nvim/screenshot.py target/debug/distlint docs/editors-neovim-hover.png
"""
import html
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2])
COLS, ROWS = 132, 30

# xterm 256-colour palette.
BASE16 = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
          "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def ansi_to_html(text):
    out = []
    state = {"fg": None, "bg": None, "bold": False, "ul": False, "rev": False}
    pos = 0
    open_span = False
    for m in re.finditer(r"\x1b\[([0-9;:]*)m", text):
        chunk = text[pos:m.start()]
        if chunk:
            out.append(html.escape(chunk))
        pos = m.end()
        codes = [c for c in re.split(r"[;:]", m.group(1))] or ["0"]
        i = 0
        while i < len(codes):
            c = int(codes[i] or 0)
            if c == 0:
                state = {"fg": None, "bg": None, "bold": False, "ul": False, "rev": False}
            elif c == 1:
                state["bold"] = True
            elif c in (4, 21):
                state["ul"] = True
            elif c == 7:
                state["rev"] = True
            elif c == 22:
                state["bold"] = False
            elif c == 24:
                state["ul"] = False
            elif c == 27:
                state["rev"] = False
            elif 30 <= c <= 37:
                state["fg"] = BASE16[c - 30]
            elif 90 <= c <= 97:
                state["fg"] = BASE16[c - 90 + 8]
            elif 40 <= c <= 47:
                state["bg"] = BASE16[c - 40]
            elif 100 <= c <= 107:
                state["bg"] = BASE16[c - 100 + 8]
            elif c == 39:
                state["fg"] = None
            elif c == 49:
                state["bg"] = None
            elif c in (38, 48) and i + 1 < len(codes):
                mode = int(codes[i + 1] or 0)
                if mode == 5:
                    col = color256(int(codes[i + 2]))
                    i += 2
                elif mode == 2:
                    col = "#%02x%02x%02x" % tuple(int(x) for x in codes[i + 2:i + 5])
                    i += 4
                else:
                    col = None
                state["fg" if c == 38 else "bg"] = col
            i += 1
        if open_span:
            out.append("</span>")
        fg, bg = state["fg"] or "#d0d0d0", state["bg"] or "#1c1c1c"
        if state["rev"]:
            fg, bg = bg, fg
        style = f"color:{fg};background:{bg};"
        if state["bold"]:
            style += "font-weight:bold;"
        if state["ul"]:
            style += "text-decoration:underline wavy;"
        out.append(f'<span style="{style}">')
        open_span = True
    out.append(html.escape(text[pos:]))
    if open_span:
        out.append("</span>")
    return "".join(out)


def tmux(*args):
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def main():
    with tempfile.TemporaryDirectory() as tmp:
        init = os.path.join(tmp, "init.lua")
        with open(init, "w") as f:
            f.write(f"""
vim.opt.runtimepath:prepend({os.path.join(REPO, 'editors/neovim')!r})
vim.opt.swapfile = false
vim.opt.number = true
vim.opt.signcolumn = 'yes'
vim.diagnostic.config({{ virtual_text = {{ prefix = '●' }} }})
-- A typical dark setup: readable floats with a border (0.7's default float colour is magenta).
vim.opt.background = 'dark'
vim.cmd('highlight NormalFloat ctermbg=236 ctermfg=252')
vim.cmd('highlight FloatBorder ctermbg=236 ctermfg=244')
vim.cmd('highlight SignColumn ctermbg=NONE')
vim.cmd('highlight LineNr ctermfg=242')
vim.lsp.handlers['textDocument/hover'] = vim.lsp.with(vim.lsp.handlers.hover, {{ max_width = 110, max_height = 18 }})
require('distlint').setup({{ cmd = {{ {BIN!r}, 'lsp' }} }})
""")
        session = f"distlint-shot-{os.getpid()}"
        rel = "tests/examples/editor-demo/rust/src/main.rs"
        tmux("new-session", "-d", "-s", session, "-x", str(COLS), "-y", str(ROWS),
             f"cd {REPO} && TERM=xterm-256color nvim --clean -u {init} {rel}")
        try:
            time.sleep(3)
            tmux("send-keys", "-t", session, "/mpsc::channel", "Enter")
            time.sleep(0.5)
            tmux("send-keys", "-t", session, ":nohlsearch | lua vim.lsp.buf.hover()", "Enter")
            time.sleep(2)
            screen = tmux("capture-pane", "-t", session, "-e", "-p")
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session])
        page = os.path.join(tmp, "screen.html")
        with open(page, "w") as f:
            f.write("<!doctype html><meta charset=utf-8><body style='margin:0;background:#1c1c1c'>"
                    "<pre style=\"margin:8px;font:14px/1.3 'DejaVu Sans Mono',monospace;color:#d0d0d0\">"
                    + ansi_to_html(screen) + "</pre>")
        subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--hide-scrollbars",
                        f"--screenshot={OUT}", f"--window-size={COLS * 9 + 16},{ROWS * 19 + 16}",
                        "file://" + page], check=True, capture_output=True)
        print(OUT)


main()
