namespace Concierge.Vmm;

/// <summary>The virtio-vsock device of a <see cref="VmSpec"/>, served in process (no vhost-vsock module needed).</summary>
/// <param name="GuestCid">The guest's context id (3 and up; 0-2 are reserved).</param>
public sealed record VsockDeviceSpec(ulong GuestCid);
