// Reads the stack configuration once, validates every value, and returns one typed, frozen object.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/** The Pulumi project name: the namespace of every key below (`argo-platform:<key>`). */
export const PROJECT = "argo-platform";

/** Argo Workflows release this program installs by default, and the oldest it accepts. */
export const DEFAULT_ARGO_VERSION = "v4.1.2";
/** `templateReferencing: Strict` could be bypassed before 4.0.5, and via artifactGC.podSpecPatch before 4.0.6. */
export const MINIMUM_ARGO_VERSION = "v4.0.6";

/** The one key whose value is a secret; it is never echoed in an error message. */
const SECRET_KEYS = new Set(["databaseAdminPassword"]);

// --- value checks, each with the sentence a user reads when the value is refused ---

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = z
  .string()
  .max(63, "a DNS-1123 label: at most 63 characters")
  .regex(DNS_LABEL, "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** An optional DNS-1123 subdomain (the name of a Secret or a StorageClass); empty means unset. */
const optionalSubdomain = z
  .string()
  .max(253, "a DNS-1123 subdomain: at most 253 characters")
  .regex(
    /^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    "empty, or a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'",
  );

/** Whole numbers arrive from Pulumi as strings ("2"); refuse "2.5", "two" and out-of-range values. */
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `a whole number from ${min} to ${max}`).max(max, `a whole number from ${min} to ${max}`));

const boolean = z.enum(["true", "false"], "true or false").transform((v) => v === "true");

const VERSION = /^v(\d+)\.(\d+)\.(\d+)$/;
const argoVersion = z
  .string()
  .regex(VERSION, "a release tag of the form vX.Y.Z")
  .refine((v) => !VERSION.test(v) || (compareVersions(v, MINIMUM_ARGO_VERSION) >= 0 && v.startsWith("v4.")), {
    message: `a v4 release at or above ${MINIMUM_ARGO_VERSION} (Strict mode could be bypassed before it; v5 may change the controller's config schema)`,
  });

/** A PostgreSQL identifier we are willing to interpolate: lower-case, no quoting needed. */
const pgIdentifier = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,62}$/,
    "a PostgreSQL identifier: lower-case letters, digits and '_', at most 63 characters",
  );

const quantity = z.string().regex(/^[1-9]\d*(Mi|Gi|Ti)$/, "a storage size such as 8Gi (Mi, Gi or Ti)");

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

const archiveTTL = z.string().refine((v) => (parseArgoTTL(v) ?? 0) > 0, { message: ARCHIVE_TTL_ALLOWED });

/**
 * Every key of the project's namespace, its check and its default. `Pulumi.yaml` declares the same keys with the
 * same defaults (a test keeps the two equal); keys without a default here are optional or mode-dependent.
 */
export const CONFIG_SCHEMA = z
  .object({
    controlPlaneNamespace: dnsLabel.default("control-plane"),
    dataPlaneNamespace: dnsLabel.default("data-plane"),
    argoVersion: argoVersion.default(DEFAULT_ARGO_VERSION),
    templateReferencing: z
      .enum(["Strict", "Secure"], "Strict or Secure (case-sensitive: Argo treats anything else as no restriction)")
      .default("Strict"),
    templatePolicyAction: z
      .enum(
        ["Deny", "Warn", "Audit"],
        "Deny, Warn or Audit (case-sensitive; Warn and Audit admit what the template rules refuse, for a rollout)",
      )
      .default("Deny"),
    controllerReplicas: integer(1, 5).default(1),
    serverReplicas: integer(1, 5).default(1),
    controllerTokenLogin: boolean.default(false),
    metricsNamespace: dnsLabel.default("monitoring"),
    serverTlsSecretName: optionalSubdomain.default(""),
    archiveTTL: archiveTTL.default("30d"),
    databaseMode: z.enum(["in-cluster", "external"], "in-cluster or external").default("in-cluster"),
    databaseName: pgIdentifier.default("argo_workflows"),
    databaseUser: pgIdentifier.default("argo_workflows"),
    databaseStorageSize: quantity.default("8Gi"),
    databaseStorageClass: optionalSubdomain.default(""),
    databaseHost: z
      .string()
      .regex(/^$|^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, "empty, or a host name or IPv4 address")
      .default(""),
    databasePort: integer(1, 65535).default(5432),
    databaseSslMode: z
      .enum(
        ["require", "verify-ca", "verify-full"],
        "require, verify-ca or verify-full (Argo must use TLS to an external server)",
      )
      .default("require"),
    databaseAdminUser: z.string().min(1, "a non-empty role name").default("postgres"),
    databaseAdminPassword: z.string().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.databaseMode !== "external") return;
    if (c.databaseHost === "") {
      ctx.addIssue({
        code: "custom",
        path: ["databaseHost"],
        message: "set when databaseMode is external (the PostgreSQL server's host name)",
      });
    }
    if (!c.databaseAdminPassword) {
      ctx.addIssue({
        code: "custom",
        path: ["databaseAdminPassword"],
        message: `set when databaseMode is external, with \`pulumi config set --secret ${PROJECT}:databaseAdminPassword <password>\``,
      });
    }
  })
  .superRefine((c, ctx) => {
    if (c.controlPlaneNamespace === c.dataPlaneNamespace) {
      ctx.addIssue({
        code: "custom",
        path: ["dataPlaneNamespace"],
        message:
          "different from controlPlaneNamespace (keeping workflows out of the controller's namespace is the point of the split)",
      });
    }
  });

type RawConfig = z.infer<typeof CONFIG_SCHEMA>;

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
  readonly adminUser: string;
  readonly adminPassword: pulumi.Output<string>;
}

/** The validated configuration of one stack: the only configuration the components ever see. */
export interface PlatformConfig {
  readonly stack: string;
  readonly namespaces: { readonly controlPlane: string; readonly dataPlane: string };
  readonly argo: {
    readonly version: string;
    readonly templateReferencing: "Strict" | "Secure";
    /** What the admission policies do with a template, workflow or cron workflow that breaks the template rules. */
    readonly templatePolicyAction: "Deny" | "Warn" | "Audit";
    readonly controllerReplicas: number;
    readonly serverReplicas: number;
    /** Whether a token of controller-service-account may be used to log in to the UI and author templates. */
    readonly controllerTokenLogin: boolean;
    /** Namespace whose pods may scrape the controller's metrics. */
    readonly metricsNamespace: string;
    /** Secret (tls.crt, tls.key) for argo-server; empty: Argo's self-signed certificate. */
    readonly serverTlsSecretName: string;
  };
  readonly archive: {
    readonly ttl: string;
    readonly database: InClusterDatabase | ExternalDatabase;
  };
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
  const result = CONFIG_SCHEMA.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(stack, raw, result.error.issues));
  return deepFreeze(toPlatformConfig(stack, result.data, secret));
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
          adminUser: c.databaseAdminUser,
          adminPassword: secret("databaseAdminPassword"),
        };
  return {
    stack,
    namespaces: { controlPlane: c.controlPlaneNamespace, dataPlane: c.dataPlaneNamespace },
    argo: {
      version: c.argoVersion,
      templateReferencing: c.templateReferencing,
      templatePolicyAction: c.templatePolicyAction,
      controllerReplicas: c.controllerReplicas,
      serverReplicas: c.serverReplicas,
      controllerTokenLogin: c.controllerTokenLogin,
      metricsNamespace: c.metricsNamespace,
      serverTlsSecretName: c.serverTlsSecretName,
    },
    archive: { ttl: c.archiveTTL, database },
  };
}

function describeIssues(stack: string, raw: Record<string, string>, issues: z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys
        .map(
          (k) =>
            `  - ${PROJECT}:${k} = ${JSON.stringify(raw[k])}: not a key of this project (allowed: ${Object.keys(CONFIG_SCHEMA.shape).join(", ")})`,
        )
        .join("\n");
    }
    const key = String(issue.path[0]);
    const given = !(key in raw) ? "(not set)" : SECRET_KEYS.has(key) ? "[secret]" : JSON.stringify(raw[key]);
    return `  - ${PROJECT}:${key} = ${given}: must be ${issue.message}`;
  });
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
