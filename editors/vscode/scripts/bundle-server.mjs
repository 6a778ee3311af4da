// Copies a built distlint binary into bin/<platform>-<arch>/ so that `npm run package` produces a
// .vsix that works without distlint on PATH. Usage:
//   node scripts/bundle-server.mjs [path/to/distlint]   (default: ../../target/release/distlint)
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const exe = process.platform === "win32" ? "distlint.exe" : "distlint";
const src = path.resolve(process.argv[2] ?? path.join(here, "..", "..", "..", "target", "release", exe));
if (!fs.existsSync(src)) {
  console.error(`bundle-server: ${src} does not exist; build it with: cargo build --release -p distlint`);
  process.exit(1);
}
const destDir = path.join(here, "..", "bin", `${process.platform}-${process.arch}`);
fs.mkdirSync(destDir, { recursive: true });
const dest = path.join(destDir, exe);
fs.copyFileSync(src, dest);
fs.chmodSync(dest, 0o755);
console.log(`bundle-server: ${src} -> ${dest}`);
