using Concierge.Contracts;
using Tmds.DBus.Protocol;

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
    public async Task<VmProxy> StartVmAsync(string name, IReadOnlyDictionary<string, VariantValue> options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Proxy(await CallAsync(Message(), ReadPath, $"start VM '{name}'", cancellationToken));

        MessageBuffer Message()
        {
            using var writer = Call("StartVm", "sa{sv}");
            writer.WriteString(name);
            writer.WriteDictionary(options);
            return writer.CreateMessage();
        }
    }

    /// <summary>Asks VM <paramref name="name"/> to stop and waits until it has.</summary>
    public Task StopVmAsync(string name, CancellationToken cancellationToken = default)
    {
        return CallAsync(Message(), $"stop VM '{name}'", cancellationToken);

        MessageBuffer Message()
        {
            using var writer = Call("StopVm", "s");
            writer.WriteString(name);
            return writer.CreateMessage();
        }
    }

    /// <summary>Stops every VM the caller may touch.</summary>
    public Task StopAllVmsAsync(CancellationToken cancellationToken = default)
    {
        return CallAsync(Message(), "stop all VMs", cancellationToken);

        MessageBuffer Message()
        {
            using var writer = Call("StopAllVms");
            return writer.CreateMessage();
        }
    }

    /// <summary>Name, state and object path of every VM the caller may see.</summary>
    public Task<IReadOnlyList<VmListEntry>> ListVmsAsync(CancellationToken cancellationToken = default)
    {
        return CallAsync(Message(), ReadEntries, "list VMs", cancellationToken);

        MessageBuffer Message()
        {
            using var writer = Call("ListVms");
            return writer.CreateMessage();
        }
    }

    /// <summary>The object of VM <paramref name="name"/>; <see cref="VmNotFoundException"/> when the caller has none.</summary>
    public async Task<VmProxy> GetVmAsync(string name, CancellationToken cancellationToken = default)
    {
        return Proxy(await CallAsync(Message(), ReadPath, $"find VM '{name}'", cancellationToken));

        MessageBuffer Message()
        {
            using var writer = Call("GetVm", "s");
            writer.WriteString(name);
            return writer.CreateMessage();
        }
    }

    /// <summary>
    /// Subscribes to PropertiesChanged of every VM object; <paramref name="handler"/> runs on the
    /// connection's receive loop, one signal at a time, so it must not block (an exception it throws
    /// is dropped). Dispose the subscription to stop.
    /// </summary>
    public Task<IDisposable> WatchPropertiesAsync(Action<VmPropertiesChange> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _client.WatchAsync(
            new MatchRule
            {
                Type = MessageType.Signal,
                Sender = ConciergeBus.ServiceName,
                Interface = "org.freedesktop.DBus.Properties",
                Member = "PropertiesChanged",
                PathNamespace = ConciergeBus.RootPath,
                Arg0 = ConciergeBus.VmInterface,
            },
            VmPropertyMap.TryParseChange, handler, "watch VM properties", cancellationToken);
    }

    /// <summary>A proxy for the VM object at <paramref name="path"/> (no call is made).</summary>
    public VmProxy Proxy(string path) => new(_client, path);

    private MessageWriter Call(string member, string? signature = null) =>
        _client.MethodCall(ConciergeBus.RootPath, ConciergeBus.ManagerInterface, member, signature);

    // StopVm waits for the guest; the service bounds that itself, so no call of this face times out here.
    private Task CallAsync(MessageBuffer message, string operation, CancellationToken cancellationToken) =>
        _client.CallAsync(message, operation, Timeout.InfiniteTimeSpan, cancellationToken);

    private Task<T> CallAsync<T>(MessageBuffer message, MessageValueReader<T> read, string operation, CancellationToken cancellationToken) =>
        _client.CallAsync(message, read, operation, Timeout.InfiniteTimeSpan, cancellationToken);

    private static string ReadPath(Message reply, object? state) => reply.GetBodyReader().ReadObjectPathAsString();

    /// <summary>ListVms' <c>a(sso)</c>: name, state, object path.</summary>
    private static IReadOnlyList<VmListEntry> ReadEntries(Message reply, object? state)
    {
        var reader = reply.GetBodyReader();
        var end = reader.ReadArrayStart(DBusType.Struct);
        var entries = new List<VmListEntry>();
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            var name = reader.ReadString();
            var vmState = VmPropertyMap.ParseState(reader.ReadString());
            entries.Add(new VmListEntry(name, vmState, reader.ReadObjectPathAsString()));
        }
        return entries;
    }
}
