// The hypervisor model's public API. Import from here (it also wires migration into the VMM loop).
export * from './errors';
export * from './constants';
export * from './events';
export * from './ranges';
export * from './host';
export * from './kvm';
export * from './description';
export * from './vmm';
export * from './migration';
export * from './stream';
export * from './vcpu-state';
export * from './synthetic-guest';
export * from './setup';
export * from './linux-guest';
