namespace Concierge.Vmm.Kvm;

/// <summary>A KVM_EXIT_MMIO: an access of <paramref name="Length"/> bytes at guest-physical <paramref name="Address"/>.</summary>
/// <param name="IsWrite">True for a store, false for a load.</param>
/// <param name="Address">Guest-physical address.</param>
/// <param name="Length">Bytes accessed (at most 8).</param>
internal readonly record struct MmioExit(bool IsWrite, ulong Address, int Length);
