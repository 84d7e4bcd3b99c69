export declare const SCOPE: string;
export declare const PUBLIC_REGISTRY_HOSTS: string[];
export declare function normalizeRegistry(value: unknown): string | undefined;
export declare function isPublicRegistry(url: string): boolean;
export type PublishRegistryVerdict = { ok: true; registry: string } | { ok: false; message: string };
export declare function checkPublishRegistry(options: {
  env: Record<string, string | undefined>;
  npmConfig?: (key: string) => string | undefined;
  publishConfig?: Record<string, string | undefined>;
}): PublishRegistryVerdict;
