// The Kubernetes API groups this program uses, required one by one instead of imported through `@pulumi/kubernetes`.
//
// The package's index loads every group and, eagerly, its Helm, YAML and Kustomize support (with js-yaml, glob and
// their dependencies): about 80 more modules and 50–80 ms on every `pulumi preview`, none of which this program
// uses. Each group's index loads its resource classes lazily, so this costs only the classes a stack creates. They
// are required rather than imported: an ES-module import would make Node parse each CommonJS index for its export
// names (about 10 ms more). Components import `* as k8s` from here and write `k8s.core.v1.Namespace` as they would
// with the package; a class's instance type is `InstanceType<typeof k8s.apps.v1.Deployment>` (shortened where used).
// tests/hygiene.test.ts fails if a stack's run loads the package's index again.
import { createRequire } from "node:module";
import type * as AdmissionRegistration from "@pulumi/kubernetes/admissionregistration/index.js";
import type * as ApiExtensions from "@pulumi/kubernetes/apiextensions/index.js";
import type * as Apps from "@pulumi/kubernetes/apps/index.js";
import type * as Core from "@pulumi/kubernetes/core/index.js";
import type * as Networking from "@pulumi/kubernetes/networking/index.js";
import type * as Policy from "@pulumi/kubernetes/policy/index.js";
import type * as KubernetesProvider from "@pulumi/kubernetes/provider.js";
import type * as Rbac from "@pulumi/kubernetes/rbac/index.js";

const require = createRequire(import.meta.url);

export const admissionregistration: typeof AdmissionRegistration = require("@pulumi/kubernetes/admissionregistration/index.js");
export const apiextensions: typeof ApiExtensions = require("@pulumi/kubernetes/apiextensions/index.js");
export const apps: typeof Apps = require("@pulumi/kubernetes/apps/index.js");
export const core: typeof Core = require("@pulumi/kubernetes/core/index.js");
export const networking: typeof Networking = require("@pulumi/kubernetes/networking/index.js");
export const policy: typeof Policy = require("@pulumi/kubernetes/policy/index.js");
export const rbac: typeof Rbac = require("@pulumi/kubernetes/rbac/index.js");
export const { Provider } = require("@pulumi/kubernetes/provider.js") as typeof KubernetesProvider;
export type Provider = KubernetesProvider.Provider;
export type * as types from "@pulumi/kubernetes/types/index.js";
