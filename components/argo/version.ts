// The images of one Argo Workflows release: controller, server (argocli) and executor always share one tag.

export interface ArgoImages {
  controller: string;
  server: string;
  executor: string;
}

export function argoImages(version: string): ArgoImages {
  return {
    controller: `quay.io/argoproj/workflow-controller:${version}`,
    server: `quay.io/argoproj/argocli:${version}`,
    // The -nonroot variant (published for every release, .github/workflows/release.yaml): the default image's
    // user is root, and the pods must run as non-root in any case.
    executor: `quay.io/argoproj/argoexec:${version}-nonroot`,
  };
}
