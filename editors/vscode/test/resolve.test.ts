import { test } from "node:test";
import * as assert from "node:assert/strict";
import { ResolveEnv, resolveServer, expandPath } from "../src/resolve";

function env(executables: string[], over: Partial<ResolveEnv> = {}): ResolveEnv {
  const set = new Set(executables);
  return {
    platform: "linux",
    arch: "x64",
    extensionPath: "/ext",
    pathEnv: "/usr/local/bin:/usr/bin",
    home: "/home/u",
    workspaceFolder: "/ws",
    isExecutable: (p) => set.has(p),
    ...over,
  };
}

test("the setting wins over the bundled binary and PATH", () => {
  const r = resolveServer("/opt/distlint", env(["/opt/distlint", "/ext/bin/linux-x64/distlint", "/usr/bin/distlint"]));
  assert.deepEqual(r, { ok: true, path: "/opt/distlint", source: "setting" });
});

test("a setting that points nowhere is an error, not a silent fallback", () => {
  const r = resolveServer("~/bin/distlint", env(["/ext/bin/linux-x64/distlint"]));
  assert.equal(r.ok, false);
  assert.match((r as { message: string }).message, /\/home\/u\/bin\/distlint/);
  assert.match((r as { message: string }).message, /distlint\.path/);
});

test("bundled binary for this platform comes before PATH", () => {
  const r = resolveServer(null, env(["/ext/bin/linux-x64/distlint", "/usr/bin/distlint"]));
  assert.deepEqual(r, { ok: true, path: "/ext/bin/linux-x64/distlint", source: "bundled" });
  const other = resolveServer(null, env(["/ext/bin/linux-x64/distlint", "/usr/bin/distlint"], { arch: "arm64" }));
  assert.deepEqual(other, { ok: true, path: "/usr/bin/distlint", source: "PATH" });
});

test("PATH is searched in order; empty setting counts as unset", () => {
  const r = resolveServer("  ", env(["/usr/bin/distlint", "/usr/local/bin/distlint"]));
  assert.deepEqual(r, { ok: true, path: "/usr/local/bin/distlint", source: "PATH" });
});

test("nothing found: the message says what was tried and how to fix it", () => {
  const r = resolveServer(undefined, env([]));
  assert.equal(r.ok, false);
  const m = (r as { message: string }).message;
  assert.match(m, /bin\/linux-x64\/distlint/);
  assert.match(m, /PATH/);
  assert.match(m, /cargo install --path crates\/distlint/);
});

test("windows uses distlint.exe and ; as PATH separator", () => {
  const r = resolveServer(null, env(["C:\\tools/distlint.exe"], { platform: "win32", pathEnv: "C:\\nope;C:\\tools" }));
  assert.equal(r.ok, true);
});

test("${workspaceFolder} expands", () => {
  assert.equal(expandPath("${workspaceFolder}/target/release/distlint", { home: "/h", workspaceFolder: "/ws" }), "/ws/target/release/distlint");
});
