/**
 * For e2e suites that consume the notification topic: every message they consume is checked against
 * docs/asyncapi.yaml as it arrives, and `assertAllConform()` (in afterEach / afterAll) fails the test
 * with what was wrong with which message.
 */
import type { KafkaMessage } from 'kafkajs';
import { loadNotificationContract, type NotificationContract } from '../../libs/notifications/src/testing/notification-contract';

export interface NotificationConformance {
  contract: NotificationContract;
  /** Checks one consumed message; a mismatch is kept for assertAllConform. */
  check(message: KafkaMessage, partition: number): void;
  /** How many messages were checked so far. */
  readonly checked: number;
  /** Throws, listing each message that did not conform since the last call. */
  assertAllConform(): void;
}

export async function notificationConformance(): Promise<NotificationConformance> {
  const contract = await loadNotificationContract();
  const violations: string[] = [];
  let checked = 0;
  const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString() ?? '(none)';
  return {
    contract,
    check(message, partition) {
      checked++;
      const problems = contract.validate(message);
      if (problems.length === 0) return;
      const which = `partition ${partition} offset ${message.offset} (${header(message, 'ce_type')} ${header(message, 'ce_id')})`;
      violations.push(`${which}: ${problems.join('; ')}`);
    },
    get checked() {
      return checked;
    },
    assertAllConform() {
      if (violations.length === 0) return;
      throw new Error(`${violations.length} consumed message(s) do not conform to docs/asyncapi.yaml:\n${violations.splice(0).join('\n')}`);
    },
  };
}
