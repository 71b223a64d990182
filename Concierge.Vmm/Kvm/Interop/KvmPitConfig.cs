using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_pit_config: flags for KVM_CREATE_PIT2.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmPitConfig
{
    /// <summary>KVM_PIT_SPEAKER_DUMMY: KVM also answers the speaker port 0x61.</summary>
    public const uint SpeakerDummy = 1;

    public uint Flags;
    public Padding15 Pad;

    [InlineArray(15)]
    public struct Padding15
    {
        private uint _element;
    }
}
