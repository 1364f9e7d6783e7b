/**
 * libs/signature's Standard Webhooks HMAC scheme against the `standardwebhooks` npm package (the
 * reference library of the spec): what one signs, the other verifies, both ways.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signStandardWebhook, verifyStandardWebhook } from '@cs/signature';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const payload = JSON.stringify({ type: 'payment.succeeded', data: { amount: 1250, note: 'café ✓' } });
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('Standard Webhooks interop with the standardwebhooks package', () => {
  it('the package verifies headers signed by libs/signature', () => {
    const headers = signStandardWebhook({ payload, webhookId: 'msg_interop1', timestamp: nowSeconds(), secrets: [secret] });
    expect(new Webhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
  });

  it('the package verifies a rotation header with either secret alone', () => {
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    const headers = signStandardWebhook({ payload, webhookId: 'msg_interop2', timestamp: nowSeconds(), secrets: [secret, other] });
    expect(() => new Webhook(secret).verify(payload, headers)).not.toThrow();
    expect(() => new Webhook(other).verify(payload, headers)).not.toThrow();
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(payload, headers)).toThrow(/No matching signature/);
  });

  it('libs/signature verifies what the package signs, and refuses it with another payload', () => {
    const t = nowSeconds();
    const signature = new Webhook(secret).sign('msg_interop3', new Date(t * 1000), payload);
    const headers = { 'webhook-id': 'msg_interop3', 'webhook-timestamp': String(t), 'webhook-signature': signature };
    expect(verifyStandardWebhook({ payload, headers, secrets: secret, now: nowSeconds() })).toEqual({
      valid: true,
      code: 'VALID',
      webhookId: 'msg_interop3',
      timestamp: t,
    });
    expect(verifyStandardWebhook({ payload: `${payload} `, headers, secrets: secret, now: nowSeconds() }).code).toBe(
      'NO_MATCHING_SIGNATURE',
    );
  });

  it('both sign the same bytes to the same signature', () => {
    const t = 1_700_000_000;
    const ours = signStandardWebhook({ payload, webhookId: 'msg_same', timestamp: t, secrets: [secret] })['webhook-signature'];
    expect(ours).toBe(new Webhook(secret).sign('msg_same', new Date(t * 1000), payload));
  });
});
