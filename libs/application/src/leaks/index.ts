import { GetLeakPolicyHandler, SetLeakPolicyHandler } from './leak-policy';
import { ReportLeaksHandler } from './report-leaks';

export * from './leak-policy';
export * from './report-leaks';

export const LEAK_COMMAND_HANDLERS = [SetLeakPolicyHandler, ReportLeaksHandler];
export const LEAK_QUERY_HANDLERS = [GetLeakPolicyHandler];
