// For tools/bench-startup.ts only: loads the TypeScript compiler and transpiles every .ts file as it is imported,
// which is what the program paid on every `pulumi preview` before it ran on Node's type stripping
// (ts-node/register/transpile-only did the same through require hooks).
import { register } from "node:module";

register("./typescript-at-runtime-hooks.mjs", import.meta.url);
