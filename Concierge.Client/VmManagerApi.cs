using Concierge.Contracts;
using Concierge.DBus;
using Concierge.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// The typed face: <c>org.chromium.VmConcierge.Manager</c> on the root object, and one
/// <see cref="VmProxy"/> per VM object. Errors come as D-Bus errors, translated to typed exceptions.
/// </summary>
public sealed class VmManagerApi
{
    private readonly ConciergeClient _client;

    internal VmManagerApi(ConciergeClient client) => _client = client;

    /// <summary>Starts VM <paramref name="name"/> with <paramref name="options"/> (a{sv}) and returns its object.</summary>
    public async Task<VmProxy> StartVmAsync(string name, IReadOnlyDictionary<string, Variant> options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var body = new MessageWriter();
        body.WriteString(name);
        body.WritePropertyMap(options);
        using var reply = await CallAsync("StartVm", "sa{sv}", body, $"start VM '{name}'", cancellationToken);
        return Proxy(reply.GetBodyReader().ReadObjectPath().Value);
    }

    /// <summary>Asks VM <paramref name="name"/> to stop and waits until it has.</summary>
    public async Task StopVmAsync(string name, CancellationToken cancellationToken = default)
    {
        var body = new MessageWriter();
        body.WriteString(name);
        using var reply = await CallAsync("StopVm", "s", body, $"stop VM '{name}'", cancellationToken);
    }

    /// <summary>Stops every VM the caller may touch.</summary>
    public async Task StopAllVmsAsync(CancellationToken cancellationToken = default)
    {
        using var reply = await CallAsync("StopAllVms", string.Empty, null, "stop all VMs", cancellationToken);
    }

    /// <summary>Name, state and object path of every VM the caller may see.</summary>
    public async Task<IReadOnlyList<VmListEntry>> ListVmsAsync(CancellationToken cancellationToken = default)
    {
        using var reply = await CallAsync("ListVms", string.Empty, null, "list VMs", cancellationToken);
        var reader = reply.GetBodyReader();
        var end = reader.ReadArrayStart('(');
        var entries = new List<VmListEntry>();
        while (reader.HasNext(end))
        {
            reader.ReadStructStart();
            var name = reader.ReadString();
            var state = VmPropertyMap.ParseState(reader.ReadString());
            entries.Add(new VmListEntry(name, state, reader.ReadObjectPath().Value));
        }
        return entries;
    }

    /// <summary>The object of VM <paramref name="name"/>; <see cref="VmNotFoundException"/> when the caller has none.</summary>
    public async Task<VmProxy> GetVmAsync(string name, CancellationToken cancellationToken = default)
    {
        var body = new MessageWriter();
        body.WriteString(name);
        using var reply = await CallAsync("GetVm", "s", body, $"find VM '{name}'", cancellationToken);
        return Proxy(reply.GetBodyReader().ReadObjectPath().Value);
    }

    /// <summary>
    /// Subscribes to PropertiesChanged of every VM object; <paramref name="handler"/> runs on the
    /// connection's dispatch loop, one signal at a time. Dispose the subscription to stop.
    /// </summary>
    public Task<SignalSubscription> WatchPropertiesAsync(Action<VmPropertiesChange> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _client.Connection.WatchSignalAsync(
            new MatchRule
            {
                Sender = ConciergeBus.ServiceName,
                Interface = "org.freedesktop.DBus.Properties",
                Member = "PropertiesChanged",
                PathNamespace = ConciergeBus.RootPath,
                Arg0 = ConciergeBus.VmInterface,
            },
            message =>
            {
                if (VmPropertyMap.TryParseChange(message) is { } change)
                {
                    handler(change);
                }
            },
            cancellationToken);
    }

    /// <summary>A proxy for the VM object at <paramref name="path"/> (no call is made).</summary>
    public VmProxy Proxy(string path) => new(_client, path);

    private Task<Message> CallAsync(string member, string signature, MessageWriter? body, string operation, CancellationToken cancellationToken) =>
        _client.CallAsync(new MethodCall
        {
            Destination = ConciergeBus.ServiceName,
            Path = ConciergeBus.RootPath,
            Interface = ConciergeBus.ManagerInterface,
            Member = member,
            Signature = signature,
            Body = body,
            // StopVm waits for the guest; the service bounds that itself.
            Timeout = Timeout.InfiniteTimeSpan,
        }, operation, cancellationToken);
}
