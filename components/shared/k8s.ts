// The Kubernetes API groups this program uses, imported one by one instead of through `@pulumi/kubernetes`.
//
// The package's index loads every group and, eagerly, its Helm, YAML and Kustomize support (with js-yaml, glob and
// their dependencies): about 80 more modules and 50–80 ms on every `pulumi preview`, none of which this program
// uses. Each group's index loads its resource classes lazily, so this costs only the classes a stack creates.
// Components import `* as k8s` from here and read `k8s.core.v1.Namespace` as they would from the package;
// tests/hygiene.test.ts fails if a stack's run loads the package's index again.
export * as admissionregistration from "@pulumi/kubernetes/admissionregistration/index.js";
export * as apiextensions from "@pulumi/kubernetes/apiextensions/index.js";
export * as apps from "@pulumi/kubernetes/apps/index.js";
export * as core from "@pulumi/kubernetes/core/index.js";
export * as networking from "@pulumi/kubernetes/networking/index.js";
export * as policy from "@pulumi/kubernetes/policy/index.js";
export * as rbac from "@pulumi/kubernetes/rbac/index.js";
export { Provider } from "@pulumi/kubernetes/provider.js";
export type * as types from "@pulumi/kubernetes/types/index.js";
