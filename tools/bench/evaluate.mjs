// Child process of tools/bench-startup.ts: runs a program under Pulumi's mocks the way the language host runs it,
// and prints, as JSON, how long the process took in milliseconds (module loading, any compiling, and the program
// itself) and whether Node set up its type stripper, which a run served from the compile cache does not.
//
// Plain JavaScript on purpose, like the host's harness (cmd/run in @pulumi/pulumi): a TypeScript harness would make
// Node set up its type stripper (about 60 ms) before the program, for the floor too, though a real preview of a
// JavaScript program never pays it. Like the host, this loads only the SDK (through require) before the program,
// then imports the program and calls its default export inside the root Stack resource. The stack's configuration
// comes as JSON from the parent, so nothing the program might use (yaml, config.ts) is loaded for it.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const pulumi = require("@pulumi/pulumi");
const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack");
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings");

const [program, configJson] = process.argv.slice(2);
const stack = JSON.parse(configJson);
pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
await pulumi.runtime.setMocks(
  {
    // What tools/runner.ts answers (mockState): the inputs, and a password of the asked length for RandomPassword.
    newResource: ({ type, name, inputs }) => ({
      id: `${name}-id`,
      state:
        type === "random:index/randomPassword:RandomPassword"
          ? { ...inputs, result: `mock${"x".repeat(Math.max(0, (inputs.length ?? 32) - 4))}` }
          : inputs,
    }),
    call: ({ inputs }) => inputs,
  },
  stack.project,
  stack.stack,
  false,
);
await runInPulumiStack(async () => (await import(pathToFileURL(program).href)).default());
await waitForRPCs();
console.log(
  JSON.stringify({
    ms: Math.round(performance.now()),
    typeStripper: process.moduleLoadList.some((m) => m.includes("internal/deps/amaro/")),
  }),
);
