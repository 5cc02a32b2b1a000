import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ArmState } from './arm-state.ts';

/** The emulated Entra ID tenant of every token. */
export const TENANT_ID = '6d6f6b65-0000-4000-8000-0000000000e1';
/** The audience of Resource Manager tokens, and of Key Vault data-plane tokens (a different resource). */
export const ARM_AUDIENCE = 'https://management.azure.com/';
export const VAULT_AUDIENCE = 'https://vault.azure.net';

/** What the emulators read from a token they issued: its audience and the principal (object id) it stands for. */
export interface TokenClaims {
  aud: string;
  oid: string;
}

type Answer = (status: number, body: unknown) => void;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const c of req) {
    text += String(c);
    if (text.length > 64 * 1024) throw new Error('form too large');
  }
  return new URLSearchParams(text);
}

/** The tokens the emulator accepts, and the managed identity endpoints that issue them. */
export class IdentityEndpoint {
  readonly tokens = new Map<string, TokenClaims>();
  readonly header = randomUUID();
  /** The object id of the function app's managed identity: the principal its tokens carry. */
  readonly principalId = randomUUID();
  /** Tokens issued by the identity endpoint (not by tests). */
  issued = 0;

  constructor(private readonly state: ArmState) {}

  /** A JWT-shaped token (unsigned): clients such as the Azure CLI read `tid` from it without verifying. */
  mint(prefix: string, aud = ARM_AUDIENCE, oid: string = randomUUID()): { token: string; exp: number } {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const claims = { tid: TENANT_ID, oid, aud, exp, jti: `${prefix}-${randomUUID()}` };
    const token = `${b64({ typ: 'JWT', alg: 'none' })}.${b64(claims)}.sig`;
    this.tokens.set(token, { aud, oid });
    return { token, exp };
  }

  /** The claims of a bearer token this endpoint issued, or undefined for any other header. */
  claims(authorization: string | undefined): TokenClaims | undefined {
    return authorization?.startsWith('Bearer ') ? this.tokens.get(authorization.slice(7)) : undefined;
  }

  /**
   * Managed identity endpoints: the App Service one (GET, X-IDENTITY-HEADER, api-version 2019-08-01, what
   * @azure/identity uses in Functions) and the legacy MSI_ENDPOINT one (POST form, `Metadata: true`, what the
   * Azure CLI's `az login --identity` uses).
   */
  async token(req: IncomingMessage, url: URL, answer: Answer): Promise<void> {
    const legacy = req.method === 'POST';
    if (legacy ? req.headers.metadata !== 'true' : req.headers['x-identity-header'] !== this.header) {
      answer(401, { error: legacy ? 'Metadata: true is required' : 'invalid X-IDENTITY-HEADER' });
      return;
    }
    const form = legacy ? await readForm(req) : url.searchParams;
    this.issued += 1;
    // the token is for the resource asked (Resource Manager, Key Vault…), held by the app's identity
    const resource = form.get('resource') ?? ARM_AUDIENCE;
    const { token, exp } = this.mint('mi', resource, this.principalId);
    answer(200, {
      access_token: token,
      expires_on: String(exp),
      expires_in: '3600',
      resource: form.get('resource'),
      token_type: 'Bearer',
      client_id: form.get('client_id') ?? '',
    });
  }

  /** GET /subscriptions: the one emulated subscription, as `az login` lists it. */
  subscriptions(req: IncomingMessage, answer: Answer): void {
    if (!this.claims(req.headers.authorization)) {
      answer(401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
      return;
    }
    const sub = [...this.state.nics.values()][0]?.id.split('/')[2] ?? '';
    const policies = {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    };
    answer(200, {
      value: [
        {
          id: `/subscriptions/${sub}`,
          subscriptionId: sub,
          tenantId: TENANT_ID,
          displayName: 'mirror-vip emulator',
          state: 'Enabled',
          subscriptionPolicies: policies,
          authorizationSource: 'RoleBased',
        },
      ],
    });
  }
}
