// The Kubernetes API versions this program uses, required one by one instead of imported through `@pulumi/kubernetes`.
//
// The package's index loads every API group and version and, eagerly, its Helm, YAML and Kustomize support (with
// js-yaml, glob and their dependencies): about 100 more modules and 50–80 ms on every `pulumi preview`, none of
// which this program uses. Each version's index loads its resource classes lazily, so this costs only the classes
// a stack creates. They are required rather than imported: an ES-module import would make Node parse each CommonJS
// index for its export names. Components import `* as k8s` from here and write `k8s.core.v1.Namespace` as they
// would with the package; a class's instance type comes from a type-only import of its version's index.
// tests/hygiene.test.ts fails if a stack's run loads the package's index again.
import { createRequire } from "node:module";
import type * as AdmissionRegistrationV1 from "@pulumi/kubernetes/admissionregistration/v1/index.js";
import type * as CustomResources from "@pulumi/kubernetes/apiextensions/customResource.js";
import type * as ApiExtensionsV1 from "@pulumi/kubernetes/apiextensions/v1/index.js";
import type * as AppsV1 from "@pulumi/kubernetes/apps/v1/index.js";
import type * as CoreV1 from "@pulumi/kubernetes/core/v1/index.js";
import type * as NetworkingV1 from "@pulumi/kubernetes/networking/v1/index.js";
import type * as PolicyV1 from "@pulumi/kubernetes/policy/v1/index.js";
import type * as KubernetesProvider from "@pulumi/kubernetes/provider.js";
import type * as RbacV1 from "@pulumi/kubernetes/rbac/v1/index.js";

const require = createRequire(import.meta.url);
const sdk = (path: string) => require(`@pulumi/kubernetes/${path}`);

export const admissionregistration: { v1: typeof AdmissionRegistrationV1 } = {
  v1: sdk("admissionregistration/v1/index.js"),
};
export const apiextensions: { v1: typeof ApiExtensionsV1; CustomResource: typeof CustomResources.CustomResource } = {
  v1: sdk("apiextensions/v1/index.js"),
  CustomResource: sdk("apiextensions/customResource.js").CustomResource,
};
export const apps: { v1: typeof AppsV1 } = { v1: sdk("apps/v1/index.js") };
export const core: { v1: typeof CoreV1 } = { v1: sdk("core/v1/index.js") };
export const networking: { v1: typeof NetworkingV1 } = { v1: sdk("networking/v1/index.js") };
export const policy: { v1: typeof PolicyV1 } = { v1: sdk("policy/v1/index.js") };
export const rbac: { v1: typeof RbacV1 } = { v1: sdk("rbac/v1/index.js") };
export const { Provider } = sdk("provider.js") as typeof KubernetesProvider;
export type Provider = KubernetesProvider.Provider;
export type * as types from "@pulumi/kubernetes/types/index.js";
