namespace Concierge.Vmm.Kvm;

/// <summary>A KVM_EXIT_IO: <paramref name="Count"/> accesses of <paramref name="Size"/> bytes at <paramref name="Port"/>.</summary>
/// <param name="IsWrite">True for OUT, false for IN.</param>
/// <param name="Port">The I/O port.</param>
/// <param name="Size">Bytes per access (1, 2 or 4).</param>
/// <param name="Count">Repetitions (string I/O).</param>
/// <param name="DataOffset">Where the data lies inside kvm_run.</param>
internal readonly record struct PortIoExit(bool IsWrite, ushort Port, byte Size, uint Count, ulong DataOffset);
