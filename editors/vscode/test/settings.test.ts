import { test } from "node:test";
import * as assert from "node:assert/strict";
import { buildServerSettings, ConfigurationLike, DEFAULT_FIX } from "../src/settings";

function cfg(values: Record<string, unknown>): ConfigurationLike {
  return { get: <T>(k: string) => values[k] as T | undefined };
}

test("defaults when nothing is set", () => {
  const { settings, problems } = buildServerSettings(cfg({}));
  assert.deepEqual(settings, { rules: {}, includeTests: false, fix: DEFAULT_FIX });
  assert.deepEqual(problems, []);
});

test("rule overrides, includeTests and fix parameters pass through in the documented shape", () => {
  const { settings, problems } = buildServerSettings(
    cfg({
      rules: { "unbounded-channel": "off", "lock-held-across-await": "blocker", "http-client-without-timeout": "on" },
      includeTests: true,
      "fix.channelCapacity": 64,
      "fix.timeoutSeconds": 5,
      "fix.idempotencyHeader": "X-Request-Id",
    }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    rules: { "unbounded-channel": "off", "lock-held-across-await": "blocker", "http-client-without-timeout": "on" },
    includeTests: true,
    fix: { channelCapacity: 64, timeoutSeconds: 5, idempotencyHeader: "X-Request-Id" },
  });
  // The JSON the server parses (editors/SETTINGS.md) uses exactly these keys.
  assert.equal(
    JSON.stringify(settings),
    '{"rules":{"unbounded-channel":"off","lock-held-across-await":"blocker","http-client-without-timeout":"on"},' +
      '"includeTests":true,"fix":{"channelCapacity":64,"timeoutSeconds":5,"idempotencyHeader":"X-Request-Id"}}',
  );
});

test("includeRoles is sent when not empty, validated entry by entry", () => {
  const { settings, problems } = buildServerSettings(cfg({ includeRoles: ["example", "tests", "generated", "example"] }));
  assert.deepEqual(settings.includeRoles, ["example", "generated"]);
  assert.deepEqual(problems, ['distlint.includeRoles: "tests" is not one of "test", "example", "generated", "vendored", "all"']);
  const empty = buildServerSettings(cfg({ includeRoles: [] }));
  assert.equal("includeRoles" in empty.settings, false, "an empty list leaves distlint.toml's include-roles alone");
  assert.deepEqual(buildServerSettings(cfg({ includeRoles: "test" })).problems, [
    "distlint.includeRoles: expected an array of role names",
  ]);
});

test("invalid entries are dropped one by one and named", () => {
  const { settings, problems } = buildServerSettings(
    cfg({
      rules: { "unbounded-channel": "warning", Bad_Id: "off", "http-server-without-timeouts": "minor" },
      "fix.channelCapacity": 0,
      "fix.timeoutSeconds": 2.5,
      "fix.idempotencyHeader": "has space",
    }),
  );
  assert.deepEqual(settings.rules, { "http-server-without-timeouts": "minor" });
  assert.deepEqual(settings.fix, DEFAULT_FIX);
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.ok(problems.some((p) => p.startsWith("distlint.rules.unbounded-channel:")));
  assert.ok(problems.some((p) => p.includes('"Bad_Id"')));
  assert.ok(problems.some((p) => p.startsWith("distlint.fix.channelCapacity:")));
  assert.ok(problems.some((p) => p.startsWith("distlint.fix.timeoutSeconds:")));
  assert.ok(problems.some((p) => p.startsWith("distlint.fix.idempotencyHeader:")));
});

test("a non-object rules value is reported, not thrown", () => {
  const { settings, problems } = buildServerSettings(cfg({ rules: ["unbounded-channel"] }));
  assert.deepEqual(settings.rules, {});
  assert.equal(problems.length, 1);
});
