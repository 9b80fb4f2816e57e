// What a maintainer relies on: components register what they expose, the program loads as the language host loads
// it (no compiler, no loader hooks, a compile cache that serves only unchanged files), and the offline runner fails
// loudly if the Pulumi SDK moves what it reads.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as YAML from "yaml";
import { ROOT, hostNodeArgs, loadReviewConfig } from "../tools/offline.ts";
import { need, sdkInternals } from "../tools/sdk-internals.ts";
import { GENERATED_VALIDATOR, validatorSource } from "../tools/generate-validator.ts";
import { projectCopy, run, stackNames } from "./support.ts";

/**
 * Every file a fresh Node process loads (imported or required) when run with `args`, as paths with `/`: start-up
 * cost is a matter of which modules a run loads, so that is what these tests look at.
 */
function filesLoaded(args: string[], cwd = ROOT): string[] {
  const record =
    "data:text/javascript,import { registerHooks } from 'node:module'; const seen = []; " +
    "registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } }); " +
    "process.on('exit', () => console.error(JSON.stringify(seen)));";
  const out = spawnSync(process.execPath, ["--import", record, ...args], { cwd, encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  return (JSON.parse(out.stderr.trim().split("\n").pop()!) as string[]).map((u) =>
    u.replace(/^file:\/\//, "").replaceAll("\\", "/"),
  );
}

describe("hygiene", () => {
  for (const stack of stackNames()) {
    it(`registers every output each component exposes (${stack})`, async () => {
      const components = (await run(stack)).components.filter((c) => c.type.startsWith("argo-platform:"));
      assert.ok(components.length >= 8, "every component is seen");
      for (const c of components) {
        const missing = c.exposed.filter((k) => !c.registered.includes(k));
        assert.deepEqual(missing, [], `${c.type} ${c.name} exposes fields it does not register`);
      }
    });
  }

  it("runs as the language host runs it: an ES module with one default export, no compiler, no loader hooks", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.equal(pkg.type, "module");
    const runtime = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).runtime;
    assert.equal(runtime.options.typescript, false);
    // The one node argument preloads compile-cache.mjs (the tests below show what it does and loads).
    assert.deepEqual(hostNodeArgs(), ["--import", "./compile-cache.mjs"]);
    assert.ok(!("ts-node" in { ...pkg.dependencies, ...pkg.devDependencies }), "no ts-node anywhere");
    // A fresh Node with no flags imports the whole module graph (type stripping refuses any non-erasable syntax),
    // and finds what cmd/run/run.js in @pulumi/pulumi requires: a default export and nothing else, a function.
    const probe = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('./index.ts'); console.log(JSON.stringify([Object.keys(m), typeof m.default, " +
          "Object.keys(globalThis).includes('ts')]));",
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(probe.status, 0, probe.stderr);
    assert.deepEqual(JSON.parse(probe.stdout), [["default"], "function", false]);
    // And nothing on that path loads more of a TypeScript toolchain than the floor does (@pulumi/pulumi itself
    // requires `typescript` for closure serialization; a transpiling hook would add ts-node, tsx or the like).
    const toolchain = (program: string) => {
      const out = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { createRequire } from 'node:module'; await import('${program}'); ` +
            "console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)" +
            ".filter((f) => /node_modules[\\\\/](typescript|ts-node|tsx|@swc|esbuild)[\\\\/]/.test(f))" +
            ".map((f) => f.replace(/^.*node_modules[\\\\/]/, '')).sort()));",
        ],
        { cwd: ROOT, encoding: "utf8" },
      );
      assert.equal(out.status, 0, out.stderr);
      return JSON.parse(out.stdout);
    };
    assert.deepEqual(toolchain("./index.ts"), toolchain("./tools/bench/one-namespace.js"));
  });

  it("turns Node's compile cache on in the project's own node_modules/.cache, loading only Node's built-ins", () => {
    // In a directory holding just the preload and an empty node_modules: nothing else of the project is needed.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-"));
    try {
      fs.copyFileSync(path.join(ROOT, "compile-cache.mjs"), path.join(dir, "compile-cache.mjs"));
      fs.mkdirSync(path.join(dir, "node_modules"));
      const cacheDir = (env: NodeJS.ProcessEnv) => {
        const out = spawnSync(
          process.execPath,
          [...hostNodeArgs(), "-p", "require('node:module').getCompileCacheDir() ?? 'off'"],
          { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_COMPILE_CACHE: undefined, ...env } },
        );
        assert.equal(out.status, 0, out.stderr);
        return out.stdout.trim();
      };
      const own = path.join(fs.realpathSync(dir), "node_modules", ".cache", "argo-platform", "compile-cache");
      assert.equal(path.dirname(cacheDir({})), own, "a subdirectory per Node version, under the project's own");
      assert.equal(cacheDir({ NODE_DISABLE_COMPILE_CACHE: "1" }), "off");
      assert.equal(
        path.dirname(cacheDir({ NODE_COMPILE_CACHE: path.join(dir, "elsewhere") })),
        path.join(dir, "elsewhere"),
      );
      const loaded = filesLoaded([...hostNodeArgs(), "-e", "0"], dir).filter((u) => !u.startsWith("node:"));
      assert.deepEqual(loaded, [path.join(fs.realpathSync(dir), "compile-cache.mjs").replaceAll("\\", "/")]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("strips no TypeScript on a run whose files did not change, and never runs an edited file from the cache", () => {
    // The program as the language host runs it (Pulumi.yaml's node arguments, then a harness that imports index.ts),
    // in a copy of the project whose node_modules is a directory of its own (its packages linked), so that the
    // cache compile-cache.mjs turns on lands in the copy.
    const project = projectCopy();
    try {
      const modules = path.join(project.root, "node_modules");
      fs.unlinkSync(modules);
      fs.mkdirSync(modules);
      for (const e of fs.readdirSync(path.join(ROOT, "node_modules")).filter((e) => e !== ".cache")) {
        fs.symlinkSync(path.join(ROOT, "node_modules", e), path.join(modules, e));
      }
      const config = JSON.stringify(loadReviewConfig("dev"));
      const env = { ...process.env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };
      const preview = () => {
        const out = spawnSync(
          process.execPath,
          [...hostNodeArgs(), path.join(ROOT, "tools/bench/evaluate.mjs"), path.join(project.root, "index.ts"), config],
          { cwd: project.root, encoding: "utf8", env },
        );
        if (out.status !== 0) return { failed: out.stderr };
        return { typeStripper: JSON.parse(out.stdout.trim().split("\n").pop()!).typeStripper as boolean };
      };
      assert.deepEqual(preview(), { typeStripper: true }, "the first run strips every file");
      assert.ok(fs.readdirSync(path.join(modules, ".cache", "argo-platform", "compile-cache")).length > 0);
      assert.deepEqual(preview(), { typeStripper: false }, "the next one takes them all from the cache");
      const file = path.join(project.root, "components", "argo", "server.ts");
      const source = fs.readFileSync(file, "utf8");
      fs.appendFileSync(file, 'throw new Error("edited after the cache was filled");\n');
      const edited = preview();
      assert.ok(edited.failed?.includes("edited after the cache was filled"), JSON.stringify(edited));
      fs.writeFileSync(file, source);
      assert.deepEqual(preview(), { typeStripper: true }, "the file changed again: stripped again");
      assert.deepEqual(preview(), { typeStripper: false });
    } finally {
      project.remove();
    }
  });

  it("benchmarks start-up with a harness that loads only what the language host loads before a program", () => {
    // Anything the harness loaded would be free for the program in `npm run bench:startup`, though a real preview
    // pays for it: it may load the SDK (through require, as cmd/run does) and itself; no TypeScript file (which
    // would set up Node's type stripper for the floor too) and none of the program's own dependencies.
    const floor = path.join(ROOT, "tools/bench/one-namespace.js");
    const loaded = filesLoaded(["tools/bench/evaluate.mjs", floor, JSON.stringify(loadReviewConfig("dev"))]);
    const own = loaded
      .filter((f) => f.startsWith(ROOT) && !f.includes("node_modules"))
      .map((f) => path.relative(ROOT, f));
    assert.deepEqual(own.sort(), ["tools/bench/evaluate.mjs", "tools/bench/one-namespace.js"]);
    const packages = new Set(loaded.map((f) => /node_modules[\\/](@[^\\/]+[\\/][^\\/]+|[^\\/@]+)/.exec(f)?.[1]));
    assert.ok(packages.has("@pulumi/pulumi") && packages.has("@pulumi/kubernetes"));
    for (const p of ["yaml", "@pulumi/random", "ajv", "@marcbachmann/cel-js"]) assert.ok(!packages.has(p), p);
  });

  it("requires the CommonJS SDKs instead of importing them, so no preview builds an ES-module facade of one", () => {
    // An `import` of a CommonJS package makes Node parse it (and what it re-exports) for export names: ~20 ms for
    // @pulumi/pulumi alone. Program modules reach the SDKs through components/shared/ (or import types only).
    const programFiles = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const file = path.join(dir, e.name);
        if (e.isDirectory()) return programFiles(file);
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [file] : [];
      });
    const files = [
      ...programFiles(path.join(ROOT, "components")),
      ...["index.ts", "platform.ts", "config.ts"].map((f) => path.join(ROOT, f)),
    ];
    const offending = files.flatMap((file) =>
      [
        ...fs.readFileSync(file, "utf8").matchAll(/^(import|export)(?! type)[^;]*?from "(@pulumi\/[^"]+|js-yaml)";/gms),
      ].map((m) => `${path.relative(ROOT, file)}: ${m[0].replace(/\s+/g, " ")}`),
    );
    assert.deepEqual(offending, []);
    assert.ok(files.length >= 40, `${files.length} program files`);
  });

  for (const stack of stackNames()) {
    it(`loads only what it uses: the Kubernetes API groups, not the package index; the SDK's js-yaml (${stack})`, () => {
      // A fresh process, as a `pulumi preview` is, whose runner loads nothing of the program's (see above).
      const loaded = filesLoaded([
        "--input-type=module",
        "-e",
        "const { runProgram } = await import('./tools/runner.ts'); await runProgram(JSON.parse(process.argv[1]));",
        JSON.stringify(loadReviewConfig(stack)),
      ]);
      const k8s = loaded
        .filter((f) => f.includes("/@pulumi/kubernetes/"))
        .map((f) => f.replace(/^.*\/@pulumi\/kubernetes\//, ""));
      assert.ok(k8s.includes("core/v1/namespace.js"), "the run created Kubernetes objects");
      const heavy = k8s.filter((f) => f === "index.js" || /^(helm|yaml|kustomize)\//.test(f));
      assert.deepEqual(heavy, [], "import Kubernetes groups through components/shared/k8s.ts");
      // YAML through the js-yaml copy @pulumi/pulumi has already loaded (components/shared/yaml.ts), no other.
      assert.deepEqual(
        loaded.filter((f) => /\/node_modules\/yaml\/|js-yaml\/dist\//.test(f)),
        [],
      );
    });
  }

  it("keeps the committed template validator in step with Argo's vendored schema", () => {
    assert.ok(
      fs.readFileSync(GENERATED_VALIDATOR, "utf8") === validatorSource(),
      `${path.relative(ROOT, GENERATED_VALIDATOR)} is stale: run npm run generate:validator`,
    );
  });

  it("finds every SDK internal the offline runner needs, and names the one that moved", () => {
    const sdk = sdkInternals();
    for (const fn of Object.values(sdk)) assert.equal(typeof fn, "function");
    assert.throws(
      () => need("@pulumi/pulumi/runtime/settings", "getMonitorr", "read resource options"),
      /@pulumi\/pulumi \d+\.\d+\.\d+ no longer provides @pulumi\/pulumi\/runtime\/settings export getMonitorr, which the offline runner uses to read resource options\. Update tools\/sdk-internals\.ts/,
    );
    assert.throws(
      () => need("@pulumi/pulumi/runtime/gone", "x", "run the program"),
      /no longer provides @pulumi\/pulumi\/runtime\/gone/,
    );
  });
});
