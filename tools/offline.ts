// Reads a stack's configuration the way the Pulumi CLI would, and runs the program for it (tools/runner.ts).
// Render, the tests and the benchmarks all go through here: one code path, no CLI, no cluster, no credentials.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { PROJECT, requiredSecretKeys } from "../config.ts";
import type { StackConfig } from "./runner.ts";
import { ROOT } from "./runner.ts";

export * from "./runner.ts";
/** Stands in for an encrypted (`secure:`) stack value, which cannot be decrypted without the stack's backend. */
export const SECURE_PLACEHOLDER = "offline-placeholder-for-secure-value";
/** Written in place of every Secret payload and every secret value in rendered output. */
export const REDACTED = "<redacted>";

/** Every stack file in the repository, by stack name. */
export function stackNames(root = ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/**
 * A throw-away copy of the project (program, stack files, templates, tools) in a temporary directory, sharing this
 * checkout's node_modules, for tests and benchmarks that change the project's own files: they never write into the repository.
 */
export function projectCopy(): { root: string; remove: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "argo-platform-"));
  const skip = new Set([".git", "node_modules", "rendered"]);
  for (const entry of fs.readdirSync(ROOT)) {
    if (!skip.has(entry)) fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}
/**
 * The arguments the language host puts before its harness on the node command line: Pulumi.yaml's
 * `runtime.options.nodeargs`, split on whitespace as the host's shlex splits words without quotes (refused here).
 */
export function hostNodeArgs(root = ROOT): string[] {
  const nodeargs: unknown = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).runtime?.options
    ?.nodeargs;
  if (nodeargs === undefined) return [];
  if (typeof nodeargs !== "string" || /["'\\]/.test(nodeargs)) {
    throw new Error(`Pulumi.yaml: runtime.options.nodeargs ${JSON.stringify(nodeargs)} must be words without quotes`);
  }
  return nodeargs.split(/\s+/).filter(Boolean);
}

/**
 * Reads `Pulumi.<stack>.yaml` the way the CLI would: the project's declared defaults (Pulumi.yaml `config:`) under
 * the stack's own values, every value as a string, and `secure:` values replaced by a placeholder (with a warning).
 */
export function loadStackConfig(stack: string, root = ROOT): StackConfig {
  const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file))
    throw new Error(`No stack file ${path.relative(root, file)} (stacks here: ${stackNames(root).join(", ")})`);
  const stackFile = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const warnings: string[] = [];
  for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    if (decl && typeof decl === "object" && "default" in decl) config[full] = stringify(decl.default);
  }
  for (const [key, value] of Object.entries<any>(stackFile.config ?? {})) {
    if (value && typeof value === "object" && "secure" in value) {
      config[key] = SECURE_PLACEHOLDER;
      secretKeys.push(key);
      warnings.push(`${key} is encrypted in Pulumi.${stack}.yaml; using a placeholder offline`);
    } else {
      config[key] = stringify(value);
    }
  }
  return { project: project.name, stack, config, secretKeys, warnings };
}

/**
 * The stack config with a placeholder for each of `keys` (`<project>:<key>` secrets) that the stack file leaves unset,
 * marked secret, with a warning. For offline review only: stack files hold no fake ciphertext (the CLI would fail to
 * decrypt it), so a stack whose real secret lives only in its backend or CI still renders here.
 */
export function withPlaceholderSecrets(stack: StackConfig, project: string, keys: readonly string[]): StackConfig {
  const config = { ...stack.config };
  const secretKeys = [...stack.secretKeys];
  const warnings = [...stack.warnings];
  for (const key of keys.map((k) => `${project}:${k}`)) {
    if (key in config) continue;
    config[key] = SECURE_PLACEHOLDER;
    secretKeys.push(key);
    warnings.push(`${key} is not set in Pulumi.${stack.stack}.yaml; using a placeholder offline (pulumi up needs it)`);
  }
  return { ...stack, config, secretKeys, warnings };
}

/** A stack's config for offline review (render, tests, benchmarks): the stack file, placeholders for its secrets. */
export function loadReviewConfig(stack: string, root = ROOT): StackConfig {
  const config = loadStackConfig(stack, root);
  return withPlaceholderSecrets(config, PROJECT, requiredSecretKeys(config.config));
}

function stringify(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
