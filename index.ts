// The program `pulumi up` runs: reads and validates the stack's config and templates once, then builds the platform.
// The language host imports this ES module and calls its default export inside the stack; so do render, the tests
// and the benchmarks (tools/offline.ts), so they all load the program the same way.
import { loadTemplates } from "./components/argo/workflow-templates.ts";
import { loadConfig } from "./config.ts";
import { buildPlatform } from "./platform.ts";

export default () => {
  // Everything that can be wrong with the inputs fails here, before a single resource is registered.
  const config = loadConfig();
  const templates = loadTemplates();
  return buildPlatform(config, templates);
};
