// KVM and Linux constants the model mirrors (uapi values; see ../shared/reference sections 4-5).

// ---- capabilities (include/uapi/linux/kvm.h) ----
export const KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168;
export const KVM_CAP_ARM_MTE = 205;
export const KVM_CAP_USER_MEMORY2 = 231;
export const KVM_CAP_MEMORY_FAULT_INFO = 232;
export const KVM_CAP_MEMORY_ATTRIBUTES = 233;
export const KVM_CAP_GUEST_MEMFD = 234;
export const KVM_CAP_VM_TYPES = 235;
export const KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED = 243;

// ---- KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 flags ----
export const KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE = 1 << 0;
export const KVM_DIRTY_LOG_INITIALLY_SET = 1 << 1;

// ---- memslot flags (struct kvm_userspace_memory_region2.flags) ----
export const KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
export const KVM_MEM_READONLY = 1 << 1;
export const KVM_MEM_GUEST_MEMFD = 1 << 2;

/** KVM_USER_MEM_SLOTS (generic: SHRT_MAX - internal slots; arm64 has none). */
export const KVM_USER_MEM_SLOTS = 32767;
/** KVM_MEM_MAX_NR_PAGES: dirty bitmaps are indexed with an unsigned int. */
export const KVM_MEM_MAX_NR_PAGES = 2 ** 31 - 1;

// ---- KVM_SET_MEMORY_ATTRIBUTES ----
export const KVM_MEMORY_ATTRIBUTE_PRIVATE = 1 << 3;

// ---- guest_memfd (KVM_CREATE_GUEST_MEMFD) flags ----
export const GUEST_MEMFD_FLAG_MMAP = 1 << 0;
export const GUEST_MEMFD_FLAG_INIT_SHARED = 1 << 1;

// ---- KVM_ARM_MTE_COPY_TAGS ----
export const KVM_ARM_TAGS_TO_GUEST = 0;
export const KVM_ARM_TAGS_FROM_GUEST = 1;
export const INT_MAX = 2 ** 31 - 1;

// ---- exit reasons (struct kvm_run.exit_reason) ----
export const KVM_EXIT_MMIO = 6;
export const KVM_EXIT_INTR = 10;
export const KVM_EXIT_SYSTEM_EVENT = 24;
export const KVM_EXIT_ARM_NISV = 28;
export const KVM_EXIT_MEMORY_FAULT = 39;
export const KVM_MEMORY_EXIT_FLAG_PRIVATE = 1 << 3;
export const KVM_SYSTEM_EVENT_SHUTDOWN = 1;

// ---- ioctl numbers (informational; _IO* computed in the reference) ----
export const KVM_ENABLE_CAP = 0x4068aea3;
export const KVM_SET_USER_MEMORY_REGION2 = 0x40a0ae49;
export const KVM_SET_MEMORY_ATTRIBUTES = 0x4020aed2;
export const KVM_CREATE_GUEST_MEMFD = 0xc040aed4;
export const KVM_ARM_MTE_COPY_TAGS = 0x8030aeb4;

// ---- IPA size (KVM_VM_TYPE_ARM_IPA_SIZE) ----
/** KVM's default IPA size when the VM type does not ask for one. */
export const KVM_PHYS_SHIFT_DEFAULT = 40;
/** Smallest IPA size KVM accepts (ARM64_MIN_PARANGE_BITS). */
export const KVM_PHYS_SHIFT_MIN = 32;

// VMA flags (include/linux/mm.h: VM_SHARED, VM_IO, VM_PFNMAP; arm64 VM_MTE / VM_MTE_ALLOWED;
// VM_ALLOW_ANY_UNCACHED) are modelled as named booleans in host.ts (VmaFlags): several of them
// live above bit 31, where JavaScript bitwise operators do not reach.

export const PROT_MTE = 0x20;
