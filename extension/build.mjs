// Builds the extension's pages into dist/: each script bundled with the Azure DevOps
// extension SDK (no CDN at run time), next to its HTML and the stylesheet.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";

const out = "dist";
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: ["src/page.js", "src/settings.js"],
  bundle: true,
  format: "iife",
  target: ["chrome109", "firefox115", "safari16"],
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  outdir: out,
  logLevel: "warning",
});
for (const f of ["page.html", "settings.html", "page.css"]) {
  await copyFile(`src/${f}`, `${out}/${f}`);
}
console.log("built dist/: page.html, page.js, settings.html, settings.js, page.css");
