// URNs as the engine makes them, without loading the Pulumi SDK (the runner writes them, the plan reads them).

/** The type of the root Stack resource, which the engine leaves out of its children's qualified types. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** The type prefix of provider resources: `pulumi:providers:<package>`. */
const PROVIDER_PREFIX = "pulumi:providers:";

/** Whether a type is a provider's (explicit or default), which the engine keeps apart from the resources it manages. */
export const isProviderType = (type: string): boolean => type.startsWith(PROVIDER_PREFIX);

/** The type of `pkg`'s provider resources. */
export const providerType = (pkg: string): string => `${PROVIDER_PREFIX}${pkg}`;

/** The package a type belongs to: `kubernetes` for both `kubernetes:core/v1:Secret` and its provider's type. */
export const packageOf = (type: string): string =>
  isProviderType(type) ? type.slice(PROVIDER_PREFIX.length) : type.split(":")[0];

/**
 * A URN the way the engine makes it (pulumi/pulumi `resource.NewURN`, with the parent's qualified type from its
 * URN): `urn:pulumi:<stack>::<project>::<parent's qualified type>$<type>::<name>`, the root Stack left out. The
 * offline runner gives every resource this URN in place of the mock monitor's, so plans compare real URNs.
 */
export function engineUrn(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
): string {
  const parentType = parent ? urnType(parent) : "";
  const qualified = parentType && parentType !== STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${[stack, project, qualified, name].join("::")}`;
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` → its parts. */
export function parseUrn(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a URN: ${urn}`);
  return {
    stack: parts[0].slice("urn:pulumi:".length),
    project: parts[1],
    qualifiedType: parts[2],
    name: parts.slice(3).join("::"),
  };
}

/** The qualified type of a URN (`parentType$type`). */
export const urnType = (urn: string) => parseUrn(urn).qualifiedType;
