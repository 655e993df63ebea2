export * from './movement';
export * from './reservation';
export * from './atp';
export * from './oversell';
export * from './channel-availability';
