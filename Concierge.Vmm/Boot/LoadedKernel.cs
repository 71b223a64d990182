namespace Concierge.Vmm.Boot;

/// <summary>Where the loader put the kernel and what the boot vCPU needs to enter it.</summary>
/// <param name="EntryPoint">Guest-physical address of the 64-bit entry.</param>
/// <param name="ZeroPageAddress">Guest-physical address of boot_params (goes in RSI).</param>
/// <param name="InitrdAddress">Where the initrd was placed (0 if none).</param>
/// <param name="InitrdSize">Its size in bytes.</param>
internal readonly record struct LoadedKernel(ulong EntryPoint, ulong ZeroPageAddress, ulong InitrdAddress, ulong InitrdSize);
