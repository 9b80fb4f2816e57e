// The @pulumi/random SDK, required rather than imported: an ES-module import would make Node parse its CommonJS index
// for export names on every preview (see pulumi.ts). Files import `* as random` from here as from the package.
import { createRequire } from "node:module";
import type * as Random from "@pulumi/random";

export const { RandomPassword } = createRequire(import.meta.url)("@pulumi/random") as typeof Random;
export type RandomPassword = Random.RandomPassword;
