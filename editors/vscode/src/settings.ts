/**
 * The settings that the extension sends to the distlint language server, and how they are built
 * from VS Code's `distlint.*` configuration. Pure code (no `vscode` import) so it is unit-tested
 * with `node --test`.
 *
 * The shape is the contract written down in `editors/SETTINGS.md` and `docs/editors.md`; the server
 * parses the same shape from `initializationOptions` (LSP 3.17 §initialize) and from
 * `workspace/didChangeConfiguration` (§workspace_didChangeConfiguration), where it arrives wrapped
 * as `{ "distlint": <ServerSettings> }`.
 */

/** A per-rule override: the rule is off, on at its default severity, or on at a given severity. */
export type RuleSetting = "off" | "on" | "blocker" | "major" | "minor" | "nit";

export const RULE_SETTINGS: readonly RuleSetting[] = ["off", "on", "blocker", "major", "minor", "nit"];

/** Parameters that quick fixes write into the code. */
export interface FixSettings {
  /** Capacity (number of messages) written by "Bound this channel". */
  channelCapacity: number;
  /** Timeout in seconds written by the "Add a timeout" fixes. */
  timeoutSeconds: number;
  /** Header name written by "Add an idempotency key". */
  idempotencyHeader: string;
}

/** What the server receives. Keys that are absent keep the server's (or distlint.toml's) value. */
export interface ServerSettings {
  /** Rule id (kebab-case, as in `distlint rules`) → override. */
  rules: Record<string, RuleSetting>;
  /** Also analyse test code. */
  includeTests: boolean;
  /** File roles analysed besides production code; absent when the setting is empty. */
  includeRoles?: RoleSetting[];
  fix: FixSettings;
}

/** Minimal view of `vscode.WorkspaceConfiguration` that {@link buildServerSettings} needs. */
export interface ConfigurationLike {
  get<T>(section: string): T | undefined;
}

export const DEFAULT_FIX: FixSettings = {
  channelCapacity: 1024,
  timeoutSeconds: 30,
  idempotencyHeader: "Idempotency-Key",
};

/** Values of `distlint.includeRoles` (the server's `includeRoles`). */
export const ROLE_SETTINGS = ["test", "example", "generated", "vendored", "all"] as const;
export type RoleSetting = (typeof ROLE_SETTINGS)[number];

const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Builds the settings object from the `distlint` configuration section. Invalid entries are left
 * out and reported in `problems` (one human-readable line each, naming the key), so one typo does
 * not disable the whole configuration.
 */
export function buildServerSettings(cfg: ConfigurationLike): { settings: ServerSettings; problems: string[] } {
  const problems: string[] = [];
  const rules: Record<string, RuleSetting> = {};
  const rawRules = cfg.get<unknown>("rules") ?? {};
  if (typeof rawRules === "object" && rawRules !== null && !Array.isArray(rawRules)) {
    for (const [id, level] of Object.entries(rawRules as Record<string, unknown>)) {
      if (!RULE_ID.test(id)) {
        problems.push(`distlint.rules: "${id}" is not a rule id (kebab-case, see \`distlint rules\`)`);
        continue;
      }
      if (typeof level !== "string" || !(RULE_SETTINGS as readonly string[]).includes(level)) {
        problems.push(
          `distlint.rules.${id}: ${JSON.stringify(level)} is not one of ${RULE_SETTINGS.map((s) => `"${s}"`).join(", ")}`,
        );
        continue;
      }
      rules[id] = level as RuleSetting;
    }
  } else {
    problems.push("distlint.rules: expected an object mapping rule ids to levels");
  }

  const positiveInt = (key: string, fallback: number): number => {
    const v = cfg.get<unknown>(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number" && Number.isInteger(v) && v >= 1) return v;
    problems.push(`distlint.${key}: ${JSON.stringify(v)} is not a positive integer; using ${fallback}`);
    return fallback;
  };
  const header = cfg.get<unknown>("fix.idempotencyHeader");
  let idempotencyHeader = DEFAULT_FIX.idempotencyHeader;
  if (typeof header === "string" && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(header)) {
    idempotencyHeader = header;
  } else if (header !== undefined && header !== null) {
    problems.push(`distlint.fix.idempotencyHeader: ${JSON.stringify(header)} is not an HTTP header name`);
  }

  const includeRoles: RoleSetting[] = [];
  const rawRoles = cfg.get<unknown>("includeRoles");
  if (Array.isArray(rawRoles)) {
    for (const r of rawRoles) {
      if (typeof r === "string" && (ROLE_SETTINGS as readonly string[]).includes(r)) {
        if (!includeRoles.includes(r as RoleSetting)) includeRoles.push(r as RoleSetting);
      } else {
        problems.push(
          `distlint.includeRoles: ${JSON.stringify(r)} is not one of ${ROLE_SETTINGS.map((s) => `"${s}"`).join(", ")}`,
        );
      }
    }
  } else if (rawRoles !== undefined && rawRoles !== null) {
    problems.push("distlint.includeRoles: expected an array of role names");
  }

  const settings: ServerSettings = {
    rules,
    includeTests: cfg.get<boolean>("includeTests") === true,
    fix: {
      channelCapacity: positiveInt("fix.channelCapacity", DEFAULT_FIX.channelCapacity),
      timeoutSeconds: positiveInt("fix.timeoutSeconds", DEFAULT_FIX.timeoutSeconds),
      idempotencyHeader,
    },
  };
  if (includeRoles.length > 0) settings.includeRoles = includeRoles;
  return { settings, problems };
}

/** Settings whose change needs a server restart (the process command line), as opposed to live ones. */
export const RESTART_KEYS = ["distlint.path", "distlint.args"] as const;
