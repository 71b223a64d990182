namespace Concierge.Vmm;

/// <summary>What the owner can ask a vCPU thread to do, posted to its command channel.</summary>
internal enum VcpuCommand
{
    /// <summary>Leave the run loop and end the thread (also while parked).</summary>
    Stop,

    /// <summary>Leave KVM_RUN and park the thread until <see cref="Resume"/> or <see cref="Stop"/>.</summary>
    Pause,

    /// <summary>Unpark a paused thread and run the guest again (nothing to do for a running one).</summary>
    Resume,
}
