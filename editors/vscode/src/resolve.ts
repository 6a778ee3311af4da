/**
 * Finding the `distlint` executable. Order (issue 6): the `distlint.path` setting, then the binary
 * bundled in the extension at `bin/<platform>-<arch>/distlint[.exe]`, then `distlint` on `PATH`.
 * Pure code (filesystem access injected) so it is unit-tested with `node --test`.
 */
import * as path from "node:path";

export interface ResolveEnv {
  /** `process.platform`, e.g. `linux`, `darwin`, `win32`. */
  platform: string;
  /** `process.arch`, e.g. `x64`, `arm64`. */
  arch: string;
  /** The extension's install directory (`ExtensionContext.extensionPath`). */
  extensionPath: string;
  /** The `PATH` environment variable. */
  pathEnv: string;
  /** Home directory, for `~` in `distlint.path`. */
  home: string;
  /** First workspace folder's filesystem path, for `${workspaceFolder}`; undefined without one. */
  workspaceFolder: string | undefined;
  /** Whether `p` is an existing executable regular file. */
  isExecutable(p: string): boolean;
}

export type Resolution =
  | { ok: true; path: string; source: "setting" | "bundled" | "PATH" }
  | { ok: false; message: string };

/** The directory name under `bin/` for this platform, e.g. `linux-x64`. */
export function platformDir(platform: string, arch: string): string {
  return `${platform}-${arch}`;
}

function exeName(platform: string): string {
  return platform === "win32" ? "distlint.exe" : "distlint";
}

/** Expands a leading `~` and `${workspaceFolder}` in a user-supplied path. */
export function expandPath(p: string, env: Pick<ResolveEnv, "home" | "workspaceFolder">): string {
  let out = p.trim();
  if (out === "~" || out.startsWith("~/")) out = path.join(env.home, out.slice(1));
  if (out.includes("${workspaceFolder}")) {
    if (env.workspaceFolder === undefined) return out; // left as is; the error names it
    out = out.split("${workspaceFolder}").join(env.workspaceFolder);
  }
  return out;
}

/**
 * Resolves the server executable. Never throws; a failure carries a message that names what was
 * tried and how to fix it.
 */
export function resolveServer(settingPath: string | null | undefined, env: ResolveEnv): Resolution {
  const exe = exeName(env.platform);
  if (settingPath !== undefined && settingPath !== null && settingPath.trim() !== "") {
    const p = expandPath(settingPath, env);
    if (env.isExecutable(p)) return { ok: true, path: p, source: "setting" };
    return {
      ok: false,
      message:
        `distlint: the "distlint.path" setting points to "${p}", which is not an executable file. ` +
        `Fix the setting (or clear it to use the bundled binary or "distlint" on PATH); ` +
        `build one with "cargo install --path crates/distlint" in the distlint repository.`,
    };
  }
  const bundled = path.join(env.extensionPath, "bin", platformDir(env.platform, env.arch), exe);
  if (env.isExecutable(bundled)) return { ok: true, path: bundled, source: "bundled" };

  const sep = env.platform === "win32" ? ";" : ":";
  for (const dir of env.pathEnv.split(sep)) {
    if (dir === "") continue;
    const candidate = path.join(dir, exe);
    if (env.isExecutable(candidate)) return { ok: true, path: candidate, source: "PATH" };
  }
  return {
    ok: false,
    message:
      `distlint: could not find the distlint language server. Tried the "distlint.path" setting (unset), ` +
      `the bundled binary "${bundled}" (not present for ${platformDir(env.platform, env.arch)}), and ` +
      `"${exe}" on PATH (not found). Install it with "cargo install --path crates/distlint" from the ` +
      `distlint repository (or put a release binary on PATH), or set "distlint.path" to the executable.`,
  };
}
