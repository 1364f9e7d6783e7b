/**
 * EVENTSTORE_URL: checked and normalised before client 6.2.1 sees it, because the client itself leaks
 * it. Its parser prints the whole connection string, password included, to the console
 * (console.warn) for an unknown option or `tlsVerifyCert=false`, and its ParseError keeps the string
 * in a `connectionString` property (printed by anything that inspects the error) and quotes part of it
 * in its message. So: options are checked here, parse errors are rethrown without the string, and
 * anything logged goes through redactConnectionString.
 *
 * Accepted forms (the client's; `kurrentdb` is accepted as a spelling of `esdb`):
 *   esdb://host:2113?tls=false                                         one node, insecure (dev)
 *   esdb://user:pass@host:2113?tls=true&tlsCAFile=/certs/ca.crt        one node, secure, user credentials
 *   esdb://user:pass@node1:2113,node2:2113,node3:2113?tls=true&nodePreference=leader   cluster, gossip seeds
 *   esdb+discover://user:pass@cluster.example.com:2113?tls=true        cluster, DNS discovery
 * Characters such as `@`, `:` or `%` in a user name or password must be percent-encoded.
 */
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString';

/** The options client 6.2.1 understands (Client/parseConnectionString.js), compared as it does. */
const KNOWN_OPTIONS = [
  'tls',
  'tlsCAFile',
  'tlsVerifyCert',
  'userCertFile',
  'userKeyFile',
  'nodePreference',
  'connectionName',
  'defaultDeadline',
  'discoveryInterval',
  'gossipTimeout',
  'maxDiscoverAttempts',
  'keepAliveInterval',
  'keepAliveTimeout',
  'throwOnAppendFailure',
];
const flat = (key: string) => key.trim().toLowerCase().replace(/[_-]/g, '');
const KNOWN = new Map(KNOWN_OPTIONS.map((o) => [flat(o), o]));

/** A connection string the adapter refuses; its message never contains the string itself. */
export class EventStoreUrlError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'EventStoreUrlError';
  }
}

export interface EventStoreConnection {
  /** What the client is given: `kurrentdb` spelled `esdb`, otherwise as written. */
  connectionString: string;
  /** Safe to log: the password replaced by `***`. */
  redacted: string;
  secure: boolean;
  hasCredentials: boolean;
  /** esdb+discover (DNS) or several gossip seeds. */
  cluster: boolean;
}

/** Checks a connection string the way client 6.2.1 will read it, without letting it print the string. */
export function parseEventStoreUrl(raw: string): EventStoreConnection {
  const trimmed = raw.trim();
  const scheme = /^([a-z+]+):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  const schemes: Record<string, string> = {
    esdb: 'esdb',
    'esdb+discover': 'esdb+discover',
    kurrentdb: 'esdb',
    'kurrentdb+discover': 'esdb+discover',
  };
  if (!scheme || !schemes[scheme]) {
    throw new EventStoreUrlError('must start with esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://');
  }
  const connectionString = `${schemes[scheme]}${trimmed.slice(scheme.length)}`;
  const query = connectionString.includes('?') ? connectionString.slice(connectionString.indexOf('?') + 1) : '';
  for (const pair of query.split('&').filter(Boolean)) {
    const [key, value = ''] = pair.split('=');
    const known = KNOWN.get(flat(key));
    if (!known) throw new EventStoreUrlError(`unknown option "${key}" (client 6.2.1 knows ${KNOWN_OPTIONS.join(', ')})`);
    if (known === 'tlsVerifyCert' && value.trim() === 'false') {
      throw new EventStoreUrlError('tlsVerifyCert=false is not supported by client 6.2.1: pass the CA with tlsCAFile instead');
    }
  }
  let parsed: ReturnType<typeof parseConnectionString>;
  try {
    parsed = parseConnectionString(connectionString);
  } catch (error) {
    const { location, expected } = error as { location?: [number, number]; expected?: string };
    // Only where and what: the client's own message quotes the string, and the password may be in it.
    throw new EventStoreUrlError(
      `is not a connection string client 6.2.1 can read` +
        (expected ? ` (expected ${expected}${location ? ` at character ${location[0]}` : ''})` : ''),
    );
  }
  return {
    connectionString,
    redacted: redactConnectionString(connectionString),
    secure: parsed.tls !== false,
    hasCredentials: parsed.defaultCredentials !== undefined,
    cluster: parsed.dnsDiscover === true || parsed.hosts.length > 1,
  };
}

/** `esdb://user:pass@host…` → `esdb://user:***@host…`; anything else unchanged. */
export function redactConnectionString(raw: string): string {
  return raw.replace(/^([a-z+]+:\/\/)([^@/?]*)@/i, (_, scheme: string, credentials: string) => {
    const user = credentials.split(':')[0];
    return `${scheme}${user}:***@`;
  });
}
