using Concierge.Contracts;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>One VM object of the typed face (<c>org.chromium.VmConcierge.Vm</c>).</summary>
public sealed class VmProxy
{
    private readonly ConciergeClient _client;

    internal VmProxy(ConciergeClient client, string path)
    {
        _client = client;
        Path = path;
    }

    /// <summary>The object path.</summary>
    public string Path { get; }

    /// <summary>How error messages name this VM: by its name, as the user typed it, not by its path.</summary>
    private string Label => VmObjectPath.NameOf(Path) is { } name ? $"VM '{name}'" : Path;

    /// <summary>Every property, as <see cref="VmDetails"/>.</summary>
    public Task<VmDetails> GetDetailsAsync(CancellationToken cancellationToken = default)
    {
        return _client.CallAsync(Message(), static (reply, _) => VmPropertyMap.ToDetails(reply.GetBodyReader().ReadDictionaryOfStringToVariantValue()),
            $"read {Label}", ConciergeClient.DefaultCallTimeout, cancellationToken);

        MessageBuffer Message()
        {
            using var writer = _client.MethodCall(Path, "org.freedesktop.DBus.Properties", "GetAll", "s");
            writer.WriteString(ConciergeBus.VmInterface);
            return writer.CreateMessage();
        }
    }

    /// <summary>Asks the guest to stop, then stops the monitor; returns when the VM has stopped.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => CallAsync("Stop", cancellationToken);

    /// <summary>Stops the monitor at once, without asking the guest.</summary>
    public Task KillAsync(CancellationToken cancellationToken = default) => CallAsync("Kill", cancellationToken);

    /// <summary>Pauses the vCPUs.</summary>
    public Task SuspendAsync(CancellationToken cancellationToken = default) => CallAsync("Suspend", cancellationToken);

    /// <summary>Resumes the vCPUs.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => CallAsync("Resume", cancellationToken);

    /// <summary>Runs <paramref name="argv"/> in the guest's container and returns its status and output.</summary>
    public async Task<ExecResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            throw new InvalidRequestException("exec: name a command to run");
        }
        return await CallAsync(Message(), static (reply, _) => ExecReply.Parse(reply), $"exec in {Label}", cancellationToken);

        MessageBuffer Message()
        {
            using var writer = Call("Exec", "as");
            writer.WriteArray(argv);
            return writer.CreateMessage();
        }
    }

    /// <summary>The tail of the guest's serial console log, at most <paramref name="maxBytes"/> (the service caps it at 1 MiB).</summary>
    public Task<string> ReadConsoleAsync(uint maxBytes = 1 << 20, CancellationToken cancellationToken = default)
    {
        return CallAsync(Message(), static (reply, _) => ConsoleReply.Parse(reply), $"read the console of {Label}", cancellationToken);

        MessageBuffer Message()
        {
            using var writer = Call("ReadConsole", "u");
            writer.WriteUInt32(maxBytes);
            return writer.CreateMessage();
        }
    }

    // Calls on the Vm interface wait without a timeout: Stop and Exec last as long as the guest needs, and the service bounds them.
    private Task CallAsync(string member, CancellationToken cancellationToken)
    {
        return _client.CallAsync(Message(), $"{member.ToLowerInvariant()} {Label}", Timeout.InfiniteTimeSpan, cancellationToken);

        MessageBuffer Message()
        {
            using var writer = Call(member);
            return writer.CreateMessage();
        }
    }

    /// <summary>A call on this VM's interface.</summary>
    private MessageWriter Call(string member, string? signature = null) =>
        _client.MethodCall(Path, ConciergeBus.VmInterface, member, signature);

    /// <summary>A call on the Vm interface that returns a value (no timeout, as above).</summary>
    private Task<T> CallAsync<T>(MessageBuffer message, MessageValueReader<T> read, string operation, CancellationToken cancellationToken) =>
        _client.CallAsync(message, read, operation, Timeout.InfiniteTimeSpan, cancellationToken);
}
