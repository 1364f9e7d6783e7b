/**
 * The production adapters (EventStoreDB, Redis, Kafka), handed to the composition by factory so
 * the embedded default loads none of their clients.
 */
import type { AdapterFactories } from '@cs/application';

export const productionAdapters: AdapterFactories = {};
