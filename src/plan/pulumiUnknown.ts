// The one definition of the value Pulumi passes for an input not known yet (preview), in the property
// bags a dynamic provider's check and diff receive. It is @pulumi/pulumi's runtime `unknownValue`
// (runtime/rpc.ts); written out here because src/plan imports nothing of Pulumi, and a test compares
// it with the runtime's own constant so that a change there fails a test instead of a preview.

export const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isPulumiUnknown(value: unknown): boolean {
  return value === PULUMI_UNKNOWN;
}
