using Concierge.Contracts;
using Concierge.Service.Api;
using Concierge.Service.Errors;
using Serilog;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus.Objects;

/// <summary>
/// Every method call to the tree's root or below (Peer is answered by the bus library): it finds
/// who is calling, what that caller may see there, and routes to the standard interfaces or the
/// object's own. Each call runs off the bus's receive loop (a StopVm may take a minute, and the
/// loop must keep answering others, the watchdog's own ping among them); whatever a handler
/// throws becomes one error reply through <see cref="ApiErrors"/>, so nothing a caller sends can
/// take the connection down. To a caller who may not see an object, it is not there: the same
/// UnknownObject as for a path where nothing is served.
/// </summary>
public sealed class CallDispatcher : IPathMethodHandler
{
    private readonly ObjectTree _tree;
    private readonly BusPeers _peers;
    private readonly ILogger _log;

    /// <summary>Serves <paramref name="tree"/>, with callers resolved by <paramref name="peers"/>.</summary>
    public CallDispatcher(ObjectTree tree, BusPeers peers, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(log);
        _tree = tree;
        _peers = peers;
        _log = log.ForContext<CallDispatcher>();
    }

    /// <inheritdoc />
    public string Path => _tree.Root;

    /// <inheritdoc />
    public bool HandlesChildPaths => true;

    /// <inheritdoc />
    public ValueTask HandleMethodAsync(MethodContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.DisposesAsynchronously = true;
        _ = Task.Run(() => DispatchAsync(context));
        return ValueTask.CompletedTask;
    }

    private async Task DispatchAsync(MethodContext context)
    {
        var request = context.Request;
        try
        {
            var caller = await _peers.ResolveAsync(request.SenderAsString).ConfigureAwait(false);
            var outSignature = await RouteAsync(context, caller).ConfigureAwait(false);
            if (!context.ReplySent)
            {
                if (outSignature.Length != 0)
                {
                    throw new InvalidOperationException($"{request.InterfaceAsString}.{request.MemberAsString} returned without a reply");
                }
                Reply.Empty(context);
            }
        }
        catch (Exception e)
        {
            var (name, message) = ApiErrors.Map(e);
            if (ApiErrors.IsUnexpected(e))
            {
                _log.Error(e, "{Interface}.{Member} on {Path} from {Sender} failed", request.InterfaceAsString, request.MemberAsString, request.PathAsString, request.SenderAsString);
            }
            // A no-op when a reply already went out or none is expected.
            context.ReplyError(name, message);
        }
        finally
        {
            context.Dispose();
        }
    }

    // Returns the out signature of what ran, for the default reply.
    private async Task<string> RouteAsync(MethodContext context, Caller caller)
    {
        var request = context.Request;
        var path = request.PathAsString ?? string.Empty;
        var served = _tree.Find(path, caller);
        var interfaceName = request.InterfaceIsSet ? request.InterfaceAsString : null;
        switch (interfaceName)
        {
            case StandardCalls.Introspectable when context.IsDBusIntrospectRequest:
                var children = _tree.VisibleChildren(path, caller) ?? throw NoObject(path);
                StandardCalls.Introspect(context, served, path == _tree.Root, children);
                return "s";
            case StandardCalls.Properties:
                StandardCalls.HandleProperties(context, served ?? throw NoObject(path));
                return string.Empty;
            case StandardCalls.ObjectManager when path == _tree.Root && served is not null:
                StandardCalls.HandleObjectManager(context, _tree.Managed(caller));
                return string.Empty;
        }
        var target = served ?? throw NoObject(path);
        var member = request.MemberAsString ?? string.Empty;
        var handler = interfaceName is null
            ? target.Interfaces.FirstOrDefault(i => i.Contract.FindMethod(member) is not null)
                ?? throw new CallRefusedException(DBusErrorNames.UnknownMethod, $"{path} has no method {member}")
            : target.Find(interfaceName)
                ?? throw new CallRefusedException(DBusErrorNames.UnknownInterface, $"{path} has no interface {interfaceName}");
        var method = handler.Contract.FindMethod(member)
            ?? throw new CallRefusedException(DBusErrorNames.UnknownMethod, $"{handler.Name} has no method {member}");
        if (request.SignatureAsString != method.InSignature)
        {
            throw new CallRefusedException(DBusErrorNames.InvalidArgs, $"{handler.Name}.{method.Name} takes '{method.InSignature}', got '{request.SignatureAsString}'");
        }
        await handler.HandleAsync(context, caller).ConfigureAwait(false);
        return method.OutSignature;
    }

    private static CallRefusedException NoObject(string path) => new(DBusErrorNames.UnknownObject, $"no object at {path}");
}
