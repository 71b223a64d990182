namespace Concierge.Vmm;

/// <summary>What the owner can ask a vCPU thread to do, posted to its command channel.</summary>
internal enum VcpuCommand
{
    /// <summary>Leave the run loop and end the thread.</summary>
    Stop,
}
