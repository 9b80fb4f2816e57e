// Types of the generated validator beside this file (ajv standalone code; see tools/generate-validator.ts).
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
export interface Validate {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
export const validate: Validate;
export default validate;
