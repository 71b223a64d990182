using System.Text;

namespace Concierge.Vmm;

/// <summary>
/// The VM's serial console as the host sees it: output lines as events, the most recent output
/// kept for later reading, optionally a log file, and input to the guest. Output arrives on vCPU
/// threads; a subscriber that throws is unsubscribed rather than allowed to stop the VM.
/// </summary>
public sealed class VmConsole : IDisposable
{
    /// <summary>Bytes of recent output kept for <see cref="RecentOutput"/>.</summary>
    public const int RecentCapacity = 64 * 1024;

    private const int MaxLineBytes = 4096;
    private readonly object _lock = new();
    private readonly byte[] _recent = new byte[RecentCapacity];
    private readonly List<byte> _line = new(256);
    private readonly Stream? _log;
    private long _written;
    private Action<ReadOnlySpan<byte>>? _input;
    private Action<string>? _lineReceived;

    internal VmConsole(string? logPath)
    {
        if (logPath is not null)
        {
            try
            {
                _log = new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VmConfigException($"cannot open console log {logPath}: {e.Message}", e);
            }
        }
    }

    /// <summary>Raised with each complete output line (without the line break), on a vCPU thread.</summary>
    public event Action<string>? LineReceived
    {
        add { lock (_lock) { _lineReceived += value; } }
        remove { lock (_lock) { _lineReceived -= value; } }
    }

    /// <summary>Up to <see cref="RecentCapacity"/> bytes of the latest output, as text.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_lock)
            {
                var length = (int)Math.Min(_written, RecentCapacity);
                var start = (int)((_written - length) % RecentCapacity);
                var bytes = new byte[length];
                var firstPart = Math.Min(length, RecentCapacity - start);
                _recent.AsSpan(start, firstPart).CopyTo(bytes);
                _recent.AsSpan(0, length - firstPart).CopyTo(bytes.AsSpan(firstPart));
                return Encoding.UTF8.GetString(bytes);
            }
        }
    }

    /// <summary>Sends <paramref name="bytes"/> to the guest's serial input.</summary>
    public void WriteInput(ReadOnlySpan<byte> bytes)
    {
        Action<ReadOnlySpan<byte>>? input;
        lock (_lock)
        {
            input = _input;
        }
        if (input is null)
        {
            throw new InvalidOperationException("this VM has no serial console");
        }
        input(bytes);
    }

    /// <summary>Sends <paramref name="text"/> (UTF-8) to the guest's serial input.</summary>
    public void WriteInput(string text) => WriteInput(Encoding.UTF8.GetBytes(text));

    /// <summary>Connects the UART that receives <see cref="WriteInput(ReadOnlySpan{byte})"/>.</summary>
    internal void ConnectInput(Action<ReadOnlySpan<byte>> input)
    {
        lock (_lock)
        {
            _input = input;
        }
    }

    /// <summary>One byte the guest transmitted.</summary>
    internal void Output(byte value)
    {
        string? completed = null;
        Action<string>? subscribers;
        lock (_lock)
        {
            _recent[_written % RecentCapacity] = value;
            _written++;
            _log?.WriteByte(value);
            if (value == '\n' || _line.Count >= MaxLineBytes)
            {
                completed = Encoding.UTF8.GetString([.. _line]).TrimEnd('\r');
                _line.Clear();
                _log?.Flush();
            }
            else
            {
                _line.Add(value);
            }
            subscribers = _lineReceived;
        }
        if (completed is not null && subscribers is not null)
        {
            Publish(subscribers, completed);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _log?.Dispose();
        }
    }

    private void Publish(Action<string> subscribers, string line)
    {
        foreach (var subscriber in subscribers.GetInvocationList().Cast<Action<string>>())
        {
            try
            {
                subscriber(line);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LineReceived -= subscriber;
            }
        }
    }
}
