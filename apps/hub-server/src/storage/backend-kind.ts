export type BackendKind = 'sqlite' | 'postgres';
