export * from './browser';
export * from './service';
export * from './axe';
export * from './screenshot';
export * from './secrets';
export * from './sign-in';
export * from './users';
export * from './csp';
