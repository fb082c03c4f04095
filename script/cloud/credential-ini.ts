/**
 * A section of the INI credentials file (~/.alibabacloud/credentials) as the library's own Config, and the
 * keys each `type` needs; credential-steps.ts reads the file and builds the provider.
 */

/** INI `type` -> the library's own Config for `new Credential(config)` (which builds the official provider). */
export function iniConfig(s: Map<string, string>): Record<string, unknown> | string {
  const g = (k: string) => s.get(k) || undefined;
  switch (g('type')) {
    case 'access_key':
      return { type: 'access_key', accessKeyId: g('access_key_id'), accessKeySecret: g('access_key_secret') };
    case 'sts':
      return {
        type: 'sts',
        accessKeyId: g('access_key_id'),
        accessKeySecret: g('access_key_secret'),
        securityToken: g('security_token'),
      };
    case 'ram_role_arn':
      return {
        type: 'ram_role_arn',
        accessKeyId: g('access_key_id'),
        accessKeySecret: g('access_key_secret'),
        roleArn: g('role_arn'),
        roleSessionName: g('role_session_name'),
        policy: g('policy'),
        stsEndpoint: g('sts_endpoint'),
        stsRegionId: g('sts_region'),
      };
    case 'ecs_ram_role':
      return { type: 'ecs_ram_role', roleName: g('role_name') };
    case 'oidc_role_arn':
      return {
        type: 'oidc_role_arn',
        roleArn: g('role_arn'),
        oidcProviderArn: g('oidc_provider_arn'),
        oidcTokenFilePath: g('oidc_token_file_path'),
        roleSessionName: g('role_session_name'),
        stsEndpoint: g('sts_endpoint'),
        stsRegionId: g('sts_region'),
      };
    case 'credentials_uri':
      return { type: 'credentials_uri', credentialsURI: g('credentials_uri') };
    case undefined:
      return 'no "type" (one of access_key, sts, ram_role_arn, ecs_ram_role, oidc_role_arn, credentials_uri)';
    default:
      return `type ${g('type')} is not usable for signing API calls (use access_key, sts, ram_role_arn, ecs_ram_role, oidc_role_arn or credentials_uri)`;
  }
}

/** The keys each INI `type` needs. */
export const INI_REQUIRED: Record<string, string[]> = {
  access_key: ['access_key_id', 'access_key_secret'],
  sts: ['access_key_id', 'access_key_secret', 'security_token'],
  ram_role_arn: ['access_key_id', 'access_key_secret', 'role_arn'],
  oidc_role_arn: ['role_arn', 'oidc_provider_arn', 'oidc_token_file_path'],
  credentials_uri: ['credentials_uri'],
};
