// The Pulumi SDK as the program uses it: the copy the language host has already loaded, under the package's names.
//
// Importing "@pulumi/pulumi" from an ES module makes Node build an ES-module facade over the CommonJS SDK, which
// means parsing its index and the eight modules it re-exports for their export names: about 20 ms of every
// preview. Requiring it costs nothing, since cmd/run in the language host has. Files import `* as pulumi` from here
// and write `pulumi.Output<string>` or `pulumi.interpolate` as they would with the package: each name below is the
// SDK's value and, where the SDK's name is also a type, that type. tests/hygiene.test.ts fails if a program module
// imports the package itself.
import { createRequire } from "node:module";
import type * as Pulumi from "@pulumi/pulumi";

const sdk: typeof Pulumi = createRequire(import.meta.url)("@pulumi/pulumi");

export const {
  ComponentResource,
  Config,
  Output,
  Resource,
  RunError,
  createUrn,
  getStack,
  interpolate,
  output,
  runtime,
  secret,
} = sdk;
export type ComponentResource = Pulumi.ComponentResource;
export type Config = Pulumi.Config;
export type Output<T> = Pulumi.Output<T>;
export type Resource = Pulumi.Resource;
export type RunError = Pulumi.RunError;
export type { ComponentResourceOptions, Input } from "@pulumi/pulumi";
