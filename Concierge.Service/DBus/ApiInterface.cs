using Concierge.DBus.Server;
using Concierge.Service.Api;
using Serilog;

namespace Concierge.Service.DBus;

/// <summary>
/// What both faces of the API on the root object share: the <see cref="ConciergeApi"/> they
/// translate calls into, the resolver that says who is calling, and the log failed calls go to.
/// </summary>
public abstract class ApiInterface : DBusInterface
{
    private protected ApiInterface(InterfaceDescription metadata, ConciergeApi api, CallerResolver callers, ILogger logger)
        : base(metadata)
    {
        Api = api;
        Callers = callers;
        Logger = logger;
    }

    private protected ConciergeApi Api { get; }

    private protected CallerResolver Callers { get; }

    private protected ILogger Logger { get; }
}
