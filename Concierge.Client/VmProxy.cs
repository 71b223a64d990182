using Concierge.Contracts;
using Concierge.DBus;
using Concierge.DBus.Protocol;

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
    public async Task<VmDetails> GetDetailsAsync(CancellationToken cancellationToken = default)
    {
        var body = new MessageWriter();
        body.WriteString(ConciergeBus.VmInterface);
        using var reply = await _client.CallAsync(new MethodCall
        {
            Destination = ConciergeBus.ServiceName,
            Path = Path,
            Interface = "org.freedesktop.DBus.Properties",
            Member = "GetAll",
            Signature = "s",
            Body = body,
        }, $"read {Label}", cancellationToken);
        return VmPropertyMap.ToDetails(reply.GetBodyReader().ReadPropertyMap());
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
        var body = new MessageWriter();
        body.WriteStringArray(argv);
        using var reply = await _client.CallAsync(Call("Exec", "as", body), $"exec in {Label}", cancellationToken);
        return ExecReply.Parse(reply);
    }

    /// <summary>The tail of the guest's serial console log, at most <paramref name="maxBytes"/> (the service caps it at 1 MiB).</summary>
    public async Task<string> ReadConsoleAsync(uint maxBytes = 1 << 20, CancellationToken cancellationToken = default)
    {
        var body = new MessageWriter();
        body.WriteUInt32(maxBytes);
        using var reply = await _client.CallAsync(Call("ReadConsole", "u", body), $"read the console of {Label}", cancellationToken);
        return ConsoleReply.Parse(reply);
    }

    private async Task CallAsync(string member, CancellationToken cancellationToken)
    {
        using var reply = await _client.CallAsync(Call(member), $"{member.ToLowerInvariant()} {Label}", cancellationToken);
    }

    /// <summary>A call on this VM; no timeout, because Stop and Exec last as long as the guest needs and the service bounds them.</summary>
    private MethodCall Call(string member, string signature = "", MessageWriter? body = null) => new()
    {
        Destination = ConciergeBus.ServiceName,
        Path = Path,
        Interface = ConciergeBus.VmInterface,
        Member = member,
        Signature = signature,
        Body = body,
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
