/**
 * Login throttling of the embedded sign-in: failed attempts counted per email (known or not, so the
 * answer tells nothing about which emails exist) and per client IP; past either limit within the window,
 * sign-in is refused, even with the right password, until the window has passed. A success clears the
 * email's count.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface ThrottleLimits {
  perUser: number;
  perIp: number;
  windowSeconds: number;
}

export class LoginThrottle {
  private readonly users: RateLimiterMemory;
  private readonly ips: RateLimiterMemory;

  constructor(private readonly limits: ThrottleLimits) {
    this.users = new RateLimiterMemory({ keyPrefix: 'login-user', points: limits.perUser, duration: limits.windowSeconds });
    this.ips = new RateLimiterMemory({ keyPrefix: 'login-ip', points: limits.perIp, duration: limits.windowSeconds });
  }

  /** Seconds to wait when sign-in is refused for this email or IP; 0 when it may be tried. */
  async retryAfter(email: string, ip: string): Promise<number> {
    const [user, address] = await Promise.all([this.users.get(email.trim().toLowerCase()), this.ips.get(ip)]);
    let wait = 0;
    if (user && user.consumedPoints >= this.limits.perUser) wait = Math.max(wait, user.msBeforeNext);
    if (address && address.consumedPoints >= this.limits.perIp) wait = Math.max(wait, address.msBeforeNext);
    return Math.ceil(wait / 1000);
  }

  async failed(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.users.penalty(email.trim().toLowerCase(), 1).catch(() => undefined),
      this.ips.penalty(ip, 1).catch(() => undefined),
    ]);
  }

  async succeeded(email: string): Promise<void> {
    await this.users.delete(email.trim().toLowerCase());
  }
}
