using System.Buffers.Binary;
using System.Text;

namespace Concierge.Vmm.Boot.Acpi;

/// <summary>Builds one ACPI system description table: the 36-byte header, the body, the checksum.</summary>
internal static class AcpiTable
{
    public const int HeaderSize = 36;
    public const string OemId = "CONCRG";
    private const string OemTableId = "CONCIERG";
    private const string CreatorId = "CNCG";

    public static byte[] Create(string signature, byte revision, ReadOnlySpan<byte> body)
    {
        var table = new byte[HeaderSize + body.Length];
        Encoding.ASCII.GetBytes(signature, table);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4), (uint)table.Length);
        table[8] = revision;
        Encoding.ASCII.GetBytes(OemId, table.AsSpan(10));
        Encoding.ASCII.GetBytes(OemTableId, table.AsSpan(16));
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(24), 1);
        Encoding.ASCII.GetBytes(CreatorId, table.AsSpan(28));
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(32), 1);
        body.CopyTo(table.AsSpan(HeaderSize));
        table[9] = ByteChecksum.Of(table);
        return table;
    }
}
