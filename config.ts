// Reads the stack configuration once, validates every value, and returns one typed, frozen object.
import type { ServerTls } from "./components/argo/server.ts";
import type { PolicyAction } from "./components/policy/admission.ts";
import * as pulumi from "./components/shared/pulumi.ts";

/** The Pulumi project name: the namespace of every key below (`argo-platform:<key>`). */
export const PROJECT = "argo-platform";

/** Argo Workflows release this program installs by default, and the oldest it accepts. */
export const DEFAULT_ARGO_VERSION = "v4.1.2";
/** `templateReferencing: Strict` could be bypassed before 4.0.5, and via artifactGC.podSpecPatch before 4.0.6. */
export const MINIMUM_ARGO_VERSION = "v4.0.6";

/** Keys whose values are secrets: never echoed in an error message, and never in a stack file but as ciphertext. */
export const SECRET_CONFIG_KEYS = [
  "databaseAdminPassword",
  "artifactAccessKey",
  "artifactSecretKey",
  "serverTlsKey",
] as const;
const SECRET_KEYS = new Set<string>(SECRET_CONFIG_KEYS);

// --- value checks, each with the sentence a user reads when the value is refused ---
// (Written here rather than with a schema library: this module loads on every `pulumi preview`, and zod alone cost
// about 60 ms of it.)

/** Turns a stack value (Pulumi hands every value over as a string) into its typed form, or says what is allowed. */
type Check<T> = (raw: string) => { value: T } | { error: string };

/** One key of the project: its check, and its default (a string, as in Pulumi.yaml) or what to say when unset. */
interface Key<T> {
  check: Check<T>;
  /** Used when the stack does not set the key; Pulumi.yaml declares the same (a test keeps the two equal). */
  default?: string;
  /** Unset and no default: refused with this sentence. Without it (and without a default) the key is optional. */
  required?: string;
}

const text =
  (pattern: RegExp, allowed: string, maxLength = Infinity): Check<string> =>
  (raw) =>
    raw.length <= maxLength && pattern.test(raw) ? { value: raw } : { error: allowed };

const oneOf =
  <const V extends string>(values: readonly V[], allowed: string): Check<V> =>
  (raw) =>
    (values as readonly string[]).includes(raw) ? { value: raw as V } : { error: allowed };

/** Whole numbers arrive from Pulumi as strings ("2"); refuse "2.5", "two" and out-of-range values. */
const integer =
  (min: number, max: number): Check<number> =>
  (raw) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    return n >= min && n <= max ? { value: n } : { error: `a whole number from ${min} to ${max}` };
  };

const boolean: Check<boolean> = (raw) =>
  raw === "true" || raw === "false" ? { value: raw === "true" } : { error: "true or false" };

const anything: Check<string> = (raw) => ({ value: raw });

const withDefault = <T>(check: Check<T>, value: string): Key<T> => ({ check, default: value });

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = text(
  DNS_LABEL,
  "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  63,
);

/** An optional DNS-1123 subdomain (the name of a Secret or a StorageClass); empty means unset. */
const optionalSubdomain = text(
  /^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  "empty, or a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters",
  253,
);

const VERSION = /^v(\d+)\.(\d+)\.(\d+)$/;
const argoVersion: Check<string> = (raw) => {
  if (!VERSION.test(raw)) return { error: "a release tag of the form vX.Y.Z" };
  return compareVersions(raw, MINIMUM_ARGO_VERSION) >= 0 && raw.startsWith("v4.")
    ? { value: raw }
    : {
        error: `a v4 release at or above ${MINIMUM_ARGO_VERSION} (Strict mode could be bypassed before it; v5 may change the controller's config schema)`,
      };
};

/** A PostgreSQL identifier we are willing to interpolate: lower-case, no quoting needed. */
const pgIdentifier = text(
  /^[a-z_][a-z0-9_]{0,62}$/,
  "a PostgreSQL identifier: lower-case letters, digits and '_', at most 63 characters",
);

const PEM_CERTIFICATES = /^$|^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;

function isStringMap(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return (
      !!value &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === "string")
    );
  } catch {
    return false;
  }
}

const quantity = text(/^[1-9]\d*(Mi|Gi|Ti)$/, "a storage size such as 8Gi (Mi, Gi or Ti)");

export const ARCHIVE_TTL_ALLOWED =
  "a positive duration in a form Argo's TTL parser accepts: <n>d, <n>h, <n>m or <n>s (e.g. 30d); compound Go durations such as 1h30m or 1.5h are refused by Argo";

/**
 * Argo's `config.TTL` parser (config/ttl.go at v4.1.2), ported: a value ending in d, h, m or s must be an integer
 * (Go's strconv.Atoi) followed by that unit; anything else goes to Go's time.ParseDuration, which for a string not
 * ending in one of those letters accepts only a bare zero. Returns milliseconds, or undefined where Argo errors.
 */
export function parseArgoTTL(value: string): number | undefined {
  if (value === "") return 0;
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };
  const unit = units[value.slice(-1)];
  if (unit !== undefined) {
    const digits = value.slice(0, -1);
    if (!/^[+-]?\d+$/.test(digits)) return undefined;
    const n = Number(digits);
    return Number.isSafeInteger(n) ? n * unit : undefined;
  }
  // time.ParseDuration: every unit ends in s, m or h, so only a signed or unsigned "0" gets through here.
  return /^[+-]?0$/.test(value) ? 0 : undefined;
}

const archiveTTL: Check<string> = (raw) =>
  (parseArgoTTL(raw) ?? 0) > 0 ? { value: raw } : { error: ARCHIVE_TTL_ALLOWED };

/**
 * Every key of the project's namespace, its check and its default. `Pulumi.yaml` declares the same keys with the
 * same defaults (a test keeps the two equal); keys without a default here are required or optional.
 */
export const CONFIG_KEYS = {
  // No default: a stack that names no cluster must not deploy to whatever kube context happens to be current.
  kubeContext: {
    check: text(/^\S+$/, "a kube context name (`kubectl config get-contexts`)"),
    required: "the kube context this stack deploys to (`kubectl config get-contexts`); every stack must set it",
  },
  clusterIdentifier: withDefault(
    text(/^$|^[A-Za-z0-9][-A-Za-z0-9_.:/]*$/, "empty (the kube context name), or a stable name for the cluster"),
    "",
  ),
  adoptRetainedObjects: withDefault(boolean, "false"),
  controlPlaneNamespace: withDefault(dnsLabel, "control-plane"),
  dataPlaneNamespace: withDefault(dnsLabel, "data-plane"),
  argoVersion: withDefault(argoVersion, DEFAULT_ARGO_VERSION),
  templateReferencing: withDefault(
    oneOf(["Strict", "Secure"], "Strict or Secure (case-sensitive: Argo treats anything else as no restriction)"),
    "Strict",
  ),
  templatePolicyAction: withDefault(
    oneOf(
      ["Deny", "Warn", "Audit"],
      "Deny, Warn or Audit (case-sensitive; Warn and Audit admit what the template rules refuse, for a rollout)",
    ),
    "Deny",
  ),
  controllerReplicas: withDefault(integer(1, 5), "1"),
  serverReplicas: withDefault(integer(1, 5), "1"),
  controllerTokenLogin: withDefault(boolean, "false"),
  metricsNamespace: withDefault(dnsLabel, "monitoring"),
  serverTlsSecretName: withDefault(optionalSubdomain, ""),
  serverTlsCertificate: withDefault(
    text(PEM_CERTIFICATES, "empty, or argo-server's PEM certificate chain (with serverTlsKey)"),
    "",
  ),
  // A secret: its form is argo-server's to check at start, so that no message here ever quotes it.
  serverTlsKey: { check: anything } as Key<string | undefined>,
  serverClientNamespaces: withDefault(
    text(
      /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      "empty (port-forwards only), or namespace names separated by commas, e.g. ingress-nginx",
    ),
    "",
  ),
  archiveTTL: withDefault(archiveTTL, "30d"),
  databaseMode: withDefault(oneOf(["in-cluster", "external"], "in-cluster or external"), "in-cluster"),
  databaseName: withDefault(pgIdentifier, "argo_workflows"),
  databaseUser: withDefault(pgIdentifier, "argo_workflows"),
  databaseStorageSize: withDefault(quantity, "8Gi"),
  databaseStorageClass: withDefault(optionalSubdomain, ""),
  databaseHost: withDefault(
    text(/^$|^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, "empty, or a host name or IPv4 address"),
    "",
  ),
  databasePort: withDefault(integer(1, 65535), "5432"),
  databaseSslMode: withDefault(
    oneOf(
      ["require", "verify-ca", "verify-full"],
      "require, verify-ca or verify-full (Argo must use TLS to an external server)",
    ),
    "verify-full",
  ),
  databaseCaCertificate: withDefault(
    text(
      PEM_CERTIFICATES,
      "empty (the system's CA roots), or PEM certificates (-----BEGIN CERTIFICATE----- ...) of the server's CA",
    ),
    "",
  ),
  databaseAdminUser: withDefault(text(/^.+$/, "a non-empty role name"), "postgres"),
  databaseAdminPassword: { check: anything } as Key<string | undefined>,
  artifactStore: withDefault(
    oneOf(
      ["in-cluster", "s3"],
      "in-cluster (an object store in the control plane, dev) or s3 (an existing S3 or S3-compatible bucket)",
    ),
    "in-cluster",
  ),
  artifactBucket: withDefault(
    text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)"),
    "argo-artifacts",
  ),
  artifactEndpoint: withDefault(
    text(
      /^$|^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:\d{1,5})?$/,
      "empty, or host[:port] of the S3 API without a scheme (e.g. s3.eu-west-1.amazonaws.com)",
    ),
    "",
  ),
  artifactRegion: withDefault(text(/^$|^[a-z0-9-]+$/, "empty, or a region name such as eu-west-1"), ""),
  artifactCredentials: withDefault(
    oneOf(
      ["static", "workload-identity"],
      "static (an access key pair from artifactAccessKey/artifactSecretKey) or workload-identity (no key: the cloud's identity for the accounts)",
    ),
    "static",
  ),
  artifactIdentityAnnotations: withDefault<string>(
    (raw) =>
      isStringMap(raw)
        ? { value: raw }
        : { error: 'a JSON object of annotation names to strings, e.g. {"eks.amazonaws.com/role-arn": "arn:..."}' },
    "{}",
  ),
  artifactAccessKey: { check: anything } as Key<string | undefined>,
  artifactSecretKey: { check: anything } as Key<string | undefined>,
  artifactStorageSize: withDefault(quantity, "8Gi"),
} satisfies Record<string, Key<unknown>>;

type RawConfig = { [K in keyof typeof CONFIG_KEYS]: (typeof CONFIG_KEYS)[K] extends Key<infer T> ? T : never };

interface Issue {
  key: string;
  message: string;
}

/** Checks that relate keys to each other; each issue names the key to change. */
function crossKeyIssues(c: RawConfig): Issue[] {
  const issues: Issue[] = [];
  if (c.databaseMode === "external" && c.databaseHost === "")
    issues.push({
      key: "databaseHost",
      message: "set when databaseMode is external (the PostgreSQL server's host name)",
    });
  for (const need of REQUIRED_SECRETS) {
    if (need.when(c) && !c[need.key])
      issues.push({
        key: need.key,
        message: `set ${need.reason}: \`pulumi config set --stack <stack> --secret ${PROJECT}:${need.key}\` (it prompts for the value)`,
      });
  }
  if (c.serverTlsCertificate && c.serverTlsSecretName)
    issues.push({
      key: "serverTlsSecretName",
      message: "empty when serverTlsCertificate is set (one certificate, from one place)",
    });
  if (c.serverReplicas > 1 && !c.serverTlsCertificate && !c.serverTlsSecretName)
    issues.push({
      key: "serverReplicas",
      message:
        "1 unless argo-server has one certificate for all replicas (serverTlsCertificate and serverTlsKey, or serverTlsSecretName): each replica would otherwise make its own self-signed one",
    });
  if (c.artifactStore === "s3" && c.artifactEndpoint === "")
    issues.push({
      key: "artifactEndpoint",
      message: "set when artifactStore is s3 (host[:port] of the S3 API, e.g. s3.eu-west-1.amazonaws.com)",
    });
  if (c.controlPlaneNamespace === c.dataPlaneNamespace)
    issues.push({
      key: "dataPlaneNamespace",
      message:
        "different from controlPlaneNamespace (keeping workflows out of the controller's namespace is the point of the split)",
    });
  return issues;
}

/** Each key checked on its own, then (when all pass) against each other; every problem at once. */
function checkConfig(raw: Record<string, string>): { config: RawConfig } | { issues: Issue[]; unknown: string[] } {
  const keys = CONFIG_KEYS as Record<string, Key<unknown>>;
  const unknown = Object.keys(raw).filter((k) => !(k in keys));
  const issues: Issue[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(keys)) {
    const given = raw[key] ?? spec.default;
    if (given === undefined) {
      if (spec.required) issues.push({ key, message: spec.required });
      continue;
    }
    const checked = spec.check(given);
    if ("error" in checked) issues.push({ key, message: checked.error });
    else values[key] = checked.value;
  }
  if (unknown.length || issues.length) return { issues, unknown };
  const config = values as RawConfig;
  const cross = crossKeyIssues(config);
  return cross.length ? { issues: cross, unknown: [] } : { config };
}

/**
 * The secret keys a stack needs, and when: one declaration for the check above and for the offline tools, which
 * fill exactly these with a marked placeholder when a stack file leaves them to its backend.
 */
const REQUIRED_SECRETS: {
  key: (typeof SECRET_CONFIG_KEYS)[number] & keyof RawConfig;
  reason: string;
  when: (
    c: Pick<RawConfig, "databaseMode" | "artifactStore" | "artifactCredentials" | "serverTlsCertificate">,
  ) => boolean;
}[] = [
  { key: "databaseAdminPassword", reason: "when databaseMode is external", when: (c) => c.databaseMode === "external" },
  ...(["artifactAccessKey", "artifactSecretKey"] as const).map((key) => ({
    key,
    reason: "when artifactStore is s3 with static credentials",
    when: (c: Pick<RawConfig, "artifactStore" | "artifactCredentials">) =>
      c.artifactStore === "s3" && c.artifactCredentials === "static",
  })),
  {
    key: "serverTlsKey",
    reason: "with serverTlsCertificate (a PEM private key)",
    when: (c) => !!c.serverTlsCertificate,
  },
];

/** The secret keys that a stack's (string) config needs, judged with the schema's defaults for unset keys. */
export function requiredSecretKeys(all: Record<string, string>): string[] {
  const get = (key: "databaseMode" | "artifactStore" | "artifactCredentials" | "serverTlsCertificate") =>
    all[`${PROJECT}:${key}`] ?? CONFIG_KEYS[key].default;
  const c = {
    databaseMode: get("databaseMode"),
    artifactStore: get("artifactStore"),
    artifactCredentials: get("artifactCredentials"),
    serverTlsCertificate: get("serverTlsCertificate"),
  } as Pick<RawConfig, "databaseMode" | "artifactStore" | "artifactCredentials" | "serverTlsCertificate">;
  return REQUIRED_SECRETS.filter((need) => need.when(c)).map((need) => need.key);
}

export interface InClusterDatabase {
  readonly mode: "in-cluster";
  readonly name: string;
  readonly user: string;
  readonly storageSize: string;
  /** Empty: the cluster's default StorageClass. */
  readonly storageClass: string;
}

export interface ExternalDatabase {
  readonly mode: "external";
  readonly name: string;
  readonly user: string;
  readonly host: string;
  readonly port: number;
  readonly sslMode: "require" | "verify-ca" | "verify-full";
  /** PEM of the CA that signed the server's certificate; empty: the system's roots. */
  readonly caCertificate: string;
  readonly adminUser: string;
  readonly adminPassword: pulumi.Output<string>;
}

/** The validated configuration of one stack: the only configuration the components ever see. */
export interface PlatformConfig {
  readonly stack: string;
  /** The one cluster this stack deploys to. */
  readonly cluster: {
    /** Kube context name; the kubeconfig is the ambient one (`$KUBECONFIG` or ~/.kube/config), as for kubectl. */
    readonly context: string;
    /** Replacing the provider (and so every object) happens only when this changes. */
    readonly identifier: string;
    /** Adopt the objects an earlier destroy kept (CRDs, dev's control-plane namespace) instead of AlreadyExists. */
    readonly adoptRetainedObjects: boolean;
  };
  readonly namespaces: { readonly controlPlane: string; readonly dataPlane: string };
  readonly argo: {
    readonly version: string;
    readonly templateReferencing: "Strict" | "Secure";
    /** What the admission policies do with a template, workflow or cron workflow that breaks the template rules. */
    readonly templatePolicyAction: PolicyAction;
    readonly controllerReplicas: number;
    readonly serverReplicas: number;
    /** Whether a token of controller-service-account may be used to log in to the UI and author templates. */
    readonly controllerTokenLogin: boolean;
    /** Namespace whose pods may scrape the controller's metrics. */
    readonly metricsNamespace: string;
    /** argo-server's certificate: Argo's self-signed one, a Secret someone else keeps, or one this program keeps. */
    readonly serverTls: ServerTls;
    /** Namespaces whose pods may reach argo-server (an ingress controller); none: port-forwards only. */
    readonly serverClientNamespaces: readonly string[];
  };
  readonly archive: {
    readonly ttl: string;
    readonly database: InClusterDatabase | ExternalDatabase;
  };
  readonly artifacts: InClusterArtifactStore | S3ArtifactStore;
}

export interface InClusterArtifactStore {
  readonly store: "in-cluster";
  readonly bucket: string;
  readonly storageSize: string;
  /** Same as the archive's: the cluster's default when empty. */
  readonly storageClass: string;
}

export interface S3ArtifactStore {
  readonly store: "s3";
  readonly bucket: string;
  /** host[:port] of the S3 API, no scheme; Argo connects with TLS. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials:
    | { readonly kind: "static"; readonly accessKey: pulumi.Output<string>; readonly secretKey: pulumi.Output<string> }
    | { readonly kind: "workload-identity"; readonly annotations: Readonly<Record<string, string>> };
}

/** A stack configuration problem; a RunError, so Pulumi prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {}

/**
 * Validates the project's keys of a raw configuration map (`<project>:<key>` → string, as Pulumi hands it to the
 * program) and builds the platform configuration. Every problem is reported at once.
 */
export function parseConfig(
  stack: string,
  all: Record<string, string>,
  secret: (key: string) => pulumi.Output<string> = (key) => pulumi.secret(all[`${PROJECT}:${key}`]),
): PlatformConfig {
  const prefix = `${PROJECT}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  const result = checkConfig(raw);
  if (!("config" in result)) throw new ConfigError(describeIssues(stack, raw, result.issues, result.unknown));
  return deepFreeze(toPlatformConfig(stack, result.config, secret));
}

/** Reads the running stack's configuration through Pulumi's runtime. The one place that reads config. */
export function loadConfig(): PlatformConfig {
  const config = new pulumi.Config(PROJECT);
  return parseConfig(pulumi.getStack(), pulumi.runtime.allConfig(), (key) => config.requireSecret(key));
}

function toPlatformConfig(stack: string, c: RawConfig, secret: (key: string) => pulumi.Output<string>): PlatformConfig {
  const database: InClusterDatabase | ExternalDatabase =
    c.databaseMode === "in-cluster"
      ? {
          mode: "in-cluster",
          name: c.databaseName,
          user: c.databaseUser,
          storageSize: c.databaseStorageSize,
          storageClass: c.databaseStorageClass,
        }
      : {
          mode: "external",
          name: c.databaseName,
          user: c.databaseUser,
          host: c.databaseHost,
          port: c.databasePort,
          sslMode: c.databaseSslMode,
          caCertificate: c.databaseCaCertificate,
          adminUser: c.databaseAdminUser,
          adminPassword: secret("databaseAdminPassword"),
        };
  return {
    stack,
    cluster: {
      context: c.kubeContext,
      identifier: c.clusterIdentifier || c.kubeContext,
      adoptRetainedObjects: c.adoptRetainedObjects,
    },
    namespaces: { controlPlane: c.controlPlaneNamespace, dataPlane: c.dataPlaneNamespace },
    argo: {
      version: c.argoVersion,
      templateReferencing: c.templateReferencing,
      templatePolicyAction: c.templatePolicyAction,
      controllerReplicas: c.controllerReplicas,
      serverReplicas: c.serverReplicas,
      controllerTokenLogin: c.controllerTokenLogin,
      metricsNamespace: c.metricsNamespace,
      serverTls: c.serverTlsCertificate
        ? { kind: "managed", certificate: c.serverTlsCertificate, key: secret("serverTlsKey") }
        : c.serverTlsSecretName
          ? { kind: "secret", secretName: c.serverTlsSecretName }
          : { kind: "self-signed" },
      serverClientNamespaces: c.serverClientNamespaces ? c.serverClientNamespaces.split(",") : [],
    },
    archive: { ttl: c.archiveTTL, database },
    artifacts:
      c.artifactStore === "in-cluster"
        ? {
            store: "in-cluster",
            bucket: c.artifactBucket,
            storageSize: c.artifactStorageSize,
            storageClass: c.databaseStorageClass,
          }
        : {
            store: "s3",
            bucket: c.artifactBucket,
            endpoint: c.artifactEndpoint,
            region: c.artifactRegion,
            credentials:
              c.artifactCredentials === "static"
                ? { kind: "static", accessKey: secret("artifactAccessKey"), secretKey: secret("artifactSecretKey") }
                : { kind: "workload-identity", annotations: JSON.parse(c.artifactIdentityAnnotations) },
          },
  };
}

function describeIssues(stack: string, raw: Record<string, string>, issues: Issue[], unknown: string[]): string {
  const lines = [
    ...unknown.map(
      (k) =>
        `  - ${PROJECT}:${k} = ${JSON.stringify(raw[k])}: not a key of this project (allowed: ${Object.keys(CONFIG_KEYS).join(", ")})`,
    ),
    ...issues.map(({ key, message }) => {
      const given = !(key in raw) ? "(not set)" : SECRET_KEYS.has(key) ? "[secret]" : JSON.stringify(raw[key]);
      return `  - ${PROJECT}:${key} = ${given}: must be ${message.replaceAll("<stack>", stack)}`;
    }),
  ];
  return `Invalid configuration for stack "${stack}":\n${lines.join("\n")}`;
}

/** Compares vX.Y.Z tags numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = VERSION.exec(a)!.slice(1).map(Number);
  const pb = VERSION.exec(b)!.slice(1).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !pulumi.Output.isInstance(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
