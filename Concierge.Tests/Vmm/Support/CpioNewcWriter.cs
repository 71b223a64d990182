using System.Text;

namespace Concierge.Tests.Vmm.Support;

/// <summary>
/// Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs: per entry a
/// 110-byte ASCII header ("070701" + 13 hex fields), the NUL-terminated name and the data, each
/// padded to 4 bytes; "TRAILER!!!" ends the archive.
/// </summary>
public sealed class CpioNewcWriter : IDisposable
{
    private const uint Directory = 0x4000;
    private const uint RegularFile = 0x8000;
    private const uint CharacterDevice = 0x2000;
    private readonly Stream _output;
    private uint _nextInode = 1;

    public CpioNewcWriter(Stream output) => _output = output;

    public void AddDirectory(string name) => Add(name, Directory | 0x1ED, [], 0, 0);

    public void AddFile(string name, byte[] data, bool executable) => Add(name, RegularFile | (executable ? 0x1EDu : 0x1A4u), data, 0, 0);

    public void AddCharacterDevice(string name, uint major, uint minor) => Add(name, CharacterDevice | 0x180, [], major, minor);

    public void Dispose()
    {
        Add("TRAILER!!!", 0, [], 0, 0);
        _output.Flush();
    }

    private void Add(string name, uint mode, byte[] data, uint deviceMajor, uint deviceMinor)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        uint[] fields =
        [
            _nextInode++, mode, 0, 0, (mode & Directory) != 0 ? 2u : 1u, 0, (uint)data.Length,
            0, 0, deviceMajor, deviceMinor, (uint)nameBytes.Length, 0,
        ];
        var header = new StringBuilder("070701");
        foreach (var field in fields)
        {
            header.Append(field.ToString("X8", System.Globalization.CultureInfo.InvariantCulture));
        }
        _output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        _output.Write(nameBytes);
        Pad(110 + nameBytes.Length);
        _output.Write(data);
        Pad(data.Length);
    }

    private void Pad(int length)
    {
        var padding = (4 - length % 4) % 4;
        _output.Write(new byte[padding]);
    }
}
