import { describeValidityIndexConformance } from '../testing/validity-index.conformance';
import { MemoryValidityIndex } from './memory-validity-index';

describeValidityIndexConformance('memory', { create: async () => new MemoryValidityIndex() });
