using System.Buffers.Binary;
using System.Text;

namespace Concierge.Vmm.Boot.Acpi;

/// <summary>The firmware ACPI control structure: required by non-reduced hardware, unused otherwise (no S3).</summary>
internal static class Facs
{
    public const int Size = 64;

    public static byte[] Create()
    {
        var facs = new byte[Size];
        Encoding.ASCII.GetBytes("FACS", facs);
        BinaryPrimitives.WriteUInt32LittleEndian(facs.AsSpan(4), Size);
        facs[32] = 2; // version
        return facs;
    }
}
