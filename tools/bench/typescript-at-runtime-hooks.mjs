// Module hooks for typescript-at-runtime.mjs: .ts sources go through typescript.transpileModule.
import { fileURLToPath } from "node:url";
import ts from "typescript";

export async function load(url, context, nextLoad) {
  if (!url.endsWith(".ts") || url.includes("/node_modules/")) return nextLoad(url, context);
  const { source } = await nextLoad(url, { ...context, format: "module" });
  const { outputText } = ts.transpileModule(String(source), {
    fileName: fileURLToPath(url),
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2023,
      sourceMap: true,
      rewriteRelativeImportExtensions: false,
    },
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
