// Shared by the policy tests: the corpus with its expected verdicts, and the generated policies as the program renders them.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllYaml } from "../../components/shared/yaml.ts";
import { RULES_POLICY_NAME, STATUS_POLICY_NAME } from "../../components/policy/admission.ts";
import type { AdmissionRequest, Verdict } from "./admission-engine.ts";
import { evaluatePolicy } from "./admission-engine.ts";
import { object, run } from "../support.ts";

export const CORPUS_DIR = path.join(import.meta.dirname, "corpus");
export const DATA_PLANE = "data-plane";
export const UI_AUTHOR = "system:serviceaccount:control-plane:ui-author-service-account";
export const CONTROLLER = "system:serviceaccount:control-plane:controller-service-account";

export interface CorpusEntry {
  file: string;
  body: Record<string, any>;
  /** Whether Argo's own schema refuses it (`schema` in the `# expect:` line). */
  schema: boolean;
  /** The platform rules it breaks, sorted; empty when it is admitted. */
  rules: string[];
}

/**
 * Every corpus file. Each opens with comments saying where it comes from and `# expect: admit`, `# expect: refuse
 * <rule-id>...`, `# expect: schema` (Argo's schema refuses it) or both.
 */
export function corpus(): CorpusEntry[] {
  return fs
    .readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(CORPUS_DIR, file), "utf8");
      const line = /^# expect: (.+)$/m.exec(text);
      if (!line) throw new Error(`${file} has no "# expect:" line`);
      const words = line[1].trim().split(/\s+/);
      // As the repository check reads it (kubectl's YAML 1.1 scalars).
      const body = parseAllYaml(text)[0] as any;
      return {
        file,
        body,
        schema: words.includes("schema"),
        rules: words.filter((w) => !["admit", "refuse", "schema"].includes(w)).sort(),
      };
    });
}

/** The rule id a policy message ends with: `... (platform rule <id>)`. */
export function ruleOf(message: string): string {
  const m = /\(platform rule ([a-z-]+)\)$/.exec(message);
  if (!m) throw new Error(`message does not name its rule: ${message}`);
  return m[1];
}

/** The specs of the two ValidatingAdmissionPolicies the dev stack renders (under Pulumi's mocks). */
export async function renderedPolicies(overrides: Record<string, string> = {}) {
  const r = await run("dev", overrides);
  return {
    rules: object(r, "ValidatingAdmissionPolicy", RULES_POLICY_NAME).spec,
    status: object(r, "ValidatingAdmissionPolicy", STATUS_POLICY_NAME).spec,
    run: r,
  };
}

/** A request creating `body` as a WorkflowTemplate in the data plane, as the UI sends it with an author's token. */
export function createTemplate(body: Record<string, any>, username = UI_AUTHOR): AdmissionRequest {
  return {
    operation: "CREATE",
    resource: "workflowtemplates",
    object: { ...body, metadata: { ...body.metadata, namespace: DATA_PLANE } },
    username,
  };
}

/** The platform rule ids a policy refuses a request for; throws if an expression could not be evaluated. */
export function refusedRules(spec: any, req: AdmissionRequest): string[] {
  const verdict: Verdict = evaluatePolicy(spec, req);
  for (const f of verdict.failures) {
    if (f.error) throw new Error(`validation ${f.index} could not be evaluated: ${f.error}`);
    if (f.messageError) throw new Error(`messageExpression ${f.index} could not be evaluated: ${f.messageError}`);
  }
  return [...new Set(verdict.failures.map((f) => ruleOf(f.message)))].sort();
}
