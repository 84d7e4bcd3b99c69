/**
 * Marks a zod schema as a CLI's config section (`static sectionSchema = defineSection(schema)`).
 * oclif copies a command's static properties into `oclif.manifest.json`, which every start-up
 * parses; a zod schema serialises to hundreds of KB there. It is code, not data: keep it out.
 */
export function defineSection<T extends object>(schema: T): T {
  Object.defineProperty(schema, 'toJSON', { value: () => undefined, enumerable: false, configurable: true });
  return schema;
}
