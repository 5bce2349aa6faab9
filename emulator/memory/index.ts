export * from './page';
export * from './fault';
export * from './physical';
export * from './mmu';
