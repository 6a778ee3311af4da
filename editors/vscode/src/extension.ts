/**
 * distlint for VS Code: starts `distlint lsp` over stdio for Rust and Go files and adds three
 * commands (restart the server, show its output, explain the rule under the cursor).
 *
 * Settings flow (see editors/SETTINGS.md): `distlint.*` → {@link buildServerSettings} → sent as
 * `initializationOptions` at start, as `workspace/didChangeConfiguration { settings: { distlint } }`
 * on every change, and returned for `workspace/configuration` requests with section `distlint`.
 * `distlint.path` and `distlint.args` change the process command line, so they restart the server.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { execFile } from "node:child_process";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

import { RESTART_KEYS, ServerSettings, buildServerSettings } from "./settings";
import { Resolution, resolveServer } from "./resolve";

const EXPLAIN_SCHEME = "distlint-explain";

let client: LanguageClient | undefined;
let serverPath: string | undefined;
let output: vscode.OutputChannel;
let traceOutput: vscode.OutputChannel;
let context: vscode.ExtensionContext;
const explainDocs = new Map<string, string>();

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolve(): Resolution {
  const cfg = vscode.workspace.getConfiguration("distlint");
  return resolveServer(cfg.get<string | null>("path"), {
    platform: process.platform,
    arch: process.arch,
    extensionPath: context.extensionPath,
    pathEnv: process.env.PATH ?? "",
    home: os.homedir(),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    isExecutable,
  });
}

function currentSettings(): ServerSettings {
  const { settings, problems } = buildServerSettings(vscode.workspace.getConfiguration("distlint"));
  for (const p of problems) output.appendLine(`[settings] ${p}`);
  if (problems.length > 0) {
    void vscode.window.showWarningMessage(`distlint: ignored invalid settings: ${problems.join("; ")}`);
  }
  return settings;
}

async function startClient(): Promise<void> {
  const found = resolve();
  if (!found.ok) {
    serverPath = undefined;
    output.appendLine(found.message);
    const choice = await vscode.window.showErrorMessage(found.message, "Open Settings", "Show Output");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "distlint.path");
    } else if (choice === "Show Output") {
      output.show(true);
    }
    return;
  }
  serverPath = found.path;
  const args = ["lsp", ...(vscode.workspace.getConfiguration("distlint").get<string[]>("args") ?? [])];
  output.appendLine(`starting ${found.path} ${args.join(" ")} (found via ${found.source})`);

  // No `transport` key: the client talks over the process's stdin/stdout and, unlike
  // TransportKind.stdio, does not append `--stdio` to the arguments.
  const serverOptions: ServerOptions = {
    run: { command: found.path, args },
    debug: { command: found.path, args, options: { env: { ...process.env, RUST_LOG: "distlint=debug" } } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "rust" },
      { scheme: "file", language: "go" },
      { scheme: "untitled", language: "rust" },
      { scheme: "untitled", language: "go" },
    ],
    initializationOptions: currentSettings(),
    outputChannel: output,
    traceOutputChannel: traceOutput,
    synchronize: {
      // distlint.toml changes re-analyse open documents (workspace/didChangeWatchedFiles).
      fileEvents: vscode.workspace.createFileSystemWatcher("**/distlint.toml"),
    },
    middleware: {
      workspace: {
        // Answer workspace/configuration for "distlint" with the same validated shape that
        // initializationOptions and didChangeConfiguration carry.
        configuration: (params, token, next) => {
          const answers = params.items.map((item) =>
            item.section === "distlint" ? (currentSettings() as unknown) : undefined,
          );
          if (answers.every((a) => a !== undefined)) return answers;
          return Promise.resolve(next(params, token)).then((fallback) => {
            if (!Array.isArray(fallback)) return fallback;
            return fallback.map((v, i) => answers[i] ?? v);
          });
        },
      },
    },
  };
  client = new LanguageClient("distlint", "distlint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const message = `distlint: the language server "${found.path}" failed to start: ${String(err)}. ` +
      `Check that it is a distlint build with the "lsp" subcommand (\`${found.path} lsp --help\`).`;
    output.appendLine(message);
    void vscode.window.showErrorMessage(message, "Show Output").then((c) => c && output.show(true));
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c !== undefined && c.state !== State.Stopped) {
    try {
      await c.stop(2000);
    } catch (err) {
      output.appendLine(`stopping the server: ${String(err)}`);
    }
  }
}

async function restart(): Promise<void> {
  output.appendLine("restarting the distlint language server");
  await stopClient();
  await startClient();
}

/** The rule id of a diagnostic's `code`, which the server sets to the rule id. */
function ruleOf(d: vscode.Diagnostic): string | undefined {
  if (d.source !== "distlint") return undefined;
  const code = d.code;
  if (typeof code === "string") return code;
  if (typeof code === "object" && code !== null && typeof code.value === "string") return code.value;
  return undefined;
}

function runExplain(exe: string, rule: string): Promise<string> {
  return new Promise((resolveP, rejectP) => {
    execFile(exe, ["explain", rule], { timeout: 10_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) rejectP(new Error(`${exe} explain ${rule}: ${stderr.trim() || err.message}`));
      else resolveP(stdout);
    });
  });
}

async function explainRuleUnderCursor(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage("distlint: open a Rust or Go file and put the cursor on a finding.");
    return;
  }
  const pos = editor.selection.active;
  const diags = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => ruleOf(d) !== undefined);
  let rules = [...new Set(diags.filter((d) => d.range.contains(pos)).map((d) => ruleOf(d)!))];
  if (rules.length === 0) rules = [...new Set(diags.filter((d) => d.range.start.line === pos.line).map((d) => ruleOf(d)!))];
  let rule: string | undefined = rules[0];
  if (rules.length > 1) {
    rule = await vscode.window.showQuickPick(rules, { placeHolder: "Several distlint rules apply here; explain which?" });
  }
  if (rule === undefined) {
    if (rules.length === 0) void vscode.window.showInformationMessage("distlint: no distlint finding under the cursor.");
    return;
  }
  const exe = serverPath ?? (resolve().ok ? (resolve() as { path: string }).path : undefined);
  if (exe === undefined) {
    void vscode.window.showErrorMessage("distlint: no distlint executable to run `explain` with; see the distlint output.");
    return;
  }
  try {
    const text = await runExplain(exe, rule);
    const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${rule}.md` });
    explainDocs.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, "markdown");
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  } catch (err) {
    output.appendLine(String(err));
    void vscode.window.showErrorMessage(String(err));
  }
}

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  context = ctx;
  output = vscode.window.createOutputChannel("distlint");
  traceOutput = vscode.window.createOutputChannel("distlint Trace");
  ctx.subscriptions.push(output, traceOutput);

  ctx.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, {
      provideTextDocumentContent: (uri) => explainDocs.get(uri.toString()) ?? "",
    }),
    vscode.commands.registerCommand("distlint.restartServer", restart),
    vscode.commands.registerCommand("distlint.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("distlint.explainRule", explainRuleUnderCursor),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration("distlint")) return;
      if (RESTART_KEYS.some((k) => e.affectsConfiguration(k))) {
        await restart();
        return;
      }
      if (client !== undefined && client.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { distlint: currentSettings() },
        });
      }
    }),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
