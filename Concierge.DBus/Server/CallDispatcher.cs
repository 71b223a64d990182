using Concierge.DBus.Protocol;

namespace Concierge.DBus.Server;

/// <summary>
/// Routes one incoming method call: standard interfaces (Peer, Introspectable, Properties,
/// ObjectManager) here, declared methods to their <see cref="DBusInterface"/>. Whatever a handler
/// throws becomes an error reply; nothing a caller sends can take the connection down.
/// </summary>
internal sealed class CallDispatcher
{
    private readonly DBusConnection _connection;
    private readonly ObjectTree _tree;

    public CallDispatcher(DBusConnection connection, ObjectTree tree)
    {
        _connection = connection;
        _tree = tree;
    }

    /// <summary>Handles <paramref name="call"/>; returns true when the handler deferred its reply (the message stays alive).</summary>
    public async ValueTask<bool> DispatchAsync(Message call)
    {
        var context = new MethodContext(_connection, call);
        try
        {
            var outSignature = await RouteAsync(context);
            if (!context.HasReplied && !context.IsDeferred)
            {
                if (outSignature.Length == 0)
                {
                    context.Reply();
                }
                else
                {
                    context.ReplyError(DBusErrorNames.Failed, $"{call.Interface}.{call.Member} returned without a reply");
                }
            }
        }
        catch (DBusException ex) when (ex is not DBusConnectionClosedException)
        {
            TryReplyError(context, ex.ErrorName, ex.Message);
        }
        catch (Exception ex) when (ex is not DBusConnectionClosedException && !context.RequestAborted.IsCancellationRequested)
        {
            _connection.ReportHandlerFailure(ex);
            TryReplyError(context, DBusErrorNames.Failed, $"{call.Interface}.{call.Member} failed: {ex.Message}");
        }
        return context.IsDeferred;
    }

    private static void TryReplyError(MethodContext context, string name, string message)
    {
        if (!context.HasReplied)
        {
            context.ReplyError(name, message);
        }
    }

    // Returns the out signature of the method that ran, for the default reply.
    private async ValueTask<string> RouteAsync(MethodContext context)
    {
        var path = context.Path;
        var served = _tree.Find(path);
        switch (context.Interface)
        {
            case IntrospectionXml.Peer:
                return HandlePeer(context);
            case IntrospectionXml.Introspectable:
                RequireExists(path);
                return HandleIntrospect(context, served);
            case IntrospectionXml.Properties:
                return await PropertiesHandler.HandleAsync(context, Require(served, path));
            case IntrospectionXml.ObjectManager when _tree.IsManager(path):
                return ObjectManagerHandler.Handle(context, _tree);
            case null:
                return await RouteWithoutInterfaceAsync(context, served);
        }
        var target = Require(served, path).Find(context.Interface)
            ?? throw new DBusException(DBusErrorNames.UnknownInterface, $"{path} has no interface {context.Interface}");
        return await InvokeAsync(context, target);
    }

    private async ValueTask<string> RouteWithoutInterfaceAsync(MethodContext context, DBusObject? served)
    {
        if (context.Member is "Ping" or "GetMachineId")
        {
            return HandlePeer(context);
        }
        if (context.Member == "Introspect")
        {
            RequireExists(context.Path);
            return HandleIntrospect(context, served);
        }
        var target = Require(served, context.Path).Interfaces.FirstOrDefault(i => i.Description.FindMethod(context.Member) is not null)
            ?? throw new DBusException(DBusErrorNames.UnknownMethod, $"{context.Path} has no method {context.Member}");
        return await InvokeAsync(context, target);
    }

    private static async ValueTask<string> InvokeAsync(MethodContext context, DBusInterface target)
    {
        var method = target.Description.FindMethod(context.Member)
            ?? throw new DBusException(DBusErrorNames.UnknownMethod, $"{target.Name} has no method {context.Member}");
        if (context.Request.Signature != method.InSignature)
        {
            throw new DBusException(DBusErrorNames.InvalidArgs, $"{target.Name}.{method.Name} takes '{method.InSignature}', got '{context.Request.Signature}'");
        }
        await target.HandleMethodAsync(context);
        return method.OutSignature;
    }

    private static string HandlePeer(MethodContext context)
    {
        switch (context.Member)
        {
            case "Ping" when context.Request.Signature.Length == 0:
                context.Reply();
                return string.Empty;
            case "GetMachineId" when context.Request.Signature.Length == 0:
                var body = new MessageWriter();
                body.WriteString(MachineId.Get());
                context.Reply("s", body);
                return "s";
            default:
                throw new DBusException(DBusErrorNames.UnknownMethod, $"{IntrospectionXml.Peer} has no method {context.Member}({context.Request.Signature})");
        }
    }

    private string HandleIntrospect(MethodContext context, DBusObject? served)
    {
        if (context.Member != "Introspect" || context.Request.Signature.Length != 0)
        {
            throw new DBusException(DBusErrorNames.UnknownMethod, $"{IntrospectionXml.Introspectable} has no method {context.Member}");
        }
        var body = new MessageWriter();
        body.WriteString(IntrospectionXml.Build(served, _tree.IsManager(context.Path), _tree.ChildNames(context.Path)));
        context.Reply("s", body);
        return "s";
    }

    private void RequireExists(string path)
    {
        // The root always exists so tools can walk the tree from "/".
        if (path != "/" && !_tree.Exists(path))
        {
            throw new DBusException(DBusErrorNames.UnknownObject, $"no object at {path}");
        }
    }

    private static DBusObject Require(DBusObject? served, string path) =>
        served ?? throw new DBusException(DBusErrorNames.UnknownObject, $"no object at {path}");
}
