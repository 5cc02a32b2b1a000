import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ArmState } from './arm-state.ts';

/** The emulated Entra ID tenant of every token. */
export const TENANT_ID = '6d6f6b65-0000-4000-8000-0000000000e1';

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
  readonly tokens = new Set<string>();
  readonly header = randomUUID();
  /** Tokens issued by the identity endpoint (not by tests). */
  issued = 0;

  constructor(private readonly state: ArmState) {}

  /** A JWT-shaped token (unsigned): clients such as the Azure CLI read `tid` from it without verifying. */
  mint(prefix: string): { token: string; exp: number } {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const claims = {
      tid: TENANT_ID,
      oid: randomUUID(),
      aud: 'https://management.azure.com/',
      exp,
      jti: `${prefix}-${randomUUID()}`,
    };
    const token = `${b64({ typ: 'JWT', alg: 'none' })}.${b64(claims)}.sig`;
    this.tokens.add(token);
    return { token, exp };
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
    const { token, exp } = this.mint('mi');
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
    if (!this.tokens.has((req.headers.authorization ?? '').slice(7))) {
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
