using System.Runtime.InteropServices;
using System.Text;

namespace Concierge.Guest.Native;

/// <summary>
/// A NULL-terminated array of NUL-terminated UTF-8 strings in native memory (argv, envp),
/// freed on dispose. Built before a spawn or exec so nothing is allocated in between.
/// </summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private byte** _pointers;
    private readonly int _count;

    public NativeStringArray(IReadOnlyList<string> strings)
    {
        ArgumentNullException.ThrowIfNull(strings);
        _count = strings.Count;
        // SAFETY: we allocate count+1 pointer slots and fill each with its own allocation,
        // each sized for the string's UTF-8 bytes plus the terminating NUL; the last slot stays NULL.
        _pointers = (byte**)NativeMemory.AllocZeroed((nuint)(_count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < _count; i++)
        {
            var value = strings[i] ?? throw new ArgumentException("null string in array", nameof(strings));
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"string {i} contains a NUL byte", nameof(strings));
            }
            var length = Encoding.UTF8.GetByteCount(value);
            var bytes = (byte*)NativeMemory.AllocZeroed((nuint)(length + 1));
            Encoding.UTF8.GetBytes(value, new Span<byte>(bytes, length));
            _pointers[i] = bytes;
        }
    }

    /// <summary>The array to pass as argv/envp; valid until dispose.</summary>
    public byte** Pointer => _pointers;

    public void Dispose()
    {
        if (_pointers == null)
        {
            return;
        }
        // SAFETY: each slot up to _count was allocated in the constructor and is freed once,
        // because _pointers is cleared afterwards.
        for (var i = 0; i < _count; i++)
        {
            NativeMemory.Free(_pointers[i]);
        }
        NativeMemory.Free(_pointers);
        _pointers = null;
    }
}
