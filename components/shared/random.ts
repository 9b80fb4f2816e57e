// The @pulumi/random SDK, required rather than imported: an ES-module import would make Node parse its CommonJS index
// for export names on every preview (see pulumi.ts). Files import `* as random` from here as from the package; it
// also holds the one way this program generates a credential.
import { createRequire } from "node:module";
import type * as Random from "@pulumi/random";
import * as pulumi from "./pulumi.ts";

export const { RandomPassword } = createRequire(import.meta.url)("@pulumi/random") as typeof Random;
export type RandomPassword = Random.RandomPassword;

/**
 * A generated credential of `length` letters and digits: special characters break connection strings, HTTP
 * signatures and environment variables, and 32 of these still carry ~190 bits. Wrapped in pulumi.secret so it is
 * secret even before the provider says so.
 */
export function generatedCredential(name: string, length: number, parent: pulumi.Resource): pulumi.Output<string> {
  return pulumi.secret(new RandomPassword(name, { length, special: false }, { parent }).result);
}
