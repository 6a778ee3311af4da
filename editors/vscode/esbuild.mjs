// Bundles the extension (and, with --tests, the unit tests) with esbuild.
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");
const tests = process.argv.includes("--tests");

const common = { bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "info" };

if (tests) {
  await esbuild.build({
    ...common,
    entryPoints: ["test/settings.test.ts", "test/resolve.test.ts"],
    outdir: "out-test",
    sourcemap: true,
  });
} else {
  const ctx = await esbuild.context({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
    minify: production,
    sourcemap: !production,
  });
  if (watch) {
    await ctx.watch();
  } else {
    await ctx.rebuild();
    await ctx.dispose();
  }
}
