declare const __FRACTAXIS_VERSION__: string | undefined;
/** Package version (injected by the bundler; 'dev' when running from sources). */
export const VERSION: string = typeof __FRACTAXIS_VERSION__ === 'string' ? __FRACTAXIS_VERSION__ : 'dev';
